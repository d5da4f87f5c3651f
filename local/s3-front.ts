// What the embedded S3 does before s3rver sees a request, so that every key S3 accepts reaches
// the store exactly and every key S3 refuses gets S3's own error:
// - an object's key is read from the raw path, as S3 reads it, and handed on as one encoded
//   path segment (s3rver's router drops empty segments, so `a//b` or `/a` would not route);
// - listings (ListObjects and ListObjectsV2) and multi-object deletes (DeleteObjects) are
//   answered here from the store, in S3's key order, with `encoding-type=url` and with XML that
//   carries any character of a key, and a multi-object delete notifies each key, as S3 does.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { encodeS3EventKey } from '../shared/s3-event.ts';
import type { KeySafeStore, ListPage, StoredObject } from './s3-store.ts';

const require = createRequire(import.meta.url);

/** The longest key S3 accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** The most keys one DeleteObjects request may name. */
const MAX_DELETE_KEYS = 1000;
/** The largest DeleteObjects body read: 1,000 keys of 1,024 bytes each, escaped, fit well. */
const MAX_DELETE_BODY_BYTES = 16 << 20;
const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

// s3rver's error model renders S3's error XML; its account is the listed objects' owner.
interface S3rverError extends Error {
  readonly status: number;
  readonly code: string;
  toXML(): string;
}
type S3rverErrorConstructor = new (code: string, message: string, detail?: Record<string, string | number>) => S3rverError;
const S3Error = require('s3rver/lib/models/error') as S3rverErrorConstructor;
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { id: string; displayName: string } };

/** One removal made by a DeleteObjects request. */
export interface RemovedObject {
  readonly bucket: string;
  readonly key: string;
}

export interface S3FrontOptions {
  readonly store: KeySafeStore;
  /** Called for each key a DeleteObjects request removes, before the response is sent. */
  readonly onRemoved?: (removed: RemovedObject) => void;
}

/** S3's refusal of a key: its code, message and details, rendered by s3rver's error model. */
class KeyRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly detail: Record<string, string | number>,
  ) {
    super(message);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An object key from the raw (still percent-encoded) key part of a request path, as S3 reads
 * it: escapes become bytes, and the bytes must be UTF-8 of at most 1,024 bytes. Throws
 * {@link KeyRefused} with S3's error otherwise: `InvalidURI` or `KeyTooLongError`.
 *
 * @example
 * keyFromPath('a%20b/%E2%9C%93') // 'a b/✓'
 */
export function keyFromPath(raw: string, uri = raw): string {
  const bytes = Buffer.alloc(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw invalidUri(uri);
      bytes[length++] = Number.parseInt(hex, 16);
      i += 2;
    } else if (code < 0x100) {
      // Node gives a request line's bytes beyond ASCII as Latin-1 characters.
      bytes[length++] = code;
    } else {
      throw invalidUri(uri);
    }
  }
  let key: string;
  try {
    key = strictUtf8.decode(bytes.subarray(0, length));
  } catch {
    throw invalidUri(uri);
  }
  if (length > MAX_KEY_BYTES) throw keyTooLong(length);
  return key;
}

const invalidUri = (uri: string): KeyRefused => new KeyRefused('InvalidURI', "Couldn't parse the specified URI.", { URI: uri });
const keyTooLong = (size: number): KeyRefused => new KeyRefused('KeyTooLongError', 'Your key is too long', { Size: size, MaxSizeAllowed: MAX_KEY_BYTES });

// S3's rule for bucket names: 3 to 63 lowercase letters, digits, hyphens and single dots,
// starting and ending with a letter or digit.
const BUCKET_NAME = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9-]|\.(?!\.))*[a-z0-9]$/;

// Query parameters of a bucket GET that make it a listing rather than another sub-resource.
const LISTING_PARAMETERS = new Set(['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'encoding-type', 'fetch-owner', 'marker', 'x-id']);
const isSigningParameter = (name: string): boolean => /^x-amz-/i.test(name) || ['AWSAccessKeyId', 'Signature', 'Expires'].includes(name);

/**
 * Wraps s3rver's request handler with the embedded S3's own key handling, listings and
 * multi-object deletes (see the top of this file).
 *
 * @example
 * const server = createServer(s3Front(s3rver.callback(), { store }));
 */
export function s3Front(next: RequestListener, options: S3FrontOptions): RequestListener {
  return (request, response) => {
    void route(request, response, next, options).catch((error: unknown) => {
      const refused = error instanceof KeyRefused ? new S3Error(error.code, error.message, error.detail) : toS3Error(error);
      sendError(request, response, refused);
    });
  };
}

async function route(request: IncomingMessage, response: ServerResponse, next: RequestListener, options: S3FrontOptions): Promise<void> {
  const url = request.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  const slash = path.indexOf('/', 1);
  const bucketName = keyFromPath(path.slice(1, slash === -1 ? undefined : slash), path);
  // A bucket name is a folder name in the data folder: `..` or `/` in one would leave it.
  if (bucketName !== '' && !BUCKET_NAME.test(bucketName)) {
    throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucketName });
  }
  const keyPart = slash === -1 ? '' : path.slice(slash + 1);
  if (keyPart !== '') {
    // An object request: the key, whatever its segments, goes on as one encoded segment.
    const key = keyFromPath(keyPart, path);
    request.url = `${path.slice(0, slash)}/${encodeURIComponent(key)}${query}`;
    return next(request, response);
  }
  const parameters = new URLSearchParams(query);
  const names = [...parameters.keys()].filter((name) => !isSigningParameter(name));
  if (bucketName !== '' && request.method === 'GET' && names.every((name) => LISTING_PARAMETERS.has(name))) {
    return listObjects(response, options.store, bucketName, parameters);
  }
  if (bucketName !== '' && request.method === 'POST' && names.includes('delete')) {
    return deleteObjects(request, response, options, bucketName);
  }
  return next(request, response);
}

function toS3Error(error: unknown): S3rverError {
  if (error instanceof S3Error) return error;
  return new S3Error('InternalError', 'We encountered an internal error. Please try again.');
}

function sendError(request: IncomingMessage, response: ServerResponse, error: S3rverError): void {
  // Nothing of a refused request is kept: its body is read and dropped.
  request.resume();
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const xml = error.toXML().replace('</Error>', `<RequestId>${requestId}</RequestId></Error>`);
  response.writeHead(error.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml), 'x-amz-request-id': requestId });
  response.end(request.method === 'HEAD' ? undefined : xml);
}

function sendXml(response: ServerResponse, xml: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  response.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

// Characters XML 1.0 cannot carry as they are, or that a parser would change (a raw CR reads
// as LF): written as character references, as S3 writes them (`&#x1;` for U+0001).
const XML_SPECIAL = /[&<>"'\u0000-\u0008\u000B-\u001F\uFFFE\uFFFF]/g;
const XML_NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text for an XML element, with any character a key may hold.
 *
 * @example
 * xmlText('a<b\u0001') // 'a&lt;b&#x1;'
 */
export function xmlText(value: string): string {
  return value.replace(XML_SPECIAL, (char) => XML_NAMED[char] ?? `&#x${char.charCodeAt(0).toString(16).toUpperCase()};`);
}

const element = (name: string, value: string | number | boolean): string => `<${name}>${typeof value === 'string' ? xmlText(value) : String(value)}</${name}>`;

/** Continuation tokens: where the next page starts, opaque to clients as S3's are. */
function continuationToken(after: string, afterPrefix: boolean): string {
  return Buffer.from(JSON.stringify({ after, afterPrefix })).toString('base64url');
}

function readContinuationToken(token: string): { after: string; afterPrefix: boolean } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'after' in parsed && typeof parsed.after === 'string') {
      return { after: parsed.after, afterPrefix: 'afterPrefix' in parsed && parsed.afterPrefix === true };
    }
  } catch {
    // falls through to the error
  }
  throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
}

function maxKeysOf(parameters: URLSearchParams): number {
  const raw = parameters.get('max-keys');
  if (raw === null) return 1000;
  if (!/^-?\d+$/.test(raw)) {
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: raw });
  }
  const value = Number(raw);
  if (value < 0 || value > 2147483647) {
    throw new S3Error('InvalidArgument', 'Argument maxKeys must be an integer between 0 and 2147483647', { ArgumentName: 'maxKeys', ArgumentValue: value });
  }
  return Math.min(1000, value);
}

/** The last item of a page, where the next one starts. */
function lastOf(page: ListPage): { after: string; afterPrefix: boolean } {
  const last = page.items[page.items.length - 1]!;
  return 'object' in last ? { after: last.object.key, afterPrefix: false } : { after: last.commonPrefix, afterPrefix: true };
}

/** ListObjects (`GET /bucket`) and ListObjectsV2 (`GET /bucket?list-type=2`). */
async function listObjects(response: ServerResponse, store: KeySafeStore, bucket: string, parameters: URLSearchParams): Promise<void> {
  if (!(await store.getBucket(bucket))) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  const v2 = parameters.get('list-type') === '2';
  const encodingType = parameters.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: encodingType });
  }
  const encode = encodingType === 'url' ? encodeS3EventKey : (value: string) => value;
  const prefix = parameters.get('prefix') ?? '';
  const delimiter = parameters.get('delimiter') ?? '';
  const maxKeys = maxKeysOf(parameters);
  const token = v2 ? parameters.get('continuation-token') : null;
  const startAfter = (v2 ? parameters.get('start-after') : parameters.get('marker')) ?? '';
  const from = token ? readContinuationToken(token) : { after: startAfter, afterPrefix: false };
  const page =
    maxKeys === 0
      ? { items: [], isTruncated: false }
      : await store.list(bucket, { prefix, delimiter, startAfter: from.after, startAfterPrefix: from.afterPrefix, maxKeys });
  const owner = `<Owner>${element('ID', DUMMY_ACCOUNT.id)}${element('DisplayName', DUMMY_ACCOUNT.displayName)}</Owner>`;
  const withOwner = v2 ? parameters.get('fetch-owner') === 'true' : true;
  const contents = (object: StoredObject): string =>
    '<Contents>' +
    element('Key', encode(object.key)) +
    element('LastModified', object.lastModified) +
    element('ETag', JSON.stringify(object.md5)) +
    element('Size', object.size) +
    (withOwner ? owner : '') +
    element('StorageClass', 'STANDARD') +
    '</Contents>';
  const parts: string[] = [element('Name', bucket), element('Prefix', encode(prefix))];
  if (v2) {
    if (token) parts.push(element('ContinuationToken', token));
    else if (startAfter) parts.push(element('StartAfter', encode(startAfter)));
    parts.push(element('KeyCount', page.items.length));
  } else {
    parts.push(element('Marker', encode(startAfter)));
    if (page.isTruncated && delimiter) parts.push(element('NextMarker', encode(lastOf(page).after)));
  }
  parts.push(element('MaxKeys', maxKeys));
  if (delimiter) parts.push(element('Delimiter', encode(delimiter)));
  if (encodingType) parts.push(element('EncodingType', encodingType));
  parts.push(element('IsTruncated', page.isTruncated));
  if (v2 && page.isTruncated) {
    const last = lastOf(page);
    parts.push(element('NextContinuationToken', continuationToken(last.after, last.afterPrefix)));
  }
  for (const item of page.items) {
    parts.push('object' in item ? contents(item.object) : `<CommonPrefixes>${element('Prefix', encode(item.commonPrefix))}</CommonPrefixes>`);
  }
  sendXml(response, `<ListBucketResult xmlns="${S3_XMLNS}">${parts.join('')}</ListBucketResult>`);
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > limit) throw malformedXml();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const malformedXml = (): S3rverError =>
  new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * The text of an XML element, its references resolved. Keys may hold characters XML 1.0 cannot
 * carry, so numeric references to them, and such characters sent as they are, are taken too.
 */
function xmlValue(raw: string): string {
  // Line ends are normalised before references are read: `&#13;` stays a carriage return.
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>|&(#x[0-9A-Fa-f]+|#[0-9]+|[a-z]+);|[&<]/g, (match, cdata: string | undefined, reference: string | undefined) => {
      if (cdata !== undefined) return cdata;
      if (reference === undefined) throw malformedXml();
      if (reference.startsWith('#')) {
        const code = reference[1] === 'x' ? Number.parseInt(reference.slice(2), 16) : Number.parseInt(reference.slice(1), 10);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw malformedXml();
        return String.fromCodePoint(code);
      }
      const named = ENTITIES[reference];
      if (named === undefined) throw malformedXml();
      return named;
    });
}

/**
 * The keys of a DeleteObjects body (`<Delete><Quiet/><Object><Key/>...</Object>...</Delete>`).
 * Its schema is small and fixed, so it is read with patterns rather than a general parser.
 */
export function parseDeleteRequest(xml: string): { quiet: boolean; keys: string[] } {
  const root = /^\s*(?:<\?xml[^>]*\?>\s*)?<Delete(?:\s[^>]*)?>([\s\S]*)<\/Delete>\s*$/.exec(xml);
  if (!root) throw malformedXml();
  const body = root[1]!;
  const keys: string[] = [];
  for (const object of body.matchAll(/<Object>([\s\S]*?)<\/Object>/g)) {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(object[1]!);
    if (!key) throw malformedXml();
    keys.push(xmlValue(key[1]!));
  }
  if (keys.length === 0 || keys.length > MAX_DELETE_KEYS) throw malformedXml();
  const quiet = /<Quiet>\s*true\s*<\/Quiet>/.test(body);
  return { quiet, keys };
}

/** DeleteObjects (`POST /bucket?delete`): each key is removed and notified, in order. */
async function deleteObjects(request: IncomingMessage, response: ServerResponse, options: S3FrontOptions, bucket: string): Promise<void> {
  const { store } = options;
  if (!(await store.getBucket(bucket))) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  let text: string;
  try {
    text = strictUtf8.decode(await readBody(request, MAX_DELETE_BODY_BYTES));
  } catch {
    throw malformedXml();
  }
  const { quiet, keys } = parseDeleteRequest(text);
  const results: string[] = [];
  for (const key of keys) {
    const size = Buffer.byteLength(key);
    if (size > MAX_KEY_BYTES) {
      results.push(`<Error>${element('Key', key)}${element('Code', 'KeyTooLongError')}${element('Message', 'Your key is too long')}</Error>`);
      continue;
    }
    await store.deleteObject(bucket, key);
    // A key that did not exist is reported as deleted, as S3 does; its event writes a tombstone.
    options.onRemoved?.({ bucket, key });
    if (!quiet) results.push(`<Deleted>${element('Key', key)}</Deleted>`);
  }
  sendXml(response, `<DeleteResult xmlns="${S3_XMLNS}">${results.join('')}</DeleteResult>`);
}
