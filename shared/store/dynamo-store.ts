import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { BodyRef, BodyStore } from '../bodies.ts';
import { DEFAULT_INLINE_BODY_LIMIT_BYTES } from '../config.ts';
import type { NormalizedDocument } from '../document.ts';
import { DocumentError, isDocumentErrorCode } from '../errors.ts';
import { canonicalUrl } from '../url.ts';
import { toStoreError } from './errors.ts';
import { itemSize } from './item-size.ts';
import { authorEntriesOf, documentItem, failureItem, tombstoneItem, type Item } from './items.ts';
import {
  DOC_SK,
  INDEX_BY_SITE,
  INDEX_BY_URL,
  INDEX_FAILURES,
  INDEX_TIMELINE,
  SHARDS,
  SUMMARY_ATTRIBUTES,
  authorKeysOf,
  documentPk,
  failureShardKey,
  normalizeAuthor,
  normalizeSite,
  siteKey,
  timelineShardKey,
  urlKey,
} from './schema.ts';
import type {
  DocumentStore,
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

/** Largest page any listing returns. */
export const MAX_PAGE_SIZE = 1000;

/** Where the store reports clean-up that failed but does not make the write fail. */
export interface StoreLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface DynamoStoreOptions {
  /** A DynamoDB client (endpoint, credentials, middleware are the caller's). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Where bodies that do not fit in an item go. */
  readonly bodies: BodyStore;
  /**
   * Largest item size (as DynamoDB counts it) that keeps its body inline.
   * @default 350000
   */
  readonly inlineBodyLimitBytes?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default warnings go nowhere */
  readonly logger?: StoreLogger;
}

const STATE_DOCUMENT = 'document';

// The condition every object-state write carries: apply only when no state exists yet, the
// stored state comes from an older event, or it comes from a different event with the same
// sequencer (emulators repeat sequencers; real S3 never does for two events of one key).
// A re-delivery of the stored event fails the condition and changes nothing.
const NEWER_EVENT_CONDITION =
  'attribute_not_exists(pk) OR #sequencer < :sequencer OR (#sequencer = :sequencer AND #eventId <> :eventId)';

/**
 * The {@link DocumentStore} on DynamoDB. Writes are single-item conditional puts ordered by
 * the S3 sequencer (dynalite has no transactions); author index entries are separate items
 * written after the document and checked against it on every read.
 *
 * @example
 * const store = createDynamoStore({
 *   client: new DynamoDBClient({}),
 *   tableName: config.tableName,
 *   bodies: createS3BodyStore({ s3, bucket: config.bodiesBucket }),
 * });
 * const page = await store.listDocuments({ site: 'themoscowtimes.com', limit: 20 });
 */
export function createDynamoStore(options: DynamoStoreOptions): DocumentStore {
  const table = options.tableName;
  const bodies = options.bodies;
  const inlineLimit = options.inlineBodyLimitBytes ?? DEFAULT_INLINE_BODY_LIMIT_BYTES;
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger;
  const db = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  // SDK exceptions that mean "try again later" become one domain error, at this edge.
  db.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw toStoreError(error);
      }
    },
    { step: 'initialize', name: 'storeUnavailableErrors' },
  );

  // ---- writes ---------------------------------------------------------------------------

  /**
   * Puts an object-state item if its event is newer than the stored one. Returns the outcome
   * and, when written, the item it replaced; when not written, the stored item.
   */
  async function conditionalPut(
    item: Item,
  ): Promise<{ outcome: 'written'; old: Item | undefined } | { outcome: 'duplicate' | 'stale'; current: Item | undefined }> {
    try {
      const result = await db.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: NEWER_EVENT_CONDITION,
          ExpressionAttributeNames: { '#sequencer': 'sequencer', '#eventId': 'eventId' },
          ExpressionAttributeValues: { ':sequencer': item.sequencer, ':eventId': item.eventId },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { outcome: 'written', old: result.Attributes };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = await readState(String(item.id), true);
      const duplicate = current?.sequencer === item.sequencer && current?.eventId === item.eventId;
      return { outcome: duplicate ? 'duplicate' : 'stale', current };
    }
  }

  async function readState(id: string, consistent: boolean): Promise<Item | undefined> {
    const result = await db.send(
      new GetCommand({ TableName: table, Key: { pk: documentPk(id), sk: DOC_SK }, ConsistentRead: consistent }),
    );
    return result.Item;
  }

  /**
   * Brings the author entries from what `old` implied to what `current` implies: puts every
   * entry of `current` (idempotent; repairs a crash between the item and its entries) and
   * deletes the entries of `old` that `current` no longer has.
   */
  async function syncAuthorEntries(old: Item | undefined, current: Item | undefined): Promise<void> {
    const wanted = authorEntriesOf(current);
    const keyOf = (entry: Item) => `${String(entry.pk)}\u0000${String(entry.sk)}`;
    const kept = new Set(wanted.map(keyOf));
    const obsolete = authorEntriesOf(old).filter((entry) => !kept.has(keyOf(entry)));
    await Promise.all([
      ...wanted.map((entry) => db.send(new PutCommand({ TableName: table, Item: entry }))),
      ...obsolete.map((entry) =>
        db.send(new DeleteCommand({ TableName: table, Key: { pk: entry.pk, sk: entry.sk } })),
      ),
    ]);
    // A newer version written meanwhile may need an entry just deleted as obsolete (it has the
    // old version's author and date again) and may have put it before the delete landed: read
    // the state now and put the entries of whatever is current, so none of them stays missing.
    if (obsolete.length > 0 && current !== undefined) {
      const now = await readState(String(current.id), true);
      if (now !== undefined && (now.sequencer !== current.sequencer || now.eventId !== current.eventId)) {
        await Promise.all(authorEntriesOf(now).map((entry) => db.send(new PutCommand({ TableName: table, Item: entry }))));
      }
    }
  }

  /** Deletes a body object no item points at any more; a failure only costs storage. */
  async function dropBody(ref: unknown, keep: unknown): Promise<void> {
    if (!isBodyRef(ref)) return;
    if (isBodyRef(keep) && keep.key === ref.key && keep.bucket === ref.bucket) return;
    try {
      await bodies.delete(ref);
    } catch (error) {
      logger?.warn('Could not delete a superseded body; it stays as an orphan object', {
        bodyRef: ref,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** After a write: index entries and the old body follow the new state. */
  async function afterWrite(
    result: Awaited<ReturnType<typeof conditionalPut>>,
    written: Item,
  ): Promise<WriteOutcome> {
    if (result.outcome === 'written') {
      await syncAuthorEntries(result.old, written);
      await dropBody(result.old?.bodyRef, written.bodyRef);
      return 'written';
    }
    if (result.outcome === 'duplicate') await syncAuthorEntries(undefined, result.current);
    // A body this attempt stored but no item points at (the write lost) is ours to remove.
    await dropBody(written.bodyRef, result.current?.bodyRef);
    return result.outcome;
  }

  async function putDocument(document: NormalizedDocument, event: ObjectEvent): Promise<WriteOutcome> {
    const base = documentItem(document, event, clock().toISOString());
    let item: Item = { ...base, body: document.body };
    if (itemSize(item) > inlineLimit) {
      const largest: BodyRef = { bucket: 'b'.repeat(63), key: 'k'.repeat(300), bytes: Number.MAX_SAFE_INTEGER };
      if (itemSize({ ...base, bodyRef: largest }) > inlineLimit) {
        throw new DocumentError(
          'too_large',
          `The document's metadata alone is ${itemSize(base)} bytes, more than the ${inlineLimit} bytes a stored record may hold.`,
        );
      }
      const bodyRef = await bodies.put(document.id, String(base.sequencer), document.contentHash, document.body);
      item = { ...base, bodyRef };
    }
    return afterWrite(await conditionalPut(item), item);
  }

  async function putFailure(failure: FailureInput, event: ObjectEvent): Promise<WriteOutcome> {
    const item = failureItem(failure, event, clock().toISOString());
    return afterWrite(await conditionalPut(item), item);
  }

  async function deleteDocument(id: string, event: ObjectEvent): Promise<WriteOutcome> {
    const item = tombstoneItem(id, event, clock());
    return afterWrite(await conditionalPut(item), item);
  }

  // ---- reads ----------------------------------------------------------------------------

  async function getDocument(id: string): Promise<StoredDocument | null> {
    let item = await readState(id, false);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (item?.state !== STATE_DOCUMENT) return null;
      if (typeof item.body === 'string') return toDocument(item, item.body);
      if (!isBodyRef(item.bodyRef)) throw new Error(`Document ${id} has neither a body nor a bodyRef.`);
      const body = await bodies.get(item.bodyRef);
      if (body !== null) return toDocument(item, body);
      // The body was removed because a newer version replaced this one since we read it.
      item = await readState(id, true);
    }
    throw new Error(`The body of document ${id} is missing from the bodies bucket.`);
  }

  async function getDocumentsByUrl(url: string): Promise<StoredSummary[]> {
    const canonical = canonicalUrl(url);
    if (canonical === null) return [];
    const keys = await queryAll(
      {
        TableName: table,
        IndexName: INDEX_BY_URL,
        KeyConditionExpression: 'urlKey = :url',
        ExpressionAttributeValues: { ':url': urlKey(canonical) },
        ScanIndexForward: false,
      },
      MAX_PAGE_SIZE,
    );
    const items = await batchGet(keys.map((key) => String(key.pk)), [...SUMMARY_ATTRIBUTES, 'sortKey']);
    return keys
      .map((key) => items.get(String(key.pk)))
      .filter((item): item is Item => item?.state === STATE_DOCUMENT && item.url === canonical)
      .map(toSummary);
  }

  async function listDocuments(query: ListDocumentsQuery): Promise<Page<StoredSummary>> {
    const limit = checkLimit(query.limit);
    const range = sortRange(query.from, query.to, query.after ?? undefined);
    if (range === 'empty') return { items: [], next: null };
    if (query.author !== undefined) return listByAuthor(query.author, query.site, range, limit);

    const queries: QueryCommandInput[] =
      query.site !== undefined
        ? [indexQuery(INDEX_BY_SITE, 'siteKey', siteKey(query.site), 'sortKey', range)]
        : Array.from({ length: SHARDS }, (_, shard) =>
            indexQuery(INDEX_TIMELINE, 'timelineShard', timelineShardKey(shard), 'sortKey', range),
          );
    const pages = await Promise.all(queries.map((input) => queryRange(input, 'sortKey', range, limit + 1)));
    return pageOf(mergeDescending(pages, 'sortKey'), limit, 'sortKey', toSummary);
  }

  async function listByAuthor(
    author: string,
    site: string | undefined,
    range: SortRange,
    limit: number,
  ): Promise<Page<StoredSummary>> {
    const name = normalizeAuthor(author);
    if (name === '') return { items: [], next: null };
    const wantedSite = site === undefined ? undefined : normalizeSite(site);
    const input = { ...keyQuery('pk', `AUTHOR#${name}`, 'sk', range), TableName: table };
    const found: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await db.send(
        new QueryCommand({ ...input, Limit: limit + 1 - found.length, ExclusiveStartKey: start }),
      );
      start = result.LastEvaluatedKey;
      const entries = (result.Items ?? []).filter((entry) => inRange(String(entry.sk), range));
      const documents = await batchGet(
        entries.map((entry) => documentPk(String(entry.id))),
        [...SUMMARY_ATTRIBUTES, 'sortKey'],
      );
      for (const entry of entries) {
        const document = documents.get(documentPk(String(entry.id)));
        // An entry left behind by a crash, or by a version that changed authors or date,
        // no longer matches its document: never serve it.
        if (
          document?.state === STATE_DOCUMENT &&
          document.sortKey === entry.sk &&
          Array.isArray(document.authors) &&
          authorKeysOf(document.authors as string[]).includes(name) &&
          (wantedSite === undefined || (typeof document.site === 'string' && normalizeSite(document.site) === wantedSite))
        ) {
          found.push(document);
        }
      }
    } while (found.length <= limit && start !== undefined);
    return pageOf(found, limit, 'sortKey', toSummary);
  }

  async function listFailures(query: ListFailuresQuery): Promise<Page<FailureRecord>> {
    const limit = checkLimit(query.limit);
    const range: SortRange = query.after == null ? {} : { upper: { value: query.after, inclusive: false } };
    const pages = await Promise.all(
      Array.from({ length: SHARDS }, (_, shard) =>
        queryRange(
          indexQuery(INDEX_FAILURES, 'failureShard', failureShardKey(shard), 'failedSortKey', range),
          'failedSortKey',
          range,
          limit + 1,
        ),
      ),
    );
    return pageOf(mergeDescending(pages, 'failedSortKey'), limit, 'failedSortKey', toFailure);
  }

  // ---- query helpers --------------------------------------------------------------------

  function indexQuery(
    indexName: string,
    partitionAttribute: string,
    partitionValue: string,
    sortAttribute: string,
    range: SortRange,
  ): QueryCommandInput {
    return { ...keyQuery(partitionAttribute, partitionValue, sortAttribute, range), TableName: table, IndexName: indexName };
  }

  /** Up to `count` items of one partition, newest first, inside `range`. */
  async function queryRange(input: QueryCommandInput, sortAttribute: string, range: SortRange, count: number): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      // One extra: an exclusive upper bound queried as BETWEEN returns the bound itself.
      const result = await db.send(
        new QueryCommand({ ...input, Limit: count - items.length + 1, ExclusiveStartKey: start }),
      );
      start = result.LastEvaluatedKey;
      for (const item of result.Items ?? []) {
        if (inRange(String(item[sortAttribute]), range)) items.push(item);
      }
    } while (items.length < count && start !== undefined);
    return items.slice(0, count);
  }

  async function queryAll(input: QueryCommandInput, max: number): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(result.Items ?? []));
      start = result.LastEvaluatedKey;
    } while (start !== undefined && items.length < max);
    return items.slice(0, max);
  }

  /** The object-state items of `pks` (partition keys), by pk. Retries unprocessed keys. */
  async function batchGet(pks: string[], attributes: readonly string[], consistent = false): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = [...new Set(pks)];
    const names = Object.fromEntries(['pk', ...attributes].map((name) => [`#${name}`, name]));
    const projection = Object.keys(names).join(', ');
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] = unique.slice(i, i + 100).map((pk) => ({ pk, sk: DOC_SK }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(50 * 2 ** attempt, 2000));
        if (attempt > 10) throw new Error('BatchGetItem kept returning unprocessed keys.');
        const result = await db.send(
          new BatchGetCommand({
            RequestItems: {
              [table]: { Keys: keys, ProjectionExpression: projection, ExpressionAttributeNames: names, ConsistentRead: consistent },
            },
          }),
        );
        for (const item of result.Responses?.[table] ?? []) found.set(String(item.pk), item);
        keys = result.UnprocessedKeys?.[table]?.Keys ?? [];
      }
    }
    return found;
  }

  async function getObjectVersions(ids: readonly string[]): Promise<Map<string, ObjectVersion>> {
    const items = await batchGet(ids.map(documentPk), ['state', 'sequencer'], true);
    const versions = new Map<string, ObjectVersion>();
    for (const id of ids) {
      const item = items.get(documentPk(id));
      if (item !== undefined && typeof item.sequencer === 'string') {
        versions.set(id, { state: item.state as ObjectVersion['state'], sequencer: item.sequencer });
      }
    }
    return versions;
  }

  return { putDocument, putFailure, deleteDocument, getObjectVersions, getDocument, getDocumentsByUrl, listDocuments, listFailures };
}

// ---- pure helpers -----------------------------------------------------------------------

/** A sort-key interval: `lower` inclusive, `upper` inclusive or exclusive. */
interface SortRange {
  lower?: string;
  upper?: { value: string; inclusive: boolean };
}

// Sorts after every character a publishedAt can contain, so `1#<to>\uffff` bounds "starts with <to>".
const HIGH = '\uffff';

/** The sort-key interval for a date range and a cursor, or 'empty' when nothing can match. */
function sortRange(from: string | undefined, to: string | undefined, after: string | undefined): SortRange | 'empty' {
  const lower = from !== undefined ? `1#${from}` : to !== undefined ? '1#' : undefined;
  const toBound = to !== undefined ? `1#${to}${HIGH}` : undefined;
  let upper: SortRange['upper'];
  if (after !== undefined && (toBound === undefined || after <= toBound)) upper = { value: after, inclusive: false };
  else if (toBound !== undefined) upper = { value: toBound, inclusive: true };
  if (lower !== undefined && upper !== undefined) {
    if (upper.inclusive ? upper.value < lower : upper.value <= lower) return 'empty';
  }
  return { ...(lower !== undefined ? { lower } : {}), ...(upper !== undefined ? { upper } : {}) };
}

function inRange(value: string, range: SortRange): boolean {
  if (range.lower !== undefined && value < range.lower) return false;
  if (range.upper !== undefined) {
    if (range.upper.inclusive ? value > range.upper.value : value >= range.upper.value) return false;
  }
  return true;
}

/** A newest-first key query on one partition, restricted to `range`. */
function keyQuery(
  partitionAttribute: string,
  partitionValue: string,
  sortAttribute: string,
  range: SortRange,
): Omit<QueryCommandInput, 'TableName'> {
  const names: Record<string, string> = { '#p': partitionAttribute };
  const values: Record<string, unknown> = { ':p': partitionValue };
  let condition = '#p = :p';
  if (range.lower !== undefined && range.upper !== undefined) {
    // BETWEEN is inclusive; an exclusive upper bound is filtered out in code (inRange).
    condition += ' AND #s BETWEEN :lower AND :upper';
    values[':lower'] = range.lower;
    values[':upper'] = range.upper.value;
  } else if (range.lower !== undefined) {
    condition += ' AND #s >= :lower';
    values[':lower'] = range.lower;
  } else if (range.upper !== undefined) {
    condition += range.upper.inclusive ? ' AND #s <= :upper' : ' AND #s < :upper';
    values[':upper'] = range.upper.value;
  }
  // DynamoDB rejects a name that the expression does not use.
  if (condition.includes('#s')) names['#s'] = sortAttribute;
  return {
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
  };
}

function mergeDescending(pages: Item[][], sortAttribute: string): Item[] {
  return pages.flat().sort((a, b) => {
    const x = String(a[sortAttribute]);
    const y = String(b[sortAttribute]);
    return x < y ? 1 : x > y ? -1 : 0;
  });
}

/** The first `limit` items; `next` is set only when more items exist. */
function pageOf<T>(items: Item[], limit: number, sortAttribute: string, map: (item: Item) => T): Page<T> {
  const page = items.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(map),
    next: items.length > limit && last !== undefined ? String(last[sortAttribute]) : null,
  };
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${limit}.`);
  }
  return limit;
}

function toSummary(item: Item): StoredSummary {
  return {
    id: String(item.id),
    schemaVersion: Number(item.schemaVersion),
    sourceKey: nullableString(item.sourceKey),
    format: item.format as StoredSummary['format'],
    title: String(item.title ?? ''),
    authors: stringList(item.authors),
    publishedAt: nullableString(item.publishedAt),
    imageCredit: nullableString(item.imageCredit),
    url: nullableString(item.url),
    site: nullableString(item.site),
    language: nullableString(item.language),
    tags: stringList(item.tags),
    excerpt: String(item.excerpt ?? ''),
    wordCount: Number(item.wordCount ?? 0),
    readingTimeMinutes: Number(item.readingTimeMinutes ?? 0),
    contentHash: String(item.contentHash ?? ''),
    sourceBytes: Number(item.sourceBytes ?? 0),
    encoding: item.encoding as StoredSummary['encoding'],
    ingestedAt: String(item.ingestedAt ?? ''),
  };
}

function toDocument(item: Item, body: string): StoredDocument {
  return { ...toSummary(item), body };
}

function toFailure(item: Item): FailureRecord {
  const code = item.code;
  return {
    id: String(item.id),
    sourceKey: String(item.sourceKey ?? ''),
    // Written only from DocumentError codes; 'malformed' is the honest reading of anything else.
    code: isDocumentErrorCode(code) ? code : 'malformed',
    message: String(item.message ?? ''),
    failedAt: String(item.failedAt ?? ''),
    sequencer: String(item.sequencer ?? ''),
  };
}

function nullableString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((element): element is string => typeof element === 'string') : [];
}

function isBodyRef(value: unknown): value is BodyRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BodyRef).bucket === 'string' &&
    typeof (value as BodyRef).key === 'string'
  );
}

function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
