import { DocumentError } from './errors.ts';

export interface DecodedText {
  text: string;
  /** The WHATWG name of the encoding the bytes were read in (`utf-8`, `windows-1252`, ...). */
  encoding: string;
}

// Leading bytes of common binary formats, so the error can say what the upload was.
const SIGNATURES: ReadonlyArray<{ name: string; bytes: readonly number[] }> = [
  { name: 'a PDF document', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'a GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'a WebP or RIFF file', bytes: [0x52, 0x49, 0x46, 0x46] },
  { name: 'a ZIP archive (or an Office document)', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'a gzip archive', bytes: [0x1f, 0x8b] },
  { name: 'a bzip2 archive', bytes: [0x42, 0x5a, 0x68] },
  { name: 'a 7-Zip archive', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'an xz archive', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'a zstd archive', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'a legacy Office document', bytes: [0xd0, 0xcf, 0x11, 0xe0] },
  { name: 'an executable', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'a WebAssembly module', bytes: [0x00, 0x61, 0x73, 0x6d] },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

const SNIFF_BYTES = 1024;
// How far into a page a browser may still find its `<meta charset>` (it reparses when one comes
// after the first kilobyte that the prescan reads); real pages put long scripts before it.
const META_CHARSET_BYTES = 64 * 1024;
// An HTML page that declares UTF-8 but holds a few stray bytes is read as a browser reads it, with
// U+FFFD for each, when they are at most this many and at most one in this many bytes.
const MAX_STRAY_SEQUENCES = 16;
const STRAY_SPACING = 1000;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const UTF8_LENIENT = new TextDecoder('utf-8');
const LATIN1 = new TextDecoder('latin1');
const HTML_START = /^(?:\ufeff|ï»¿)?\s*<(?:!doctype\s+html|html|head|body|meta|title|!--)[\s>/]/i;

function nulError(at: number): DocumentError {
  return new DocumentError('unsupported_format', `The file contains NUL bytes (binary data at byte ${at}), not text.`);
}

/**
 * Rejects binary data: a known signature, a NUL byte, or mostly control characters in the first
 * kilobyte. A web page may hold a stray NUL further on (browsers skip them), so a page that
 * starts as HTML only fails on a NUL in its first kilobyte; other text fails on any NUL. Other
 * stray control characters are dropped later, with the whitespace.
 */
function rejectBinary(bytes: Uint8Array, html: boolean): void {
  for (const signature of SIGNATURES) {
    if (startsWith(bytes, signature.bytes)) {
      throw new DocumentError('unsupported_format', `The file is ${signature.name}, not a text document.`);
    }
  }
  const end = Math.min(bytes.length, SNIFF_BYTES);
  let controls = 0;
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b !== 0x7f) continue;
    if (b === 0) throw nulError(i);
    // Tab, LF, FF and CR are text; other C0 controls and DEL are a sign of binary data.
    if (b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) controls++;
  }
  if (controls > 8 && controls * 20 > end) {
    throw new DocumentError('unsupported_format', 'The file is mostly control characters (binary data), not text.');
  }
  if (!html && bytes.length > end) {
    const nul = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(0, end);
    if (nul !== -1) throw nulError(nul);
  }
}

/** The charset a Content-Type header declares, lower-cased, or null. */
function declaredCharset(contentType: string | undefined): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType);
  return match ? match[1]!.toLowerCase() : null;
}

/** The charset an HTML page declares in a `<meta>` of its head, or null. */
function htmlMetaCharset(bytes: Uint8Array): string | null {
  let head = LATIN1.decode(bytes.subarray(0, META_CHARSET_BYTES));
  const body = head.search(/<body[\s>]/i);
  if (body !== -1) head = head.slice(0, body);
  const match = /<meta\s[^>]*charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  return match ? match[1]!.toLowerCase() : null;
}

function decodeWith(label: string, bytes: Uint8Array, source: string): DecodedText {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new DocumentError('invalid_encoding', `The ${source} declares the charset "${label}", which is not a known text encoding.`);
  }
  try {
    return { text: decoder.decode(bytes), encoding: decoder.encoding };
  } catch {
    throw new DocumentError('invalid_encoding', `The file is not valid ${decoder.encoding} text, although the ${source} declares it.`);
  }
}

/** A page declared as UTF-8 with a few stray bytes, read with U+FFFD for each; else null. */
function strayBytesReplaced(bytes: Uint8Array): string | null {
  const text = UTF8_LENIENT.decode(bytes);
  let stray = 0;
  for (let at = text.indexOf('\ufffd'); at !== -1; at = text.indexOf('\ufffd', at + 1)) stray++;
  return stray <= MAX_STRAY_SEQUENCES && stray * STRAY_SPACING <= bytes.length ? text : null;
}

/**
 * Turns the bytes of an upload into text. UTF-8 (with or without BOM) and UTF-16 with a BOM are
 * read as such. Anything else must be declared, by a `charset` in the content type or, for HTML,
 * by a `<meta charset>` in its head: undeclared bytes that are not UTF-8 are rejected, never
 * guessed. A page that declares UTF-8 itself and holds a few stray bytes is read as a browser
 * reads it, with U+FFFD for each.
 *
 * @example
 * decodeBytes(new TextEncoder().encode('Café'))       // { text: 'Café', encoding: 'utf-8' }
 * decodeBytes(Uint8Array.of(0x43, 0x61, 0x66, 0xe9), 'text/plain; charset=latin1').text // 'Café'
 */
export function decodeBytes(bytes: Uint8Array, contentType?: string): DecodedText {
  if (startsWith(bytes, [0xff, 0xfe]) && !startsWith(bytes, [0xff, 0xfe, 0x00, 0x00])) {
    return decodeWith('utf-16le', bytes, 'byte order mark');
  }
  if (startsWith(bytes, [0xfe, 0xff])) return decodeWith('utf-16be', bytes, 'byte order mark');
  const html = HTML_START.test(LATIN1.decode(bytes.subarray(0, 256)));
  rejectBinary(bytes, html);

  const declared = declaredCharset(contentType);
  if (declared && declared !== 'utf-8' && declared !== 'utf8' && declared !== 'us-ascii') {
    return decodeWith(declared, bytes, 'content type');
  }
  try {
    return { text: UTF8.decode(bytes), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: the page may say what it is.
  }
  const meta = html ? htmlMetaCharset(bytes) : null;
  if (meta && meta !== 'utf-8' && meta !== 'utf8') return decodeWith(meta, bytes, 'HTML <meta charset>');
  const replaced = meta ? strayBytesReplaced(bytes) : null;
  if (replaced !== null) return { text: replaced, encoding: 'utf-8' };
  throw new DocumentError(
    'invalid_encoding',
    meta
      ? 'The page declares UTF-8 but is not valid UTF-8 text.'
      : 'The file is not valid UTF-8 and declares no other charset (send a charset in the content type).',
  );
}
