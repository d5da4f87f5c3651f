// The store's read patterns against dynalite: newest first across 8 shards, undated last, by
// site, by author, by date range, failures, and cursor pagination without duplicates or gaps.
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BodyStore } from '../../shared/bodies.ts';
import type { NormalizedDocument } from '../../shared/document.ts';
import {
  createDynamoStore,
  INDEX_TIMELINE,
  itemSize,
  shardOf,
  SHARDS,
  type DocumentStore,
  type ListDocumentsQuery,
  type ObjectEvent,
  type StoredSummary,
} from '../../shared/store/index.ts';
import { startEmulators, type Emulators } from '../helpers/emulators.ts';
import { syntheticDocument } from './support.ts';

let emulators: Emulators;
let store: DocumentStore;
let now = Date.parse('2024-06-01T00:00:00.000Z');
const TABLE = 'listings';

function event(id: string, sequencer = '01'): ObjectEvent {
  return { bucket: 'documents', key: `docs/${id}.json`, sequencer, eventTime: '2024-06-01T00:00:00.000Z', eventId: `e-${id}-${sequencer}` };
}

// 40 documents: dated over three years (several per day, some with full timestamps), 6 undated,
// two sites, authors overlapping so that some documents have two or three.
const documents: NormalizedDocument[] = Array.from({ length: 40 }, (_, i) => {
  const id = `doc${String(i).padStart(2, '0')}`;
  const dated = i % 7 !== 3;
  const day = String(1 + (i % 28)).padStart(2, '0');
  const month = String(1 + (i % 12)).padStart(2, '0');
  const year = 2021 + (i % 3);
  const publishedAt = !dated ? null : i % 5 === 0 ? `${year}-${month}-${day}T0${i % 10}:30:00Z` : `${year}-${month}-${day}`;
  const site = i % 2 === 0 ? 'even.example' : 'odd.example';
  const authors = [['Ana Lima'], ['Ana Lima', 'Bo Chen'], ['Bo Chen', 'Cy Dee', 'Ana Lima'], []][i % 4]!;
  return syntheticDocument({ id, publishedAt, site, url: `https://${site}/${id}`, authors });
});

/** The reference order: dated newest first (by sort key, as stored), then undated. */
function expected(filter: (document: NormalizedDocument) => boolean): string[] {
  const key = (d: NormalizedDocument) => (d.publishedAt === null ? `0#${d.id}` : `1#${d.publishedAt}#${d.id}`);
  return documents
    .filter(filter)
    .sort((a, b) => (key(a) < key(b) ? 1 : -1))
    .map((d) => d.id);
}

async function listAll(query: Omit<ListDocumentsQuery, 'after'>): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: { items: StoredSummary[]; next: string | null } = await store.listDocuments({ ...query, after });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    ids.push(...page.items.map((item) => item.id));
    if (page.next === null) return ids;
    expect(page.items).toHaveLength(query.limit);
    after = page.next;
  }
  throw new Error('Pagination did not end.');
}

beforeAll(async () => {
  emulators = await startEmulators();
  await emulators.createTable(TABLE);
  const s3 = emulators.s3Client();
  store = createDynamoStore({
    client: emulators.dynamodbClient(),
    tableName: TABLE,
    bodies: createS3BodyStore({ s3, bucket: emulators.bodiesBucket }),
    clock: () => new Date((now += 1000)),
  });
  for (const document of documents) await store.putDocument(document, event(document.id));
});

afterAll(async () => {
  await emulators?.stop();
});

describe('listing documents', () => {
  it('spreads documents over every timeline shard', () => {
    expect(new Set(documents.map((d) => shardOf(d.id))).size).toBe(SHARDS);
  });

  it('lists newest first across all shards, undated last', async () => {
    const page = await store.listDocuments({ limit: 1000 });
    expect(page.items.map((item) => item.id)).toEqual(expected(() => true));
    expect(page.next).toBeNull();
    expect(page.items.at(-1)?.publishedAt).toBeNull();
    expect(page.items[0]).not.toHaveProperty('body');
    expect(page.items[0]).toHaveProperty('ingestedAt');
  });

  it.each([1, 3, 7, 39, 40])('pages through the timeline with limit %i without duplicates or gaps', async (limit) => {
    expect(await listAll({ limit })).toEqual(expected(() => true));
  });

  it('lists one site, paged', async () => {
    expect(await listAll({ site: 'even.example', limit: 4 })).toEqual(expected((d) => d.site === 'even.example'));
    expect(await listAll({ site: 'WWW.Odd.Example', limit: 50 })).toEqual(expected((d) => d.site === 'odd.example'));
    expect((await store.listDocuments({ site: 'nobody.example', limit: 5 })).items).toEqual([]);
  });

  it('lists one author, including documents with several authors, paged', async () => {
    for (const author of ['Ana Lima', 'Bo Chen', 'Cy Dee']) {
      const want = expected((d) => d.authors.includes(author));
      expect(want.length).toBeGreaterThan(0);
      expect(await listAll({ author, limit: 3 })).toEqual(want);
    }
    // Case, compatibility forms and spacing do not matter.
    expect(await listAll({ author: '  ＢＯ   chen ', limit: 100 })).toEqual(expected((d) => d.authors.includes('Bo Chen')));
  });

  it('combines an author with a site', async () => {
    expect(await listAll({ author: 'Ana Lima', site: 'odd.example', limit: 2 })).toEqual(
      expected((d) => d.authors.includes('Ana Lima') && d.site === 'odd.example'),
    );
  });

  it('restricts to a date range, inclusive at both ends, undated excluded', async () => {
    const inRange = (from: string, to: string) => (d: NormalizedDocument) =>
      d.publishedAt !== null && d.publishedAt.slice(0, from.length) >= from && d.publishedAt.slice(0, to.length) <= to;

    expect(await listAll({ from: '2022-03-01', to: '2022-12-31', limit: 2 })).toEqual(expected(inRange('2022-03-01', '2022-12-31')));
    // `to` as a prefix covers the whole month, timestamps included.
    expect(await listAll({ from: '2021', to: '2021-06', limit: 3 })).toEqual(expected(inRange('2021', '2021-06')));
    expect(await listAll({ to: '2021-12-31', limit: 5 })).toEqual(expected(inRange('0000', '2021-12-31')));
    expect(await listAll({ from: '2023-01-01', limit: 5 })).toEqual(expected(inRange('2023-01-01', '9999')));
    expect(await listAll({ site: 'even.example', from: '2022', to: '2022', limit: 2 })).toEqual(
      expected((d) => d.site === 'even.example' && inRange('2022', '2022')(d)),
    );
    expect(await listAll({ author: 'Bo Chen', from: '2022', to: '2023', limit: 2 })).toEqual(
      expected((d) => d.authors.includes('Bo Chen') && inRange('2022', '2023')(d)),
    );
    expect((await store.listDocuments({ from: '2030-01-01', to: '2020-01-01', limit: 5 })).items).toEqual([]);
  });

  it('rejects a page size outside 1 to 1000', async () => {
    await expect(store.listDocuments({ limit: 0 })).rejects.toThrow(RangeError);
    await expect(store.listDocuments({ limit: 1001 })).rejects.toThrow(RangeError);
    await expect(store.listFailures({ limit: 2.5 })).rejects.toThrow(RangeError);
  });
});

describe('reading by id and by URL', () => {
  it('finds documents by URL after canonicalizing it', async () => {
    const found = await store.getDocumentsByUrl('https://even.example/doc10?utm_source=news#top');
    expect(found.map((d) => d.id)).toEqual(['doc10']);
    expect(await store.getDocumentsByUrl('not a url')).toEqual([]);
  });

  it('returns null for an unknown id', async () => {
    expect(await store.getDocument('nope')).toBeNull();
  });

  it('queries the timeline index with summaries only', async () => {
    const client = emulators.dynamodbClient();
    const result = await client.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: INDEX_TIMELINE,
        KeyConditionExpression: 'timelineShard = :s',
        ExpressionAttributeValues: { ':s': { S: 'T#0' } },
      }),
    );
    expect(result.Items?.length).toBeGreaterThan(0);
    expect(result.Items?.[0]).not.toHaveProperty('body');
    client.destroy();
  });
});

describe('listing failures', () => {
  it('lists failures newest first, across shards, paged without duplicates or gaps', async () => {
    const ids = Array.from({ length: 17 }, (_, i) => `fail${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      await store.putFailure({ id, code: 'malformed', message: `Bad ${id}.` }, event(id, '02'));
    }
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<DocumentStore['listFailures']>> = await store.listFailures({ limit: 4, after });
      seen.push(...page.items.map((failure) => failure.id));
      after = page.next;
    } while (after !== null);
    expect(seen).toEqual([...ids].reverse());

    const [newest] = (await store.listFailures({ limit: 1 })).items;
    expect(newest).toEqual({
      id: 'fail16',
      sourceKey: 'docs/fail16.json',
      code: 'malformed',
      message: 'Bad fail16.',
      failedAt: expect.stringMatching(/^2024-06-01T/),
      sequencer: '02'.padStart(32, '0'),
    });
  });
});

describe('item size', () => {
  it('counts names and UTF-8 values as DynamoDB does', () => {
    expect(itemSize({ pk: 'DOC#d1', n: 12345 })).toBe(13);
    expect(itemSize({ é: 'ü' })).toBe(4);
    expect(itemSize({ list: ['ab', null, true] })).toBe(4 + 3 + (1 + 2) + (1 + 1) + (1 + 1));
  });
});
