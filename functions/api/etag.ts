import { createHash } from 'node:crypto';
import type { StoredDocument } from '../../shared/store/index.ts';

// Bumped when the JSON representation of a document changes, so caches drop old copies.
const REPRESENTATION_VERSION = 1;

/**
 * The strong ETag of a document's representation. Every stored version has its own
 * `ingestedAt`, and `contentHash` covers title and body, so a new upload (even of identical
 * bytes) gives a new tag and nothing needs to be read or hashed beyond the item itself.
 *
 * @example
 * documentEtag({ id: 'd1', contentHash: 'ab12...', ingestedAt: '2024-06-01T00:00:00.000Z' }) // '"Zq3...x9"'
 */
export function documentEtag(document: Pick<StoredDocument, 'id' | 'contentHash' | 'ingestedAt'>): string {
  const digest = createHash('sha256')
    .update(`${REPRESENTATION_VERSION}\n${document.id}\n${document.contentHash}\n${document.ingestedAt}`)
    .digest('base64url');
  return `"${digest.slice(0, 27)}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag` (RFC 9110 §13.1.2: `*`, or any tag of the
 * list by weak comparison, so `W/"x"` matches `"x"`).
 *
 * @example
 * ifNoneMatchMatches('W/"a", "b"', '"a"') // true
 * ifNoneMatchMatches(undefined, '"a"')    // false
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const match of header.matchAll(/(?:W\/)?("[^"]*")/g)) {
    if (match[1] === opaque) return true;
  }
  return false;
}
