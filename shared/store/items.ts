import type { NormalizedDocument } from '../document.ts';
import { normalizeSequencer } from '../s3-event.ts';
import {
  DOC_SK,
  authorKeysOf,
  documentPk,
  documentSortKey,
  failureShardKey,
  shardOf,
  siteKey,
  timelineShardKey,
  urlKey,
} from './schema.ts';
import type { FailureInput, ObjectEvent } from './types.ts';

/**
 * The items the store writes, as pure functions of their inputs: one object-state item per
 * S3 key (a document, a failure or a tombstone) and one entry per author of a document.
 */

/** A DynamoDB item in DocumentClient form. */
export type Item = Record<string, unknown>;

/** How long a tombstone outlives its delete: longer than SQS's 14-day maximum retention. */
export const TOMBSTONE_TTL_SECONDS = 15 * 24 * 60 * 60;

/** The attributes every object-state item carries about the event that decided it. */
export function eventAttributes(event: ObjectEvent): Item {
  return {
    sequencer: normalizeSequencer(event.sequencer),
    eventId: event.eventId,
    bucket: event.bucket,
    sourceKey: event.key,
    eventTime: event.eventTime,
  };
}

/**
 * A document's object-state item without its body: the caller adds `body` or `bodyRef`
 * depending on the size.
 *
 * @example
 * const item = { ...documentItem(document, event, new Date().toISOString()), body: document.body };
 */
export function documentItem(document: NormalizedDocument, event: ObjectEvent, ingestedAt: string): Item {
  const { body: _body, ...fields } = document;
  return {
    pk: documentPk(document.id),
    sk: DOC_SK,
    state: 'document',
    ...fields,
    ...eventAttributes(event),
    ingestedAt,
    sortKey: documentSortKey(document.publishedAt, document.id),
    timelineShard: timelineShardKey(shardOf(document.id)),
    ...(document.site !== null ? { siteKey: siteKey(document.site) } : {}),
    ...(document.url !== null ? { urlKey: urlKey(document.url) } : {}),
  };
}

/** A failure's object-state item: no document or index attributes but the failures index. */
export function failureItem(failure: FailureInput, event: ObjectEvent, failedAt: string): Item {
  return {
    pk: documentPk(failure.id),
    sk: DOC_SK,
    state: 'failed',
    id: failure.id,
    ...eventAttributes(event),
    code: failure.code,
    message: failure.message,
    failedAt,
    failedSortKey: `${failedAt}#${failure.id}`,
    failureShard: failureShardKey(shardOf(failure.id)),
  };
}

/** A delete's tombstone: it only remembers the sequencer, until DynamoDB's TTL removes it. */
export function tombstoneItem(id: string, event: ObjectEvent, deletedAt: Date): Item {
  return {
    pk: documentPk(id),
    sk: DOC_SK,
    state: 'deleted',
    id,
    ...eventAttributes(event),
    deletedAt: deletedAt.toISOString(),
    expiresAt: Math.floor(deletedAt.getTime() / 1000) + TOMBSTONE_TTL_SECONDS,
  };
}

/**
 * The author index entries a stored object-state item implies: one per distinct normalized
 * author, under the document's sort key. None unless the item is a document.
 */
export function authorEntriesOf(item: Item | undefined): Item[] {
  if (item?.state !== 'document' || typeof item.sortKey !== 'string') return [];
  const authors = Array.isArray(item.authors) ? item.authors.filter((a): a is string => typeof a === 'string') : [];
  return authorKeysOf(authors).map((author) => ({ pk: `AUTHOR#${author}`, sk: item.sortKey, id: item.id }));
}
