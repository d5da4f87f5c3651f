export { createDynamoStore, MAX_PAGE_SIZE } from './dynamo-store.ts';
export type { DynamoStoreOptions, StoreLogger } from './dynamo-store.ts';
export { StoreUnavailableError, toStoreError } from './errors.ts';
export { itemSize } from './item-size.ts';
export { authorEntriesOf, documentItem, failureItem, TOMBSTONE_TTL_SECONDS, tombstoneItem, type Item } from './items.ts';
export {
  DOC_SK,
  FAILURE_ATTRIBUTES,
  INDEX_BY_SITE,
  INDEX_BY_URL,
  INDEX_FAILURES,
  INDEX_TIMELINE,
  PARTITION_KEY,
  SHARDS,
  SORT_KEY,
  SUMMARY_ATTRIBUTES,
  TTL_ATTRIBUTE,
  authorPk,
  createTableInput,
  documentPk,
  documentSortKey,
  normalizeAuthor,
  normalizeSite,
  shardOf,
} from './schema.ts';
export type {
  DocumentReader,
  DocumentStore,
  DocumentWriter,
  FailureInput,
  FailureRecord,
  ListDocumentsQuery,
  ListFailuresQuery,
  ObjectEvent,
  ObjectVersion,
  Page,
  StoredDocument,
  StoredSummary,
  WriteOutcome,
} from './types.ts';
