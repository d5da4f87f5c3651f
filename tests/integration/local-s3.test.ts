// The embedded S3's object writes: small objects take a shorter path than s3rver's streaming
// one (local/emulators.ts); both must store what s3rver itself would, so every read agrees.
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client, memoryTempDir, startLocalS3, type LocalServer } from '../../local/emulators.ts';

let server: LocalServer;
let s3: S3Client;
let directory: string;
const BUCKET = 'documents';

beforeAll(async () => {
  directory = await memoryTempDir('local-s3-test-');
  server = await startLocalS3({ port: 0, directory, buckets: [BUCKET] });
  s3 = localS3Client(server.endpoint);
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

describe('embedded S3 object writes', () => {
  it.each([
    ['a small object (one write)', 'nested dir/ünï code+%.txt', 2_000],
    ['an object at the 1 MiB edge', 'edge.bin', 1 << 20],
    ['a larger object (streamed)', 'big/large.bin', (2 << 20) + 17],
  ])('stores %s exactly: bytes, ETag, content type and user metadata', async (_label, key, size) => {
    const body = randomBytes(size);
    const put = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: 'text/plain; charset=utf-8', Metadata: { origin: 'test' }, CacheControl: 'no-cache' }),
    );
    expect(put.ETag).toBe(`"${md5(body)}"`);

    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(got).toMatchObject({ ETag: `"${md5(body)}"`, ContentType: 'text/plain; charset=utf-8', ContentLength: size, Metadata: { origin: 'test' }, CacheControl: 'no-cache' });

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head).toMatchObject({ ETag: `"${md5(body)}"`, ContentLength: size });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
    expect(listed.Contents?.map((object) => [object.Key, object.Size, object.ETag])).toEqual([[key, size, `"${md5(body)}"`]]);
  });

  it("keeps s3rver's metadata file format: its allowed headers, then x-amz-meta-*", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta.txt', Body: 'x', ContentType: 'text/markdown', Metadata: { a: '1', b: '2' } }));
    const stored = JSON.parse(readFileSync(join(directory, BUCKET, 'meta.txt._S3rver_metadata.json'), 'utf8')) as Record<string, string>;
    expect(stored).toEqual({ 'content-type': 'text/markdown', 'x-amz-meta-a': '1', 'x-amz-meta-b': '2' });
    expect(readFileSync(join(directory, BUCKET, 'meta.txt._S3rver_object.md5'), 'utf8')).toBe(md5(Buffer.from('x')));
  });

  it('replaces an object in place', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'again.txt', Body: 'first version' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'again.txt', Body: 'second' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'again.txt' }));
    expect(await got.Body!.transformToString()).toBe('second');
    expect(got.ETag).toBe(`"${md5(Buffer.from('second'))}"`);
  });
});
