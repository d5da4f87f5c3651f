import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Signed pagination cursors. A cursor is the store's position (a sort-key string) wrapped so
 * that a client can pass it back but cannot forge, edit or reuse it with other filters:
 *
 * ```
 * base64url( version(1) | mac(32) | fingerprint(8) | position(UTF-8) )
 * mac         = HMAC-SHA256(secret, version | SHA-256(query) | position)
 * fingerprint = first 8 bytes of SHA-256(query)
 * ```
 *
 * `query` is the canonical form of the listing and its filters ({@link queryFingerprint}). The
 * MAC covers the full query hash, so a cursor is only valid for the query that issued it; the
 * short fingerprint rides along only to tell "issued for another query" apart from "tampered
 * with" in the error. Nothing here is secret from the client: a position is a sort key.
 */

const VERSION = 1;
const MAC_BYTES = 32;
const FINGERPRINT_BYTES = 8;
const HEADER_BYTES = 1 + MAC_BYTES + FINGERPRINT_BYTES;
/** Longest cursor accepted, in characters: far above any real one (about 130), cheap to reject. */
export const MAX_CURSOR_LENGTH = 1024;
/** Shortest secret accepted, in characters. */
export const MIN_CURSOR_SECRET_LENGTH = 16;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a cursor was refused. */
export type CursorErrorReason = 'malformed' | 'tampered' | 'other-query';

/** A cursor that cannot be used: not one of ours, altered, or issued for different filters. */
export class CursorError extends Error {
  override readonly name = 'CursorError';
  readonly reason: CursorErrorReason;

  constructor(reason: CursorErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The canonical hash of one listing query, as {@link CursorSigner} binds cursors to it. */
export interface QueryFingerprint {
  /** SHA-256 of the canonical query. */
  readonly digest: Buffer;
}

/**
 * The fingerprint of a listing (`scope`) and its filters. Filters that are `undefined` or
 * `null` are left out, and keys are sorted, so the same query always gives the same value.
 * Pass filters in the normalized form the store queries with (lower-cased site, canonical
 * URL, ...), so that spellings the store treats as equal share cursors.
 *
 * @example
 * queryFingerprint('documents', { site: 'example.com', author: undefined })
 * // equals queryFingerprint('documents', { site: 'example.com' })
 */
export function queryFingerprint(
  scope: string,
  filters: Readonly<Record<string, string | null | undefined>> = {},
): QueryFingerprint {
  const entries = Object.entries(filters)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { digest: createHash('sha256').update(JSON.stringify([scope, entries])).digest() };
}

/** Signs positions into cursors and verifies cursors back into positions. */
export interface CursorSigner {
  /** The cursor for `position` in the listing `query`. */
  sign(position: string, query: QueryFingerprint): string;
  /**
   * The position inside `cursor`, if it was signed with this secret for `query`.
   * @throws {CursorError} otherwise.
   */
  verify(cursor: string, query: QueryFingerprint): string;
}

/**
 * A {@link CursorSigner} with an HMAC-SHA256 key. It signs with `secret` only; after a
 * rotation, `options.previous` keeps the cursors signed with the old secret working until its
 * `until` instant, so that clients in the middle of a listing do not notice. Without it (or
 * after the grace period) such cursors are refused like altered ones.
 *
 * @example
 * const cursors = createCursorSigner(process.env.CURSOR_SECRET!);
 * const query = queryFingerprint('documents', { site: 'example.com' });
 * const cursor = cursors.sign('1#2024-05-01#d0123', query);
 * cursors.verify(cursor, query); // '1#2024-05-01#d0123'
 * cursors.verify(cursor, queryFingerprint('documents', {})); // throws CursorError('other-query')
 */
export function createCursorSigner(secret: string, options: CursorSignerOptions = {}): CursorSigner {
  const key = secretKey(secret);
  const previous = options.previous === undefined ? undefined : { key: secretKey(options.previous.secret), until: options.previous.until.getTime() };
  if (previous !== undefined && Number.isNaN(previous.until)) throw new RangeError('The grace period of the previous cursor secret must end at a valid date.');
  const clock = options.clock ?? Date.now;
  /** Whether the MAC is the current key's, or the previous key's while its grace period lasts. */
  const signedByUs = (sent: Buffer, queryDigest: Buffer, position: Buffer): boolean =>
    timingSafeEqual(sent, mac(key, queryDigest, position)) ||
    (previous !== undefined && clock() < previous.until && timingSafeEqual(sent, mac(previous.key, queryDigest, position)));

  return {
    sign(position, query) {
      const positionBytes = Buffer.from(position, 'utf8');
      const token = Buffer.allocUnsafe(HEADER_BYTES + positionBytes.length);
      token[0] = VERSION;
      mac(key, query.digest, positionBytes).copy(token, 1);
      query.digest.copy(token, 1 + MAC_BYTES, 0, FINGERPRINT_BYTES);
      positionBytes.copy(token, HEADER_BYTES);
      return token.toString('base64url');
    },

    verify(cursor, query) {
      if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) {
        throw new CursorError('malformed', 'The cursor is not one this API issued.');
      }
      const token = Buffer.from(cursor, 'base64url');
      // Node's decoder skips what it cannot read; only a canonical encoding is ours.
      if (token.length < HEADER_BYTES || token[0] !== VERSION || token.toString('base64url') !== cursor) {
        throw new CursorError('malformed', 'The cursor is not one this API issued.');
      }
      const positionBytes = token.subarray(HEADER_BYTES);
      const fingerprint = token.subarray(1 + MAC_BYTES, HEADER_BYTES);
      if (!fingerprint.equals(query.digest.subarray(0, FINGERPRINT_BYTES))) {
        throw new CursorError(
          'other-query',
          'The cursor belongs to a listing with other filters: repeat the filters of the request that returned it, or start without a cursor.',
        );
      }
      if (!signedByUs(token.subarray(1, 1 + MAC_BYTES), query.digest, positionBytes)) {
        throw new CursorError('tampered', 'The cursor has been altered or was signed with another key.');
      }
      try {
        return utf8.decode(positionBytes);
      } catch {
        // Signed by us, so unreachable unless the key leaked; still never trust it blindly.
        throw new CursorError('malformed', 'The cursor is not one this API issued.');
      }
    },
  };
}

/** What a signer accepts besides its own secret. */
export interface CursorSignerOptions {
  /**
   * The secret used before the last rotation: still accepted (never used to sign) until
   * `until`, the end of the grace period.
   */
  readonly previous?: { readonly secret: string; readonly until: Date };
  /** Milliseconds since the epoch, for the grace period. @default Date.now */
  readonly clock?: () => number;
}

function secretKey(secret: string): KeyObject {
  if (secret.length < MIN_CURSOR_SECRET_LENGTH) {
    throw new RangeError(`The cursor secret must be at least ${MIN_CURSOR_SECRET_LENGTH} characters long.`);
  }
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

function mac(key: KeyObject, queryDigest: Buffer, position: Buffer): Buffer {
  return createHmac('sha256', key).update(Buffer.of(VERSION)).update(queryDigest).update(position).digest();
}
