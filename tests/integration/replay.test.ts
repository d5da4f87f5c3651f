// `ingest reprocess`'s event source against s3rver and dynalite: every object under the prefix
// comes back as an ObjectCreated event at the sequencer of the event that decided its state,
// objects whose item is a tombstone are left to their own queued event, and the object states
// are read in batches across listing pages. Runs on the embedded stack, whose s3rver runs with
// the OpenSSL legacy provider that paginated listings need; the objects go in the bucket that
// sends no notifications, so only this test decides the items' states.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client } from '../../local/emulators.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../local/stack.ts';
import { documentIdForKey } from '../../shared/hash.ts';
import { replayEvents } from '../../shared/replay.ts';
import type { DocumentStore, ObjectEvent } from '../../shared/store/index.ts';
import { syntheticDocument } from './support.ts';

let stack: LocalStack;
let s3: S3Client;
let bucket: string;

function event(key: string, sequencer: string): ObjectEvent {
  return { bucket, key, sequencer, eventTime: '2024-06-01T00:00:00.000Z', eventId: `e-${key}-${sequencer}` };
}

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null, ...FREE_PORTS, logLevel: 'SILENT' });
  bucket = stack.bodiesBucket;
  s3 = localS3Client(stack.s3Endpoint);
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

describe('replayEvents', () => {
  it('replays each object at its stored sequencer, skips tombstones, and reads states in batches', async () => {
    // 1,050 objects: more than one listing page (1,000) and many BatchGetItem chunks (100).
    const keys = Array.from({ length: 1_050 }, (_, i) => `again/${String(i).padStart(4, '0')} file+${i % 3 === 0 ? 'é' : 'x'}.txt`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'text' }))));
    }
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere/x.txt', Body: 'text' }));
    // Every 7th object was ingested at sequencer 0A; every 10th was deleted (tombstone, its
    // re-upload's event still queued); the rest were never seen.
    for (const [i, key] of keys.entries()) {
      const id = documentIdForKey(key);
      if (i % 10 === 0) await stack.store.deleteDocument(id, event(key, '0B'));
      else if (i % 7 === 0) await stack.store.putDocument(syntheticDocument({ id, sourceKey: key }), event(key, '0A'));
    }

    const calls: number[] = [];
    const counted: Pick<DocumentStore, 'getObjectVersions'> = {
      getObjectVersions: (ids) => {
        calls.push(ids.length);
        return stack.store.getObjectVersions(ids);
      },
    };
    const replayed = new Map<string, string>();
    for await (const body of replayEvents({ s3, bucket: bucket, prefix: 'again/', store: counted, region: 'us-east-1' })) {
      const record = (JSON.parse(body) as S3Event).Records[0]!;
      expect(record.eventName).toBe('ObjectCreated:Put');
      replayed.set(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')), record.s3.object.sequencer);
    }

    const expected = new Map(
      keys.flatMap((key, i) => (i % 10 === 0 ? [] : [[key, i % 7 === 0 ? '0A'.padStart(32, '0') : '0'.padStart(32, '0')] as const])),
    );
    expect(replayed.size).toBe(expected.size);
    for (const [key, sequencer] of expected) expect([key, Number.parseInt(replayed.get(key) ?? 'x', 16)]).toEqual([key, Number.parseInt(sequencer, 16)]);
    expect(calls).toEqual([1_000, 50]);
  });
});
