import { DeleteObjectCommand, DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParserHandler } from '../../functions/parser/parser.ts';
import { localS3Client } from '../../local/emulators.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../local/stack.ts';
import { documentIdForKey } from '../../shared/index.ts';

const FAST = { ...FREE_PORTS, visibilityTimeoutMs: 100, maxBatchingWindowMs: 20, logLevel: 'SILENT' as const };
const article = (title: string): string => `## ${title}\n\nBy Test Desk\n\nJune 8, 2021\n\nThe body of ${title}.\n\n## Original url:\n\nhttps://example.com/${encodeURIComponent(title)}`;

describe('embedded stack', () => {
  let stack: LocalStack;
  // Faults to inject into the parser handler, by key substring: throw this many more times.
  const faults = new Map<string, number>();
  const withFaults = (handler: ParserHandler): ParserHandler => async (event, context) => {
    for (const record of event.Records) {
      for (const [needle, left] of faults) {
        if (left > 0 && record.body.includes(needle)) {
          faults.set(needle, left - 1);
          throw new Error(`injected fault for ${needle}`);
        }
      }
    }
    return handler(event, context);
  };

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: null, ...FAST, maxReceiveCount: 3, wrapHandler: withFaults });
  });
  afterAll(() => stack?.stop());

  const put = (key: string, body: string) => localS3Client(stack.s3Endpoint).send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));

  it('turns uploads with awkward keys into documents', async () => {
    const keys = ['plain.txt', 'with space/and+plus.txt', 'percent%20literal.txt', 'unicode/Привет мир ✓.txt', 'a/b/c/d/deep.txt'];
    for (const key of keys) await put(key, article(key));
    await stack.drained(20_000);
    for (const key of keys) {
      const doc = await stack.store.getDocument(documentIdForKey(key));
      expect(doc, key).toMatchObject({ sourceKey: key, title: key, authors: ['Test Desk'] });
    }
  });

  it('removes documents on delete, one by one and in a multi-object delete', async () => {
    const s3 = localS3Client(stack.s3Endpoint);
    for (const key of ['gone/one.txt', 'gone/two.txt', 'gone/three.txt']) await put(key, article(key));
    await stack.drained(20_000);
    await s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: 'gone/one.txt' }));
    await s3.send(new DeleteObjectsCommand({ Bucket: stack.bucket, Delete: { Objects: [{ Key: 'gone/two.txt' }, { Key: 'gone/three.txt' }] } }));
    await stack.drained(20_000);
    for (const key of ['gone/one.txt', 'gone/two.txt', 'gone/three.txt']) {
      expect(await stack.store.getDocument(documentIdForKey(key)), key).toBeNull();
    }
  });

  it('records a failure for a bad document, and a good re-upload clears it', async () => {
    await put('bad/empty.txt', '');
    await stack.drained(20_000);
    const failures = await stack.store.listFailures({ limit: 100 });
    expect(failures.items).toContainEqual(expect.objectContaining({ sourceKey: 'bad/empty.txt', code: 'empty' }));
    await put('bad/empty.txt', article('Fixed'));
    await stack.drained(20_000);
    expect((await stack.store.listFailures({ limit: 100 })).items.map((f) => f.sourceKey)).not.toContain('bad/empty.txt');
    expect(await stack.store.getDocument(documentIdForKey('bad/empty.txt'))).toMatchObject({ title: 'Fixed' });
  });

  it('retries transient faults until the document lands', async () => {
    faults.set('flaky.txt', 2);
    await put('flaky.txt', article('Flaky'));
    await stack.drained(20_000);
    expect(faults.get('flaky.txt')).toBe(0);
    expect(await stack.store.getDocument(documentIdForKey('flaky.txt'))).toMatchObject({ title: 'Flaky' });
  });

  it('dead-letters a message after maxReceiveCount failures, and redrive replays it', async () => {
    faults.set('poison.txt', 3);
    await put('poison.txt', article('Poison'));
    await stack.drained(20_000);
    expect(stack.queue.depth().dead).toBe(1);
    expect(await stack.store.getDocument(documentIdForKey('poison.txt'))).toBeNull();
    const response = await fetch(`${stack.controlUrl}/queues/dead-letter/redrive`, { method: 'POST' });
    expect(await response.json()).toEqual({ moved: 1 });
    await stack.drained(20_000);
    expect(stack.queue.depth().dead).toBe(0);
    expect(await stack.store.getDocument(documentIdForKey('poison.txt'))).toMatchObject({ title: 'Poison' });
  });

  it('reprocesses every object under a prefix through the parser again', async () => {
    await put('again/x.txt', article('Again'));
    await stack.drained(20_000);
    const before = await stack.store.getDocument(documentIdForKey('again/x.txt'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const response = await fetch(`${stack.controlUrl}/reprocess?prefix=again/`, { method: 'POST' });
    expect(await response.json()).toEqual({ queued: 1 });
    await stack.drained(20_000);
    const after = await stack.store.getDocument(documentIdForKey('again/x.txt'));
    expect(after?.title).toBe('Again');
    expect(after!.ingestedAt > before!.ingestedAt).toBe(true);
  });
});

describe('embedded stack on disk', () => {
  it('keeps documents and writes an outputs file across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ingest-data-'));
    const first = await startLocalStack({ dataDir, ...FAST });
    try {
      await localS3Client(first.s3Endpoint).send(new PutObjectCommand({ Bucket: first.bucket, Key: 'kept.txt', Body: article('Kept') }));
      await first.drained(20_000);
    } finally {
      await first.stop();
    }
    const outputs = JSON.parse(readFileSync(join(dataDir, 'outputs.json'), 'utf8'));
    expect(outputs['Docflow-local']).toMatchObject({ BucketName: 'documents', TableName: 'documents', ApiUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });

    const second = await startLocalStack({ dataDir, ...FAST });
    try {
      expect(await second.store.getDocument(documentIdForKey('kept.txt'))).toMatchObject({ title: 'Kept' });
    } finally {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
