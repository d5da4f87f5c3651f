import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWat } from '../../scripts/build-wasm.ts';
import { countSpaces, scanText, TEXT_SCAN } from '../../shared/bytes.ts';

describe('the WebAssembly scans', () => {
  it('are built from the committed source (run npm run build:wasm after changing a .wat file)', async () => {
    expect(await compileWat('shared/wasm/text-scan.wat')).toBe(readFileSync('shared/wasm/text-scan.ts', 'utf8'));
  });

  // The scans copy input in 64 KiB chunks and look up to two bytes past each 16-byte block.
  const boundaries = [0, 1, 14, 15, 16, 17, 65518, 65519, 65534, 65535, 65536, 65537, 65550, 65551, 65552, 131070, 131071, 131072];

  it('find a character on either side of a block or chunk boundary', () => {
    const cases: Array<[string, number]> = [
      ['  ', TEXT_SCAN.spacing],
      ['\t', TEXT_SCAN.control | TEXT_SCAN.spacing],
      ['\u00a0', TEXT_SCAN.spacing],
      ['\u2003', TEXT_SCAN.wide | TEXT_SCAN.spacing],
      ['\ufeff', TEXT_SCAN.wide | TEXT_SCAN.spacing | TEXT_SCAN.maybeNotNfc],
      ['’', TEXT_SCAN.wide],
      ['ж', TEXT_SCAN.wide | TEXT_SCAN.maybeNotNfc],
    ];
    for (const at of boundaries) {
      for (const [text, flags] of cases) {
        const bytes = Buffer.concat([Buffer.alloc(at, 'a'), Buffer.from(text), Buffer.alloc(200_000 - at, 'a')]);
        expect([at, text, scanText(bytes)]).toEqual([at, text, flags]);
        // The document may also end right after it.
        expect([at, text, scanText(bytes.subarray(0, at + Buffer.byteLength(text)))]).toEqual([at, text, flags]);
      }
      // Spaces one apart on either side of the boundary are not a run.
      const apart = Buffer.concat([Buffer.alloc(at, 'a'), Buffer.from(' a '), Buffer.alloc(70_000, 'a')]);
      expect(scanText(apart)).toBe(0);
    }
  });

  it('count every space in long Latin-1 and UTF-16 text', () => {
    for (const at of boundaries) {
      for (const filler of ['a', 'é', 'ж']) {
        const text = filler.repeat(at) + ' ' + filler.repeat(140_000 - at) + ' ';
        expect([at, filler, countSpaces(text)]).toEqual([at, filler, 2]);
      }
    }
  });

  it('count nothing that an earlier, longer text left behind', () => {
    expect(countSpaces(' '.repeat(100))).toBe(100);
    expect(countSpaces('a')).toBe(0);
    expect(countSpaces(' ’'.repeat(100))).toBe(100);
    expect(countSpaces('’')).toBe(0);
    expect(scanText(Buffer.from(' '.repeat(100)))).toBe(TEXT_SCAN.spacing);
    expect(scanText(Buffer.from('a '))).toBe(0);
  });
});
