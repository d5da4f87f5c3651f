import { isUtf8, transcode } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { scanText, TEXT_SCAN } from './bytes.ts';
import { DocumentError } from './errors.ts';

export interface DecodedText {
  text: string;
  encoding: string;
  /** True when the text is known to be in Unicode NFC already (ASCII, Latin-1, curly quotes and dashes). */
  nfc: boolean;
  /**
   * True when the text holds no whitespace that collapsing would rewrite but line breaks: no
   * tab or other control, no two spaces in a row, no Unicode space (see `TEXT_SCAN.spacing`).
   */
  plainSpacing: boolean;
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

const SNIFF_BYTES = 1024;
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/**
 * Valid UTF-8 as a string. TextDecoder takes about 6 ns for each non-ASCII character; text with
 * characters past U+00FF (Cyrillic, Greek, CJK, curly quotes) is a two-byte string in any case,
 * and ICU's transcoding to UTF-16 reads it several times as fast. Other text keeps TextDecoder,
 * which gives V8's one-byte strings (cheaper to search, normalize and hash later).
 */
function decodeUtf8(bytes: Uint8Array, scan: number): string {
  if ((scan & TEXT_SCAN.wide) === 0) return UTF8.decode(bytes);
  const text = transcode(bytes, 'utf8', 'utf16le').toString('utf16le');
  // TextDecoder drops a byte order mark.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Rejects binary data: a known signature, a NUL byte anywhere, or mostly control characters in
 * the first kilobyte. (Stray control characters in text are dropped later, with the whitespace.)
 */
function rejectBinary(bytes: Uint8Array, scan: number): void {
  for (const signature of SIGNATURES) {
    if (startsWith(bytes, signature.bytes)) {
      throw new DocumentError('unsupported_format', `The file is ${signature.name}, not a text document.`);
    }
  }
  // Most text holds no control byte but line breaks: then there is nothing to count or find.
  if ((scan & TEXT_SCAN.control) === 0) return;
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
  // Buffer's indexOf is a native memchr; the typed array's is several times slower.
  const nul = bytes.length > end ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(0, end) : -1;
  if (nul !== -1) throw nulError(nul);
}

function nulError(at: number): DocumentError {
  return new DocumentError('unsupported_format', `The file contains NUL bytes (binary data at byte ${at}), not text.`);
}

/** The charset a Content-Type header declares, lower-cased, or null. */
function declaredCharset(contentType: string | undefined): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType);
  return match ? match[1]!.toLowerCase() : null;
}

/** The charset an HTML document declares in a `<meta>` within its first kilobyte, or null. */
function htmlMetaCharset(bytes: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  const match = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
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
    return { text: decoder.decode(bytes), encoding: decoder.encoding, nfc: false, plainSpacing: false };
  } catch {
    throw new DocumentError('invalid_encoding', `The file is not valid ${decoder.encoding} text, although the ${source} declares it.`);
  }
}

/**
 * Turns the bytes of an upload into text. UTF-8 (with or without BOM) and UTF-16 with a BOM are
 * read as such. Anything else must be declared, by a `charset` in the content type or, for HTML,
 * by a `<meta charset>`: undeclared bytes that are not UTF-8 are rejected, never guessed.
 */
export function decodeBytes(bytes: Uint8Array, contentType?: string): DecodedText {
  if (startsWith(bytes, [0xff, 0xfe]) && !startsWith(bytes, [0xff, 0xfe, 0x00, 0x00])) {
    return decodeWith('utf-16le', bytes, 'byte order mark');
  }
  if (startsWith(bytes, [0xfe, 0xff])) return decodeWith('utf-16be', bytes, 'byte order mark');
  // A UTF-8 byte order mark is dropped with decoding, so the scan leaves it out.
  const scan = scanText(startsWith(bytes, UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes);
  rejectBinary(bytes, scan);

  const declared = declaredCharset(contentType);
  if (declared && declared !== 'utf-8' && declared !== 'utf8' && declared !== 'us-ascii') {
    return decodeWith(declared, bytes, 'content type');
  }
  if (isUtf8(bytes)) {
    return {
      text: decodeUtf8(bytes, scan),
      encoding: 'utf-8',
      nfc: (scan & TEXT_SCAN.maybeNotNfc) === 0,
      plainSpacing: (scan & TEXT_SCAN.spacing) === 0,
    };
  }
  const meta = htmlMetaCharset(bytes);
  if (meta && meta !== 'utf-8' && meta !== 'utf8') return decodeWith(meta, bytes, 'HTML <meta charset>');
  throw new DocumentError(
    'invalid_encoding',
    'The file is not valid UTF-8 and declares no other charset (send a charset in the content type).',
  );
}
