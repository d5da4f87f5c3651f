// Normalizer throughput: `npm run bench:parse`. Prints docs/s and MB/s for the normalizer, and
// the ratio of its time to (a) a bare floor (decode UTF-8, split lines, SHA-256 of the text) and
// (b) markdown-it parsing the same texts, all measured in this process on the same corpus.
import { createHash } from 'node:crypto';
import MarkdownIt from 'markdown-it';
import { normalizeDocument } from '../shared/index.ts';
import { buildCorpus, median, type CorpusItem } from './corpus.ts';

const CORPUS_SIZE = Number(process.env.BENCH_DOCS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

type Item = CorpusItem;

const decoder = new TextDecoder();
const markdown = new MarkdownIt();
let sink = 0;

const runners: Record<string, (item: Item) => void> = {
  normalizer: (item) => {
    sink += normalizeDocument(item.bytes, { key: item.key }).wordCount;
  },
  floor: (item) => {
    const text = decoder.decode(item.bytes);
    const lines = text.split('\n');
    sink += lines.length + createHash('sha256').update(text).digest('hex').length;
  },
  'markdown-it': (item) => {
    sink += markdown.parse(decoder.decode(item.bytes), {}).length;
  },
};

function timeRound(items: readonly Item[], run: (item: Item) => void): number {
  const start = process.hrtime.bigint();
  for (const item of items) run(item);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function measure(items: readonly Item[]): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(runners).map((name) => [name, []]));
  for (const run of Object.values(runners)) timeRound(items, run); // warm-up
  // Interleave the runners round by round, so machine noise hits all of them alike.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(runners)) times[name]!.push(timeRound(items, run));
  }
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
}

function report(label: string, items: readonly Item[]): void {
  const bytes = items.reduce((sum, item) => sum + item.bytes.length, 0);
  const ms = measure(items);
  const ours = ms.normalizer!;
  console.log(`\n${label}: ${items.length} documents, ${(bytes / 1024 / 1024).toFixed(2)} MB (median of ${ROUNDS} rounds)`);
  for (const [name, time] of Object.entries(ms)) {
    const docsPerSecond = (items.length / time) * 1000;
    const mbPerSecond = (bytes / 1024 / 1024 / time) * 1000;
    console.log(`  ${name.padEnd(12)} ${time.toFixed(1).padStart(8)} ms  ${docsPerSecond.toFixed(0).padStart(8)} docs/s  ${mbPerSecond.toFixed(1).padStart(7)} MB/s`);
  }
  console.log(`  ratio normalizer / floor:       ${(ours / ms.floor!).toFixed(2)}`);
  console.log(`  ratio normalizer / markdown-it: ${(ours / ms['markdown-it']!).toFixed(2)}  (target <= 1.0 for articles)`);
}

const corpus = buildCorpus(CORPUS_SIZE);
const formats = [...new Set(corpus.map((item) => item.format))].sort();
console.log(`node ${process.version}; corpus built from ${formats.length} formats: ${formats.join(', ')}`);
report('article format', corpus.filter((item) => item.format === 'article'));
report('all formats', corpus);
if (sink === 0) console.log('(no work done)');
