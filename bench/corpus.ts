// A benchmark corpus built from seeds/: every good seed, repeated with a variant number woven
// into its text where it has prose lines, so documents differ byte for byte.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { normalizeDocument } from '../shared/index.ts';

export interface CorpusItem {
  key: string;
  bytes: Uint8Array;
  format: string;
}

/** The good seed files under `dir` (not `bad/`), sorted. */
export function seedFiles(dir = 'seeds'): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (name === 'bad') return [];
      return statSync(path).isDirectory() ? seedFiles(path) : [path];
    });
}

/**
 * `size` documents keyed `<prefix><n>/<seed name>`.
 *
 * @example
 * const corpus = buildCorpus(5000, 'bench/');
 */
export function buildCorpus(size: number, prefix = 'bench/'): CorpusItem[] {
  const seeds = seedFiles('seeds').map((path) => {
    const bytes = new Uint8Array(readFileSync(path));
    return { name: relative('seeds', path), bytes, format: normalizeDocument(bytes, { key: path }).format };
  });
  const corpus: CorpusItem[] = [];
  for (let i = 0; corpus.length < size; i++) {
    const seed = seeds[i % seeds.length]!;
    // The variant marker opens the first long prose line, clear of titles, bylines and dates
    // (JSON and HTML seeds have none such and repeat as they are).
    const text = Buffer.from(seed.bytes).toString('utf8').replace(/\n([A-Z][^\n]{200,})/, `\nUpdate ${i}. $1`);
    corpus.push({ key: `${prefix}${i}/${seed.name}`, bytes: new Uint8Array(Buffer.from(text, 'utf8')), format: seed.format });
  }
  return corpus;
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
