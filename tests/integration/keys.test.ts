// Random keys of 1 to 1,024 UTF-8 bytes through the whole embedded pipeline: upload -> S3 event
// (the key encoded as S3 encodes it) -> queue -> parser -> table -> the read API with that exact
// `sourceKey` -> listed under its prefix -> deleted -> 404. The keys mix what S3 accepts and a
// store that names files after keys would not: segments of up to 1,024 bytes, `.`, `..` and
// empty segments, leading and trailing `/`, NFC and NFD forms of one word, every printable
// ASCII character, control characters, non-Latin scripts and emoji.
import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParserHandler } from '../../functions/parser/parser.ts';
import { localS3Client } from '../../local/emulators.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../local/stack.ts';
import { documentIdForKey } from '../../shared/index.ts';
import { decodeS3EventKey, encodeS3EventKey } from '../../shared/s3-event.ts';
import { anyCodePoint } from '../helpers/unicode.ts';

const MAX_KEY_BYTES = 1024;
const PRINTABLE_ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i));
const CONTROL = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)), '\u007F'];
// Words whose NFC and NFD forms differ.
const COMPOSABLE = ['café', 'Ångström', 'naïve', 'Ἀθῆναι', '한국어', 'Dvořák'];

/** The longest start of `text` that fits in `limit` UTF-8 bytes, cut between code points. */
function truncateUtf8(text: string, limit: number): string {
  let bytes = 0;
  let out = '';
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > limit) break;
    out += char;
  }
  return out;
}

const segment = fc.oneof(
  fc.constantFrom('.', '..', ''),
  fc.string({ unit: fc.constantFrom(...PRINTABLE_ASCII), minLength: 1, maxLength: 24 }),
  fc.string({ unit: fc.constantFrom(...CONTROL), minLength: 1, maxLength: 4 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
  fc.string({ unit: anyCodePoint, minLength: 1, maxLength: 8 }),
  fc.tuple(fc.constantFrom(...COMPOSABLE), fc.constantFrom<'NFC' | 'NFD'>('NFC', 'NFD')).map(([word, form]) => word.normalize(form)),
  // Long segments, up to the whole key: past the 255-byte limit of a file name.
  fc.tuple(fc.constantFrom('k', 'é', '漢', '🙂'), fc.integer({ min: 200, max: MAX_KEY_BYTES })).map(([char, bytes]) => char.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(char))))),
);

const keyArbitrary = fc
  .record({ leading: fc.boolean(), segments: fc.array(segment, { minLength: 1, maxLength: 6 }), trailing: fc.boolean() })
  .map(({ leading, segments, trailing }) => truncateUtf8(`${leading ? '/' : ''}${segments.join('/')}${trailing ? '/' : ''}`, MAX_KEY_BYTES))
  .filter((key) => key.length > 0);

/** A run's keys: each with its other normalisation form beside it when that differs and fits. */
const keysArbitrary = fc.uniqueArray(keyArbitrary, { minLength: 1, maxLength: 4 }).map((keys) => {
  const all = new Set<string>();
  for (const key of keys) {
    for (const form of [key, key.normalize('NFC'), key.normalize('NFD')]) if (Buffer.byteLength(form) <= MAX_KEY_BYTES) all.add(form);
  }
  return [...all];
});

const article = (index: number): string => `## Key test ${index}\n\nBy Test Desk\n\nJune 8, 2021\n\nThe body of document ${index}, about keys.`;

describe('any key S3 accepts, through the embedded pipeline', () => {
  let stack: LocalStack;
  let s3: S3Client;
  // The keys of the S3 events the parser was handed, as they arrived (encoded).
  const eventKeys: string[] = [];
  const watch = (handler: ParserHandler): ParserHandler => async (event, context) => {
    for (const record of event.Records) {
      const body = JSON.parse(record.body) as { Records?: Array<{ s3: { object: { key: string } } }> };
      for (const notification of body.Records ?? []) eventKeys.push(notification.s3.object.key);
    }
    return handler(event, context);
  };

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: null, ...FREE_PORTS, visibilityTimeoutMs: 10_000, maxBatchingWindowMs: 10, logLevel: 'SILENT', wrapHandler: watch });
    s3 = localS3Client(stack.s3Endpoint);
  });
  afterAll(async () => {
    s3?.destroy();
    await stack?.stop();
  });

  async function api(path: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(stack.apiUrl + path);
    return { status: response.status, body: await response.json() };
  }

  /** Every failure record the API lists. */
  async function failures(): Promise<Array<{ id: string; key: string }>> {
    const all: Array<{ id: string; key: string }> = [];
    let cursor: string | null = null;
    do {
      const { body } = await api(`/failures?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const page = body as { items: Array<{ id: string; key: string }>; nextCursor: string | null };
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  /** The keys listed under a prefix with a delimiter, decoded from `encoding-type=url`. */
  async function listed(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix, Delimiter: '/', EncodingType: 'url', ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((object) => decodeS3EventKey(object.Key!)));
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  }

  let uploads = 0;

  it('uploads, reads back by its exact sourceKey, lists under its prefix, and deletes to a 404', async () => {
    await fc.assert(
      fc.asyncProperty(keysArbitrary, async (keys) => {
        eventKeys.length = 0;
        for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: article(uploads++), ContentType: 'text/plain' }));
        await stack.drained(30_000);
        expect(eventKeys).toEqual(expect.arrayContaining(keys.map(encodeS3EventKey)));

        const failed = new Map((await failures()).map((failure) => [failure.id, failure.key]));
        for (const key of keys) {
          const id = documentIdForKey(key);
          const { status, body } = await api(`/documents/${id}`);
          // A document, or (when the key's extension names another format) a failure record.
          if (status === 200) expect((body as { sourceKey: string }).sourceKey).toBe(key);
          else expect(failed.get(id), JSON.stringify(key)).toBe(key);
          expect(await listed(key.slice(0, key.lastIndexOf('/') + 1))).toContain(key);
        }

        eventKeys.length = 0;
        const [first, ...rest] = keys;
        await s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: first }));
        if (rest.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: stack.bucket, Delete: { Objects: rest.map((Key) => ({ Key })) } }));
        await stack.drained(30_000);
        expect(eventKeys).toEqual(expect.arrayContaining(keys.map(encodeS3EventKey)));
        const stillFailed = new Set((await failures()).map((failure) => failure.id));
        for (const key of keys) {
          expect((await api(`/documents/${documentIdForKey(key)}`)).status, JSON.stringify(key)).toBe(404);
          expect(stillFailed.has(documentIdForKey(key))).toBe(false);
          expect(await listed(key.slice(0, key.lastIndexOf('/') + 1))).not.toContain(key);
        }
      }),
      {
        numRuns: 25,
        examples: [
          [[`h/long-${'k'.repeat(1000)}.txt`]],
          [[PRINTABLE_ASCII.join(''), `../../${'é'.repeat(509)}`]],
          [['café.txt'.normalize('NFC'), 'café.txt'.normalize('NFD'), '/./../a//b/', `ctl${CONTROL.join('')}`]],
        ],
      },
    );
  }, 300_000);
});
