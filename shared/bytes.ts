// Scans over a document's bytes, sixteen at a time with WebAssembly SIMD (shared/wasm/text-scan.wat).
// On the article corpus of bench:parse, copy and call included, the document scan takes about a
// third of the time of plain JavaScript reading four bytes at a time, and the space count less
// than half. Input is copied into the module's memory in chunks of up to 64 KiB, so the memory
// never grows.
import { WASM_BASE64 } from './wasm/text-scan.ts';

/** What `scanText` found in a document's bytes: a set of these bits. */
export const TEXT_SCAN = {
  /** A C0 control other than LF and CR (tab, NUL, ...), or DEL. */
  control: 1,
  /** A UTF-8 lead byte from 0xC4 up: a character past U+00FF. */
  wide: 2,
  /**
   * Whitespace that collapsing rewrites, other than line breaks: two spaces in a row, a control
   * (tab, form feed, ...) or a Unicode space (U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
   * U+202F, U+205F, U+3000, U+FEFF).
   */
  spacing: 4,
  /**
   * A character past U+00FF outside U+2002-U+207F (where the curly quotes and dashes are).
   * Without one the text is in NFC already: no character up to U+00FF or in that range
   * decomposes, and none of them combines with another.
   */
  maybeNotNfc: 8,
} as const;

interface TextScanModule {
  memory: { buffer: ArrayBuffer };
  scan(end: number): number;
  countSpaces8(end: number): number;
  countSpaces16(end: number): number;
}

// The parts of the WebAssembly global used here (Node's type definitions for version 20 have none).
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
const wasm = new Instance(new Module(Buffer.from(WASM_BASE64, 'base64'))).exports as TextScanModule;
// The memory has a fixed size, so these views stay valid.
const memory = new Uint8Array(wasm.memory.buffer);
const memoryBuffer = Buffer.from(wasm.memory.buffer);
const CHUNK = 1 << 16;
const BLOCK = 16;
// A letter: neither a space, a control nor a lead byte.
const PADDING_BYTE = 0x41;

function roundUp(length: number): number {
  return Math.ceil(length / BLOCK) * BLOCK;
}

/** Fills memory from `length` to the end of its block and one block more, for the look-ahead. */
function pad(length: number): void {
  memory.fill(PADDING_BYTE, length, roundUp(length) + BLOCK);
}

/**
 * One pass over a document's bytes that tells the decoder and the normalizer what they can skip:
 * a set of `TEXT_SCAN` bits. The whitespace and NFC bits read the bytes as UTF-8; they mean
 * nothing for other encodings.
 */
export function scanText(bytes: Uint8Array): number {
  let flags = 0;
  for (let offset = 0; ; offset += CHUNK) {
    const rest = bytes.length - offset;
    // A chunk and the block after it, for the checks that look ahead past the chunk's end.
    const copied = Math.min(rest, CHUNK + BLOCK);
    // Most documents fit in one chunk: copied whole, without a subarray view.
    memory.set(offset === 0 && copied === bytes.length ? bytes : bytes.subarray(offset, offset + copied));
    pad(copied);
    if (rest <= CHUNK) return flags | wasm.scan(roundUp(rest));
    flags |= wasm.scan(CHUNK);
  }
}

/**
 * A character past U+00FF. Strings without one are one byte a character in V8 (and in Latin-1),
 * and V8 answers this test on them without scanning.
 */
export const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * The U+0020 spaces in a text. It is copied into the module's memory in chunks of up to 64 KiB:
 * as Latin-1 when every character fits in one byte, else as UTF-16.
 */
export function countSpaces(text: string): number {
  const latin1 = !BEYOND_LATIN1.test(text);
  const chars = latin1 ? CHUNK : CHUNK / 2;
  let spaces = 0;
  for (let start = 0; start < text.length; start += chars) {
    const length = memoryBuffer.write(text.length <= chars ? text : text.slice(start, start + chars), 0, latin1 ? 'latin1' : 'utf16le');
    pad(length);
    spaces += latin1 ? wasm.countSpaces8(roundUp(length)) : wasm.countSpaces16(roundUp(length));
  }
  return spaces;
}
