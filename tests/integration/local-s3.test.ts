// The embedded S3 (local/emulators.ts: s3rver over local/s3-store.ts, behind local/s3-front.ts)
// against the SDK and raw HTTP: objects are stored exactly, every key S3 accepts round-trips,
// keys S3 refuses get S3's error and store nothing, listings and multi-object deletes behave as
// S3's, and data kept in s3rver's own layout opens after an upgrade.
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client, startLocalS3, temporaryFolder, type EmulatorS3Event, type LocalServer } from '../../local/emulators.ts';
import { keyHash } from '../../local/s3-store.ts';
import { decodeS3EventKey } from '../../shared/s3-event.ts';

const require = createRequire(import.meta.url);

let server: LocalServer;
let s3: S3Client;
let directory: string;
const events: EmulatorS3Event[] = [];
const BUCKET = 'documents';

beforeAll(async () => {
  directory = await temporaryFolder('local-s3-test-');
  server = await startLocalS3({ port: 0, directory, buckets: [BUCKET], onEvent: (event) => events.push(event) });
  s3 = localS3Client(server.endpoint);
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
  await rm(directory, { recursive: true, force: true });
});

const md5 = (bytes: Uint8Array | string): string => createHash('md5').update(bytes).digest('hex');

/** Every file under a folder, as paths relative to it. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1));
}

/** The keys of a listing with `encoding-type=url`, decoded as the aws CLI decodes them. */
async function listedKeys(prefix: string, delimiter?: string): Promise<{ keys: string[]; prefixes: string[] }> {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, EncodingType: 'url', ContinuationToken: token, ...(delimiter ? { Delimiter: delimiter } : {}) }),
    );
    keys.push(...(page.Contents ?? []).map((object) => decodeS3EventKey(object.Key!)));
    prefixes.push(...(page.CommonPrefixes ?? []).map((common) => decodeS3EventKey(common.Prefix!)));
    token = page.NextContinuationToken;
  } while (token);
  return { keys, prefixes };
}

/** A request the SDK would not send: raw path, raw body. */
async function raw(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(server.endpoint + path, { method, ...(body === undefined ? {} : { body }) });
  return { status: response.status, text: await response.text() };
}

async function errorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(S3ServiceException);
  return error as S3ServiceException;
}

describe('embedded S3 objects', () => {
  it.each([
    ['a small object', 'nested dir/ünï code+%.txt', 2_000],
    ['an empty object', 'empty.txt', 0],
    ['a larger object', 'big/large.bin', (2 << 20) + 17],
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

  it('serves byte ranges', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Body: '0123456789' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=2-5' }));
    expect(await got.Body!.transformToString()).toBe('2345');
    expect(got.ContentRange).toBe('bytes 2-5/10');
  });

  it('keeps an object as a record named by the SHA-256 of its key, beside its body', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta.txt', Body: 'x', ContentType: 'text/markdown', Metadata: { a: '1', b: '2' } }));
    const hash = keyHash('meta.txt');
    const record = JSON.parse(readFileSync(join(directory, BUCKET, '.objects', `${hash}.json`), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ key: 'meta.txt', size: 1, md5: md5('x'), metadata: { 'content-type': 'text/markdown', 'x-amz-meta-a': '1', 'x-amz-meta-b': '2' } });
    expect(readFileSync(join(directory, BUCKET, '.objects', `${hash}.${md5('x')}.body`), 'utf8')).toBe('x');
  });

  it('replaces an object in place, leaving one body', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'again.txt', Body: 'first version' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'again.txt', Body: 'second' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'again.txt' }));
    expect(await got.Body!.transformToString()).toBe('second');
    expect(got.ETag).toBe(`"${md5('second')}"`);
    expect(filesUnder(join(directory, BUCKET, '.objects')).filter((name) => name.startsWith(keyHash('again.txt')))).toHaveLength(2);
  });

  it('assembles a multipart upload', async () => {
    const key = 'multi/part//upload.bin';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'application/octet-stream' }));
    const parts = [randomBytes(5 << 20), randomBytes(1_000)];
    const etags = [];
    for (const [index, part] of parts.entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: part }));
      etags.push({ ETag, PartNumber: index + 1 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: etags } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
  });
});

// Keys that a store naming files after keys cannot keep, or keeps as another key.
const AWKWARD_KEYS = [
  `h/long-${'k'.repeat(1000)}.txt`,
  `${'x'.repeat(1022)}é`,
  'é'.repeat(512),
  '.',
  '..',
  './dot.txt',
  '../up.txt',
  '../../../../../../outside.txt',
  'a/./b/../c.txt',
  'a//b.txt',
  '//',
  '/',
  '/leading.txt',
  'trailing/',
  'trailing',
  'café.txt'.normalize('NFC'),
  'café.txt'.normalize('NFD'),
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join(''),
  'control\u0001\u0007\u0008\t\n\u000B\u000C\r\u001B\u007F.txt',
  '\u0000nul',
  ' spaces ',
  '\r\n',
  'Привет/مرحبا/שלום/你好/こんにちは/🙂👩‍👩‍👧/\u{10FFFF}',
  '\uFFFD\uFFFE\uFFFF',
];

describe('embedded S3 keys', () => {
  it.each(AWKWARD_KEYS.map((key) => [JSON.stringify(key).slice(0, 60), key]))('round-trips %s', async (_label, key) => {
    const body = `body of ${JSON.stringify(key)}`;
    events.length = 0;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    expect(events).toMatchObject([{ eventName: 'ObjectCreated:Put', key, eTag: md5(body) }]);

    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await got.Body!.transformToString()).toBe(body);
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength).toBe(Buffer.byteLength(body));

    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    const listed = await listedKeys(folder, '/');
    expect(listed.keys).toContain(key);
    expect((await listedKeys(key)).keys).toContain(key);

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(events.at(-1)).toMatchObject({ eventName: 'ObjectRemoved:Delete', key });
    const gone = await errorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));
    expect(gone.name).toBe('NoSuchKey');
    expect((await listedKeys(key)).keys).not.toContain(key);
  });

  it('keeps every file inside the bucket folder, and NFC and NFD keys apart', async () => {
    for (const key of AWKWARD_KEYS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    const outside = filesUnder(directory).filter((path) => !path.startsWith(`${BUCKET}/.objects/`));
    expect(outside).toEqual([]);
    const nfc = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'café.txt'.normalize('NFC') }));
    const nfd = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'café.txt'.normalize('NFD') }));
    expect([await nfc.Body!.transformToString(), await nfd.Body!.transformToString()]).toEqual(['café.txt'.normalize('NFC'), 'café.txt'.normalize('NFD')]);
    const { Deleted } = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: AWKWARD_KEYS.map((Key) => ({ Key })) } }));
    // The SDK's XML reader (not the server) reads a blank value holding a line break as empty.
    expect(Deleted?.map((deleted) => deleted.Key)).toEqual(AWKWARD_KEYS.map((key) => (/^\s*\n\s*$/.test(key.replace(/\r/g, '\n')) ? '' : key)));
    for (const key of AWKWARD_KEYS) expect((await errorOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).name).toBe('NotFound');
  });

  it('refuses a key over 1,024 bytes with KeyTooLongError, and stores nothing', async () => {
    const before = filesUnder(directory).length;
    events.length = 0;
    const error = await errorOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `h/${'k'.repeat(1023)}`, Body: 'x' })));
    expect(error.name).toBe('KeyTooLongError');
    expect(error.$metadata.httpStatusCode).toBe(400);
    const { status, text } = await raw('PUT', `/${BUCKET}/${'%C3%A9'.repeat(513)}`, 'x');
    expect(status).toBe(400);
    expect(text).toContain('<Code>KeyTooLongError</Code><Message>Your key is too long</Message><Size>1026</Size><MaxSizeAllowed>1024</MaxSizeAllowed>');
    expect(filesUnder(directory)).toHaveLength(before);
    expect(events).toEqual([]);
  });

  it.each([
    ['a byte that starts no UTF-8 character', '/bad%FFkey'],
    ['a cut-off UTF-8 sequence', '/bad%C3'],
    ['an encoded surrogate', '/bad%ED%A0%80'],
    ['an overlong encoding', '/bad%C0%AF'],
    ['a malformed escape', '/bad%G1'],
  ])('refuses %s with InvalidURI, and stores nothing', async (_label, suffix) => {
    const before = filesUnder(directory).length;
    const { status, text } = await raw('PUT', `/${BUCKET}${suffix}`, 'x');
    expect(status).toBe(400);
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>InvalidURI<\/Code><Message>Couldn&apos;t parse the specified URI.<\/Message><URI>/);
    expect(filesUnder(directory)).toHaveLength(before);
  });
});

describe('embedded S3 bucket names', () => {
  it.each([
    ['a listing', 'GET', '/..%2F..%2F..%2Ftmp?list-type=2'],
    ['an object write', 'PUT', '/..%2F..%2Fescaped/key.txt'],
    ['an object write into another bucket\'s folder', 'PUT', `/${BUCKET}%2F.objects/key.txt`],
    ['a multi-object delete', 'POST', '/x%2F..%2F..?delete'],
  ])('refuses a name that is no bucket name in %s with InvalidBucketName, writing nothing', async (_label, method, path) => {
    const before = filesUnder(directory);
    const { status, text } = await raw(method, path, method === 'GET' ? undefined : '<Delete><Object><Key>k</Key></Object></Delete>');
    expect(status).toBe(400);
    expect(text).toContain('<Code>InvalidBucketName</Code>');
    expect(filesUnder(directory)).toEqual(before);
  });
});

describe('embedded S3 listings', () => {
  const KEYS = ['list/a', 'list/b/1', 'list/b/2', 'list/c', 'list/\uFFFD', 'list/\u{1F600}', 'list/d/', 'list/d/x', 'list/e\u0001'];

  beforeAll(async () => {
    for (const key of KEYS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
  });

  it('lists in UTF-8 byte order, U+FFFD before U+1F600', async () => {
    const { keys } = await listedKeys('list/');
    expect(keys).toEqual([...KEYS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect(keys.indexOf('list/\uFFFD')).toBeLessThan(keys.indexOf('list/\u{1F600}'));
  });

  it('rolls keys up into common prefixes at the delimiter', async () => {
    expect(await listedKeys('list/', '/')).toEqual({ keys: ['list/a', 'list/c', 'list/e\u0001', 'list/\uFFFD', 'list/\u{1F600}'], prefixes: ['list/b/', 'list/d/'] });
  });

  it('pages with max-keys, counting common prefixes, and resumes after a common prefix', async () => {
    const pages: Array<Array<string | undefined>> = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', Delimiter: '/', MaxKeys: 2, ContinuationToken: token }));
      expect(page.KeyCount).toBe((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0));
      pages.push([...(page.Contents ?? []).map((object) => object.Key), ...(page.CommonPrefixes ?? []).map((common) => common.Prefix)]);
      token = page.NextContinuationToken;
    } while (token);
    expect(pages).toEqual([['list/a', 'list/b/'], ['list/c', 'list/d/'], ['list/e\u0001', 'list/\uFFFD'], ['list/\u{1F600}']]);
  });

  it('writes control characters as character references without encoding-type', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/e' }));
    expect(page.Contents?.map((object) => object.Key)).toEqual(['list/e\u0001']);
    expect((await raw('GET', `/${BUCKET}?list-type=2&prefix=list%2Fe`)).text).toContain('<Key>list/e&#x1;</Key>');
  });

  it('encodes keys as S3 does with encoding-type=url, and says so', async () => {
    const { text } = await raw('GET', `/${BUCKET}?list-type=2&prefix=list%2Fe&encoding-type=url`);
    expect(text).toContain('<Key>list/e%01</Key>');
    expect(text).toContain('<EncodingType>url</EncodingType>');
  });

  it('answers a multi-object delete per key, with one ObjectRemoved:Delete event each', async () => {
    events.length = 0;
    const { Deleted } = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: KEYS.map((Key) => ({ Key })) } }));
    expect(Deleted?.map((deleted) => deleted.Key)).toEqual(KEYS);
    expect(events.map((event) => [event.eventName, event.key])).toEqual(KEYS.map((key) => ['ObjectRemoved:Delete', key]));
    expect((await listedKeys('list/')).keys).toEqual([]);
  });

  it('answers a malformed multi-object delete with MalformedXML', async () => {
    const { status, text } = await raw('POST', `/${BUCKET}?delete`, '<Delete><Object><Key>a<b</Key></Object></Delete>');
    expect(status).toBe(400);
    expect(text).toContain('<Code>MalformedXML</Code>');
  });
});

// s3rver's own store and object model, which wrote the data folder before this store did.
type FilesystemStore = new (directory: string) => {
  putBucket(bucket: string): Promise<unknown>;
  putObject(object: unknown): Promise<unknown>;
};
type S3ObjectModel = new (bucket: string, key: string, content: Buffer | NodeJS.ReadableStream, metadata: Record<string, string>) => unknown;

describe('data kept in s3rver’s own layout', () => {
  it('is moved into the key-safe layout on start, and reads as before', async () => {
    const old = await temporaryFolder('local-s3-old-');
    try {
      const OldStore = require('s3rver/lib/stores/filesystem') as FilesystemStore;
      const S3Object = require('s3rver/lib/models/object') as S3ObjectModel;
      const store = new OldStore(old);
      await store.putBucket(BUCKET);
      const keys = ['top.txt', 'deep/er/nested.md', 'folder/', 'ünï code.txt'];
      for (const key of keys) {
        await store.putObject(new S3Object(BUCKET, key, Readable.from([Buffer.from(`old ${key}`)]), { 'content-type': 'text/plain', 'x-amz-meta-origin': 'old' }));
      }
      // What a crash can leave in the new layout: a half-written temporary file, a body no record names.
      await mkdir(join(old, BUCKET, '.objects'), { recursive: true });
      writeFileSync(join(old, BUCKET, '.objects', 'cut-off.tmp'), 'partial');
      writeFileSync(join(old, BUCKET, '.objects', `${keyHash('never')}.${md5('x')}.body`), 'x');

      const upgraded = await startLocalS3({ port: 0, directory: old, buckets: [BUCKET] });
      const client = localS3Client(upgraded.endpoint);
      try {
        for (const key of keys) {
          const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
          expect(await got.Body!.transformToString(), key).toBe(`old ${key}`);
          expect(got).toMatchObject({ ETag: `"${md5(`old ${key}`)}"`, ContentType: 'text/plain', Metadata: { origin: 'old' } });
        }
        const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
        expect(listed.Contents?.map((object) => object.Key)).toEqual([...keys].sort());
        const files = filesUnder(old);
        expect(files.filter((path) => !path.startsWith(`${BUCKET}/.objects/`))).toEqual([]);
        expect(files).toHaveLength(keys.length * 2);
      } finally {
        client.destroy();
        await upgraded.close();
      }
    } finally {
      await rm(old, { recursive: true, force: true });
    }
  });
});
