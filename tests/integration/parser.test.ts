// The parser against real emulators: S3 events (built exactly as S3 sends them) through the
// handler into dynalite, with objects in s3rver. Each rule of the reliability contract has a test.
import { Logger } from '@aws-lambda-powertools/logger';
import { ProvisionedThroughputExceededException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BodyStore } from '../../shared/bodies.ts';
import { documentIdForKey } from '../../shared/index.ts';
import { encodeS3EventKey } from '../../shared/s3-event.ts';
import { createDynamoStore, documentPk, type DocumentStore } from '../../shared/store/index.ts';
import { createParser, type ParserHandler } from '../../functions/parser/parser.ts';
import { startEmulators, type Emulators } from '../helpers/emulators.ts';
import { createdBody, jsonDocument, removedBody, sqsEvent, sqsRecord } from './support.ts';

let emulators: Emulators;
let s3: S3Client;
let dynamodb: DynamoDBClient;
let raw: DynamoDBDocumentClient;
let store: DocumentStore;
let handler: ParserHandler;
let bucket: string;
/** When set, the next PutItem of that source key's document item fails with a throttling error. */
let throttleOnce: string | null = null;

const logger = new Logger({ serviceName: 'parser-test', logLevel: 'SILENT' });

beforeAll(async () => {
  emulators = await startEmulators();
  bucket = emulators.documentsBucket;
  s3 = emulators.s3Client();
  dynamodb = emulators.dynamodbClient();
  // A fault no emulator produces: throttling. Added before the SDK's retry step, so the error
  // reaches the parser as it would after the SDK's own retries ran out.
  dynamodb.middlewareStack.add(
    (next) => async (args) => {
      const item = (args.input as { Item?: Record<string, unknown> }).Item;
      if (throttleOnce !== null && item?.sk === 'DOC' && item.sourceKey === throttleOnce) {
        throttleOnce = null;
        throw new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded.',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'throttleOnce' },
  );
  raw = DynamoDBDocumentClient.from(emulators.dynamodbClient());
  store = createDynamoStore({
    client: dynamodb,
    tableName: emulators.tableName,
    bodies: createS3BodyStore({ s3, bucket: emulators.bodiesBucket }),
  });
  handler = createParser({ s3, store, logger, config: { maxDocumentBytes: 1024 * 1024 } });
});

afterAll(async () => {
  await emulators?.stop();
});

// ---- helpers ------------------------------------------------------------------------------

let uniques = 0;
/** A name no other test uses, so tests share one table without seeing each other. */
function unique(prefix: string): string {
  uniques += 1;
  return `${prefix}${uniques}${Math.random().toString(36).slice(2, 6)}`;
}

async function upload(key: string, bytes: Uint8Array, contentType = 'application/json'): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }));
}

/** Delivers SQS bodies as one batch; returns the ids of the failed records, by position. */
async function deliver(...bodies: string[]): Promise<number[]> {
  const records = bodies.map(sqsRecord);
  const { batchItemFailures } = await handler(sqsEvent(...records));
  return batchItemFailures.map((failure) => records.findIndex((record) => record.messageId === failure.itemIdentifier));
}

async function stateItem(key: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await raw.send(
    new GetCommand({ TableName: emulators.tableName, Key: { pk: documentPk(documentIdForKey(key)), sk: 'DOC' }, ConsistentRead: true }),
  );
  return Item;
}

async function authorEntries(author: string): Promise<Record<string, unknown>[]> {
  const { Items } = await raw.send(
    new QueryCommand({
      TableName: emulators.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `AUTHOR#${author.toLowerCase()}` },
    }),
  );
  return Items ?? [];
}

async function bodyObjects(id: string): Promise<string[]> {
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: emulators.bodiesBucket, Prefix: `bodies/${id}/` }));
  return (Contents ?? []).map((object) => object.Key ?? '');
}

/** A small article with a unique site, author and URL, so index reads see only this test's data. */
function article(title: string) {
  const site = `${unique('site')}.example`;
  const author = unique('Author ');
  const url = `https://www.${site}/articles/${unique('a')}`;
  return {
    site,
    author,
    url,
    bytes: jsonDocument({ title, authors: [author, 'Shared Desk'], date: '2024-05-01', url, body: `${title}.\n\nSecond paragraph of ${title}.` }),
  };
}

// ---- tests --------------------------------------------------------------------------------

describe('creating documents', () => {
  it('stores an upload as a document readable by id, URL, site and author', async () => {
    const key = `news/${unique('create')} story.json`;
    const { bytes, site, author, url } = article('Harbour reopens');
    await upload(key, bytes);

    expect(await deliver(createdBody(bucket, key, '0A'))).toEqual([]);

    const id = documentIdForKey(key);
    const document = await store.getDocument(id);
    expect(document).toMatchObject({ id, sourceKey: key, title: 'Harbour reopens', site, url, publishedAt: '2024-05-01' });
    expect(document?.body).toContain('Second paragraph of Harbour reopens.');
    expect((await store.getDocumentsByUrl(url)).map((d) => d.id)).toEqual([id]);
    expect((await store.listDocuments({ site, limit: 10 })).items.map((d) => d.id)).toEqual([id]);
    expect((await store.listDocuments({ author, limit: 10 })).items.map((d) => d.id)).toEqual([id]);
  });

  it('applies a re-delivered event once: the stored item does not change at all', async () => {
    const key = `${unique('redeliver')}.json`;
    await upload(key, article('Same event twice').bytes);
    const body = createdBody(bucket, key, '0B');

    await deliver(body);
    const first = await stateItem(key);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await deliver(body)).toEqual([]);

    expect(await stateItem(key)).toEqual(first);
  });

  it('repairs missing author entries on re-delivery and never serves a stale entry', async () => {
    const key = `${unique('repair')}.json`;
    const { bytes, author } = article('Crash between writes');
    await upload(key, bytes);
    const body = createdBody(bucket, key, '0C');
    await deliver(body);
    const id = documentIdForKey(key);
    const [entry] = await authorEntries(author);
    expect(entry).toMatchObject({ id });

    // Simulate a crash after the document write: its author entry is missing.
    await raw.send(new DeleteCommand({ TableName: emulators.tableName, Key: { pk: entry!.pk, sk: entry!.sk } }));
    expect((await store.listDocuments({ author, limit: 5 })).items).toEqual([]);
    await deliver(body);
    expect((await store.listDocuments({ author, limit: 5 })).items.map((d) => d.id)).toEqual([id]);

    // An entry for an author the document does not have (left by an older version) is filtered out.
    const ghost = unique('ghost');
    await raw.send(new PutCommand({ TableName: emulators.tableName, Item: { pk: `AUTHOR#${ghost}`, sk: entry!.sk, id } }));
    expect((await store.listDocuments({ author: ghost, limit: 5 })).items).toEqual([]);
  });
});

describe('ordering by sequencer', () => {
  it('never lets an older create overwrite a newer one', async () => {
    const key = `${unique('order')}.json`;
    await upload(key, jsonDocument({ title: 'Version two', body: 'Newer text.' }));
    await deliver(createdBody(bucket, key, '0000000000000000A2'));

    // The older event is delivered late and (in this simulation) reads older bytes.
    await upload(key, jsonDocument({ title: 'Version one', body: 'Older text.' }));
    expect(await deliver(createdBody(bucket, key, '0000000000000000A1'))).toEqual([]);

    expect((await store.getDocument(documentIdForKey(key)))?.title).toBe('Version two');
  });

  it('compares sequencers as hex numbers of equal length, not as raw strings', async () => {
    const key = `${unique('hexlength')}.json`;
    await upload(key, jsonDocument({ title: 'At 0x100', body: 'Text.' }));
    await deliver(createdBody(bucket, key, '100'));
    await upload(key, jsonDocument({ title: 'At 0xFF', body: 'Text.' }));
    // "FF" > "100" as strings, but 0xFF < 0x100: this event is older and must lose.
    await deliver(createdBody(bucket, key, 'FF'));

    expect((await store.getDocument(documentIdForKey(key)))?.title).toBe('At 0x100');
  });

  it('a delete removes the document and every index entry', async () => {
    const key = `deep/nested/${unique('delete')}.json`;
    const { bytes, site, author, url } = article('To be deleted');
    await upload(key, bytes);
    await deliver(createdBody(bucket, key, '10'));
    const id = documentIdForKey(key);
    expect(await store.getDocument(id)).not.toBeNull();

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect(await deliver(removedBody(bucket, key, '11'))).toEqual([]);

    expect(await store.getDocument(id)).toBeNull();
    expect(await store.getDocumentsByUrl(url)).toEqual([]);
    expect((await store.listDocuments({ site, limit: 10 })).items).toEqual([]);
    expect((await store.listDocuments({ author, limit: 10 })).items).toEqual([]);
    expect(await authorEntries(author)).toEqual([]);
    expect((await store.listDocuments({ author: 'Shared Desk', limit: 1000 })).items.map((d) => d.id)).not.toContain(id);
    const tombstone = await stateItem(key);
    expect(tombstone).toMatchObject({ state: 'deleted', sequencer: '11'.padStart(32, '0') });
    expect(tombstone).not.toHaveProperty('timelineShard');
    expect(tombstone).not.toHaveProperty('siteKey');
    expect(tombstone).not.toHaveProperty('urlKey');
    expect(tombstone?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 14 * 24 * 3600);
  });

  it('ignores an older delete that arrives after a newer create', async () => {
    const key = `${unique('olddelete')}.json`;
    await upload(key, article('Still here').bytes);
    await deliver(createdBody(bucket, key, '20'));
    expect(await deliver(removedBody(bucket, key, '1F'))).toEqual([]);

    expect((await store.getDocument(documentIdForKey(key)))?.title).toBe('Still here');
  });

  it('does not let a late older create resurrect a deleted document', async () => {
    const key = `${unique('resurrect')}.json`;
    const { bytes, site } = article('Deleted for good');
    // The object is still readable, so only the tombstone stands in the way.
    await upload(key, bytes);
    await deliver(createdBody(bucket, key, '30'));
    await deliver(removedBody(bucket, key, '31'));

    expect(await deliver(createdBody(bucket, key, '30'))).toEqual([]);
    expect(await store.getDocument(documentIdForKey(key))).toBeNull();
    expect((await store.listDocuments({ site, limit: 10 })).items).toEqual([]);

    // And the same when the create was never processed before the delete.
    const other = `${unique('resurrect')}.json`;
    await upload(other, bytes);
    await deliver(removedBody(bucket, other, '41'));
    expect(await deliver(createdBody(bucket, other, '40'))).toEqual([]);
    expect(await store.getDocument(documentIdForKey(other))).toBeNull();
  });

  it('treats a different event with an equal sequencer (emulators repeat them) as newer', async () => {
    const key = `${unique('tie')}.json`;
    await upload(key, article('Tied').bytes);
    await deliver(createdBody(bucket, key, '0055AED6DCD90281E5', { requestId: 'PUT1' }));
    await deliver(removedBody(bucket, key, '0055AED6DCD90281E5', { requestId: 'DEL1' }));
    expect(await store.getDocument(documentIdForKey(key))).toBeNull();

    await deliver(createdBody(bucket, key, '0055AED6DCD90281E5', { requestId: 'PUT2' }));
    expect((await store.getDocument(documentIdForKey(key)))?.title).toBe('Tied');
  });

  it('acknowledges a create whose object is already gone, writing nothing', async () => {
    const key = `${unique('gone')}.json`;
    expect(await deliver(createdBody(bucket, key, '50'))).toEqual([]);
    expect(await stateItem(key)).toBeUndefined();
  });

  it('treats DeleteMarkerCreated as a delete and ignores events that change no content', async () => {
    const key = `${unique('marker')}.json`;
    await upload(key, article('Versioned').bytes);
    await deliver(createdBody(bucket, key, '60'));
    expect(await deliver(createdBody(bucket, key, '61', { eventName: 'ObjectTagging:Put' }))).toEqual([]);
    expect((await stateItem(key))?.sequencer).toBe('60'.padStart(32, '0'));

    await deliver(removedBody(bucket, key, '62', { eventName: 'ObjectRemoved:DeleteMarkerCreated' }));
    expect(await store.getDocument(documentIdForKey(key))).toBeNull();
  });
});

describe('bad input and failures', () => {
  it('records a bad document as a failure, acknowledges it, and clears it on a good upload', async () => {
    const key = `${unique('bad')}.json`;
    const id = documentIdForKey(key);
    await upload(key, new Uint8Array(), 'text/plain');
    expect(await deliver(createdBody(bucket, key, '70', { size: 0 }))).toEqual([]);

    const failures = await store.listFailures({ limit: 1000 });
    expect(failures.items.find((failure) => failure.id === id)).toMatchObject({
      id,
      sourceKey: key,
      code: 'empty',
      sequencer: '70'.padStart(32, '0'),
    });
    expect(await store.getDocument(id)).toBeNull();

    await upload(key, article('Fixed').bytes);
    await deliver(createdBody(bucket, key, '71'));
    expect((await store.listFailures({ limit: 1000 })).items.map((failure) => failure.id)).not.toContain(id);
    expect((await store.getDocument(id))?.title).toBe('Fixed');
  });

  it('withdraws a document whose object is replaced by a bad one', async () => {
    const key = `${unique('worse')}.json`;
    const { bytes, author, site } = article('Good first');
    await upload(key, bytes);
    await deliver(createdBody(bucket, key, '80'));
    await upload(key, new TextEncoder().encode('{"title": '));
    await deliver(createdBody(bucket, key, '81'));

    expect(await store.getDocument(documentIdForKey(key))).toBeNull();
    expect((await store.listDocuments({ site, limit: 5 })).items).toEqual([]);
    expect(await authorEntries(author)).toEqual([]);
    const failure = (await store.listFailures({ limit: 1000 })).items.find((f) => f.sourceKey === key);
    expect(failure?.code).toBe('malformed');
  });

  it('turns an object over MAX_DOCUMENT_BYTES into a too_large failure without reading it', async () => {
    const small = createParser({ s3, store, logger, config: { maxDocumentBytes: 1000 } });
    const announced = `${unique('huge')}.json`;
    const understated = `${unique('huge')}.json`;
    const big = jsonDocument({ title: 'Big', body: 'word '.repeat(1000) });
    await upload(understated, big);

    const result = await small(
      sqsEvent(
        // Announced as big and not even uploaded: the size in the event is enough.
        sqsRecord(createdBody(bucket, announced, '90', { size: 5_000_000 })),
        // The event understates the size: the object's Content-Length decides.
        sqsRecord(createdBody(bucket, understated, '90', { size: 10 })),
      ),
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(await stateItem(announced)).toMatchObject({ state: 'failed', code: 'too_large' });
    expect(await stateItem(understated)).toMatchObject({ state: 'failed', code: 'too_large' });
  });

  it('fails only the record whose write was throttled, and the retry succeeds', async () => {
    const good = `${unique('ok')}.json`;
    const throttled = `${unique('throttled')}.json`;
    await upload(good, article('Unaffected').bytes);
    await upload(throttled, article('Throttled once').bytes);
    throttleOnce = throttled;
    const retried = createdBody(bucket, throttled, 'A0');

    expect(await deliver(createdBody(bucket, good, 'A0'), retried)).toEqual([1]);
    expect((await store.getDocument(documentIdForKey(good)))?.title).toBe('Unaffected');
    expect(await stateItem(throttled)).toBeUndefined();

    expect(await deliver(retried)).toEqual([]);
    expect((await store.getDocument(documentIdForKey(throttled)))?.title).toBe('Throttled once');
  });

  it('fails records that are not S3 event notifications, so they reach the dead-letter queue', async () => {
    const key = `${unique('fine')}.json`;
    await upload(key, article('Fine').bytes);
    const failed = await deliver(
      'not json at all',
      JSON.stringify({ hello: 'world' }),
      createdBody(bucket, key, 'B0'),
      JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] }),
      createdBody(bucket, key, 'NOT-HEX'),
    );
    expect(failed).toEqual([0, 1, 3, 4]);
    expect(await store.getDocument(documentIdForKey(key))).not.toBeNull();
  });

  it('acknowledges the s3:TestEvent sent when notifications are configured', async () => {
    const test = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2024-05-01T00:00:00.000Z',
      Bucket: bucket,
      RequestId: 'R',
      HostId: 'H',
    });
    expect(await deliver(test)).toEqual([]);
  });
});

describe('large bodies', () => {
  it('keeps a body over 400 KB in the bodies bucket, serves it in full, and removes superseded ones', async () => {
    const key = `${unique('large')}.json`;
    const id = documentIdForKey(key);
    const paragraph = 'Ünïcödé paragraph with enough words to be a realistic sentence in a long report.';
    const body = Array.from({ length: 6000 }, (_, i) => `${paragraph} ${i}.`).join('\n\n');
    expect(Buffer.byteLength(body)).toBeGreaterThan(400 * 1024);
    await upload(key, jsonDocument({ title: 'Long report', body }));

    await deliver(createdBody(bucket, key, 'C0'));
    const item = await stateItem(key);
    expect(item).not.toHaveProperty('body');
    expect(item?.bodyRef).toMatchObject({ bucket: emulators.bodiesBucket, bytes: Buffer.byteLength(body) });
    expect((await store.getDocument(id))?.body).toBe(body);
    expect(await bodyObjects(id)).toHaveLength(1);

    // A small new version: the body is inline again and the old object is removed.
    await upload(key, jsonDocument({ title: 'Short now', body: 'Short.' }));
    await deliver(createdBody(bucket, key, 'C1'));
    expect((await stateItem(key))?.body).toBe('Short.');
    expect(await bodyObjects(id)).toEqual([]);

    // Large again, then deleted: no body object is left behind.
    await upload(key, jsonDocument({ title: 'Long again', body }));
    await deliver(createdBody(bucket, key, 'C2'));
    expect((await store.getDocument(id))?.body).toBe(body);
    await deliver(removedBody(bucket, key, 'C3'));
    expect(await store.getDocument(id)).toBeNull();
    expect(await bodyObjects(id)).toEqual([]);
  });

  it('reports a body object that disappeared while its item still points at it', async () => {
    const key = `${unique('lost')}.json`;
    const id = documentIdForKey(key);
    await upload(key, jsonDocument({ title: 'Lost body', body: 'x '.repeat(200_000) }));
    await deliver(createdBody(bucket, key, 'E0'));
    const [bodyKey] = await bodyObjects(id);
    await s3.send(new DeleteObjectCommand({ Bucket: emulators.bodiesBucket, Key: bodyKey }));

    await expect(store.getDocument(id)).rejects.toThrow(/missing from the bodies bucket/);
  });
});

describe('object keys', () => {
  const keys = [
    'with space.json',
    'plus+sign.json',
    'percent%20literal%.json',
    'ünïcödé/日本語/emoji-🎉.json',
    'deeply/nested/prefix/a (1) & b=c;d,e@f$g.json',
    "quote'and\"tilde~.json",
    '  leading and trailing spaces  .json',
  ];

  it.each(keys)('round-trips %j through S3 event encoding', async (name) => {
    const key = `${unique('keys')}/${name}`;
    expect(encodeS3EventKey(key)).not.toMatch(/\s/);
    const title = unique('Key ');
    await upload(key, article(title).bytes);

    expect(await deliver(createdBody(bucket, key, 'D0'))).toEqual([]);
    const document = await store.getDocument(documentIdForKey(key));
    expect(document?.sourceKey).toBe(key);
    expect(document?.title).toBe(title);
  });
});
