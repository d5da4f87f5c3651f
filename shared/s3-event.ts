import { randomBytes } from 'node:crypto';

/**
 * The two quirks of S3 event notifications that the rest of the code must not know about:
 * object keys arrive URL-encoded with `+` for a space, and `sequencer` values are hex strings
 * of varying length that order the events of one key.
 */

// Characters S3 leaves as they are in an event's object key: the form-encoding
// (application/x-www-form-urlencoded) safe set `A-Z a-z 0-9 - _ . *`, plus `/`, which S3 does
// not escape in practice (minio/minio#11665 compares against real S3 events). Everything else
// becomes %XX of its UTF-8 bytes, and a space becomes `+`. Decoding is the same either way.
const UNENCODED = /[A-Za-z0-9\-_.*/]/;
const utf8 = new TextEncoder();

/**
 * Encodes an object key the way S3 writes it into an event notification: "red flower.jpg"
 * becomes "red+flower.jpg", a literal "+" becomes "%2B". s3rver does not encode keys, so the
 * local runner encodes them with this function and the deployed decoding path runs locally too.
 *
 * @example
 * encodeS3EventKey('news/red flower+1%.txt') // 'news/red+flower%2B1%25.txt'
 */
export function encodeS3EventKey(key: string): string {
  let out = '';
  for (const char of key) {
    if (char === ' ') out += '+';
    else if (UNENCODED.test(char)) out += char;
    else {
      for (const byte of utf8.encode(char)) {
        out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
      }
    }
  }
  return out;
}

/**
 * Decodes an object key from an S3 event notification. Call it once, where the event enters.
 * Throws `URIError` for a malformed escape (no real S3 event has one).
 *
 * @example
 * decodeS3EventKey('news/red+flower%2B1%25.txt') // 'news/red flower+1%.txt'
 */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** Width sequencers are padded to: S3's are 16 to 18 hex digits today. */
export const SEQUENCER_WIDTH = 32;

/**
 * An S3 `sequencer` in the form the table stores: upper-case hex, left-padded with `0` to
 * {@link SEQUENCER_WIDTH} digits, so plain string comparison (which condition expressions use)
 * orders events as S3 intends ("compare as hex of equal length"). Throws `RangeError` when the
 * value is not 1 to 32 hex digits.
 *
 * @example
 * normalizeSequencer('0055aed6dcd90281e5') // '000000000000000055AED6DCD90281E5'
 */
export function normalizeSequencer(raw: string): string {
  if (!/^[0-9A-Fa-f]{1,32}$/.test(raw)) {
    throw new RangeError(`An S3 sequencer must be 1 to ${SEQUENCER_WIDTH} hex digits, got "${raw}".`);
  }
  return raw.toUpperCase().padStart(SEQUENCER_WIDTH, '0');
}

/** Negative, zero or positive as sequencer `a` is older than, the same as, or newer than `b`. */
export function compareSequencers(a: string, b: string): number {
  const x = normalizeSequencer(a);
  const y = normalizeSequencer(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** What {@link s3EventNotification} needs to build one event record. */
export interface S3EventInput {
  bucket: string;
  /** The object key, NOT encoded: the builder encodes it as S3 does. */
  key: string;
  /** e.g. `ObjectCreated:Put`, `ObjectRemoved:Delete`. */
  eventName: string;
  /** Hex; distinct and increasing per key, as S3's are. */
  sequencer: string;
  size?: number;
  eTag?: string;
  /** ISO time. @default now */
  eventTime?: string;
  /** @default a random id */
  requestId?: string;
  /** @default 'us-east-1' */
  region?: string;
}

/**
 * An S3 event notification body (`{ Records: [...] }`) shaped exactly like S3's, with the key
 * encoded as S3 encodes it. For the local runner and for tests, which must not depend on the
 * emulator's own (unencoded, millisecond-sequencer) events.
 *
 * @example
 * const body = JSON.stringify(s3EventNotification({
 *   bucket: 'docs', key: 'a b.txt', eventName: 'ObjectCreated:Put', sequencer: '0A', size: 3,
 * }));
 */
export function s3EventNotification(input: S3EventInput): { Records: [Record<string, unknown>] } {
  const requestId = input.requestId ?? randomBytes(8).toString('hex').toUpperCase();
  const created = input.eventName.startsWith('ObjectCreated:');
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: input.region ?? 'us-east-1',
        eventTime: input.eventTime ?? new Date().toISOString(),
        eventName: input.eventName,
        userIdentity: { principalId: 'AWS:LOCAL' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': requestId, 'x-amz-id-2': `${requestId}/local` },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'documents',
          bucket: {
            name: input.bucket,
            ownerIdentity: { principalId: 'LOCAL' },
            arn: `arn:aws:s3:::${input.bucket}`,
          },
          object: {
            key: encodeS3EventKey(input.key),
            ...(created ? { size: input.size ?? 0, eTag: input.eTag ?? '0'.repeat(32) } : {}),
            sequencer: input.sequencer,
          },
        },
      },
    ],
  };
}
