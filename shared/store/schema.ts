import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The documents table: names, key formats and the table definition. infra/ builds the same
 * table with CDK; the embedded stack and the tests create it with {@link createTableInput}.
 * See docs/data-model.md for why each key looks the way it does.
 */

/** Partition and sort key attribute names of the table. */
export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** TTL attribute (epoch seconds): only tombstones carry it. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * Number of write shards of the `timeline` and `failures` indexes. 8 spreads the ingestion of
 * every document over 8 index partitions (8 × 1,000 WCU/s), at the price of 8 parallel queries
 * per timeline page. Changing it needs a backfill of `timelineShard` / `failureShard`.
 */
export const SHARDS = 8;

/** Global secondary index names. */
export const INDEX_BY_URL = 'byUrl';
export const INDEX_TIMELINE = 'timeline';
export const INDEX_BY_SITE = 'bySite';
export const INDEX_FAILURES = 'failures';

/** Attributes the `timeline` and `bySite` indexes project: a document without its body. */
export const SUMMARY_ATTRIBUTES = [
  'id',
  'sourceKey',
  'format',
  'title',
  'authors',
  'publishedAt',
  'imageCredit',
  'url',
  'site',
  'language',
  'tags',
  'excerpt',
  'wordCount',
  'readingTimeMinutes',
  'contentHash',
  'sourceBytes',
  'encoding',
  'schemaVersion',
  'ingestedAt',
  'state',
] as const;

/** Attributes the `failures` index projects. */
export const FAILURE_ATTRIBUTES = ['id', 'sourceKey', 'code', 'message', 'failedAt', 'sequencer', 'state'] as const;

/**
 * The table definition, exactly as infra defines it (on-demand, four GSIs). TTL on
 * {@link TTL_ATTRIBUTE} is a separate call (`UpdateTimeToLive`), which dynalite lacks.
 *
 * @example
 * await dynamodb.send(new CreateTableCommand(createTableInput('documents')));
 */
export function createTableInput(tableName: string): CreateTableCommandInput & { TableName: string } {
  const include = (attributes: readonly string[]) => ({
    ProjectionType: 'INCLUDE' as const,
    NonKeyAttributes: [...attributes],
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: SORT_KEY, AttributeType: 'S' },
      { AttributeName: 'urlKey', AttributeType: 'S' },
      { AttributeName: 'sortKey', AttributeType: 'S' },
      { AttributeName: 'timelineShard', AttributeType: 'S' },
      { AttributeName: 'siteKey', AttributeType: 'S' },
      { AttributeName: 'failureShard', AttributeType: 'S' },
      { AttributeName: 'failedSortKey', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: INDEX_BY_URL,
        KeySchema: [
          { AttributeName: 'urlKey', KeyType: 'HASH' },
          { AttributeName: 'sortKey', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: INDEX_TIMELINE,
        KeySchema: [
          { AttributeName: 'timelineShard', KeyType: 'HASH' },
          { AttributeName: 'sortKey', KeyType: 'RANGE' },
        ],
        Projection: include(SUMMARY_ATTRIBUTES),
      },
      {
        IndexName: INDEX_BY_SITE,
        KeySchema: [
          { AttributeName: 'siteKey', KeyType: 'HASH' },
          { AttributeName: 'sortKey', KeyType: 'RANGE' },
        ],
        Projection: include(SUMMARY_ATTRIBUTES),
      },
      {
        IndexName: INDEX_FAILURES,
        KeySchema: [
          { AttributeName: 'failureShard', KeyType: 'HASH' },
          { AttributeName: 'failedSortKey', KeyType: 'RANGE' },
        ],
        Projection: include(FAILURE_ATTRIBUTES),
      },
    ],
  };
}

// ---- key formats -------------------------------------------------------------------------

/** Sort key of every object-state item. */
export const DOC_SK = 'DOC';

/** Partition key of the object-state item of a document id. */
export function documentPk(id: string): string {
  return `DOC#${id}`;
}

/**
 * Position of a document in every newest-first listing: `1#<publishedAt>#<id>` when dated,
 * `0#<id>` when not, so a descending query returns undated documents last and a date range
 * is one `BETWEEN`.
 *
 * @example
 * documentSortKey('2019-11-04', 'd1') // '1#2019-11-04#d1'
 * documentSortKey(null, 'd2')         // '0#d2'
 */
export function documentSortKey(publishedAt: string | null, id: string): string {
  return publishedAt === null ? `0#${id}` : `1#${publishedAt}#${id}`;
}

/**
 * A stable shard number in `[0, SHARDS)` for a document id (32-bit FNV-1a). Stable across
 * runtimes and releases: the shard is part of stored keys.
 */
export function shardOf(id: string, shards: number = SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

export function timelineShardKey(shard: number): string {
  return `T#${shard}`;
}

export function failureShardKey(shard: number): string {
  return `F#${shard}`;
}

/** The form a site is stored and queried in: lower-case host without `www.`. */
export function normalizeSite(site: string): string {
  const host = site.trim().toLowerCase();
  return host.startsWith('www.') ? host.slice(4) : host;
}

export function siteKey(site: string): string {
  return `SITE#${normalizeSite(site)}`;
}

export function urlKey(canonicalUrl: string): string {
  return `URL#${canonicalUrl}`;
}

/**
 * The form an author name is indexed and queried in: NFKC, lower-case, runs of white space
 * collapsed to one space, trimmed. "Ｊane  DOE" and "jane doe" are the same author.
 *
 * @example
 * normalizeAuthor('  Jane\u00a0 DOE ') // 'jane doe'
 */
export function normalizeAuthor(author: string): string {
  return author.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Partition key of the index entries of one author. */
export function authorPk(author: string): string {
  return `AUTHOR#${normalizeAuthor(author)}`;
}

/** The distinct, non-empty normalized authors of a document. */
export function authorKeysOf(authors: readonly string[]): string[] {
  return [...new Set(authors.map(normalizeAuthor).filter((author) => author !== ''))];
}
