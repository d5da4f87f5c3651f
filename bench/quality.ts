// Extraction quality on real pages: `npm run bench:quality -- <dir>...`.
//
// Runs our normalizer, @mozilla/readability and defuddle (both on linkedom) on every page of each
// folder, in one process, and prints for each system: body F1 by 4-token shingles (P and R are
// means over pages, F1 their harmonic mean), mean and median per-page F1, metadata accuracy,
// ms per page, failures and the ten worst pages. Two layouts are read:
//   - Readability's test pages: `<dir>/<page>/source.html`, `expected.html` and
//     `expected-metadata.json` (title, byline, publishedTime, lang);
//   - trafilatura's evaluation: `<dir>/annotations.json` mapping `<file>.html` to `url` and
//     `with` / `without` snippets, scored as its `tests/eval_common.py` does (tp, fn, fp, tn
//     summed over pages into precision, recall, accuracy and F-score).
// `--worst N` changes how many worst pages are listed (10); `--only NAME` runs one system;
// `--json FILE` writes every page's scores and extracted text, for a closer look.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readability } from '@mozilla/readability';
import { Defuddle } from 'defuddle/node';
import { parseHTML } from 'linkedom';
import { decodeBytes } from '../shared/decode.ts';
import { DocumentError } from '../shared/errors.ts';
import { normalizeDocument } from '../shared/index.ts';
import {
  harmonic, htmlText, mean, median, sameAuthors, sameTitle, sameDay, sameLanguage, shingleScore, snippetScore, squash, tokens,
  type ShingleScore, type SnippetScore,
} from './quality-score.ts';

interface Page {
  name: string;
  bytes: Uint8Array;
  url: string | null;
  /** Readability layout. */
  expectedText?: string;
  expectedMeta?: { title?: string | null; byline?: string | null; publishedTime?: string | null; lang?: string | null };
  /** trafilatura layout. */
  wanted?: string[];
  unwanted?: string[];
}

interface Extraction {
  text: string;
  title: string | null;
  authors: string[];
  date: string | null;
  language: string | null;
  error?: string;
}

type System = (page: Page) => Extraction | Promise<Extraction>;

const lenient = new TextDecoder('utf-8');

/**
 * The page's text for the other systems: decoded the way ours decodes it (BOM, declared charset),
 * or, where ours refuses the bytes, as a browser would (U+FFFD for what is not UTF-8).
 */
function decoded(page: Page): string {
  try {
    return decodeBytes(page.bytes, 'text/html').text;
  } catch (error) {
    if (error instanceof DocumentError) return lenient.decode(page.bytes);
    throw error;
  }
}

/** Runs a library call with its console output counted instead of printed. */
async function quietly<T>(call: () => T | Promise<T>): Promise<T> {
  const saved = { error: console.error, warn: console.warn, log: console.log };
  console.error = console.warn = console.log = () => {
    libraryMessages++;
  };
  try {
    return await call();
  } finally {
    Object.assign(console, saved);
  }
}
let libraryMessages = 0;

const systems: Record<string, System> = {
  ours: (page) => {
    try {
      const doc = normalizeDocument(page.bytes, { key: page.name.endsWith('.html') ? page.name : `${page.name}.html`, contentType: 'text/html' });
      return { text: doc.body, title: doc.title, authors: doc.authors, date: doc.publishedAt, language: doc.language };
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      return { text: '', title: null, authors: [], date: null, language: null, error: `${error.code}: ${error.message}` };
    }
  },
  readability: async (page) => {
    const { document } = parseHTML(decoded(page));
    const article = await quietly(() => new Readability(document as unknown as Document).parse());
    if (!article) return { text: '', title: null, authors: [], date: null, language: null, error: 'no article' };
    return {
      text: htmlText(article.content ?? ''),
      title: article.title ?? null,
      authors: article.byline ? [article.byline] : [],
      date: article.publishedTime ?? null,
      language: article.lang ?? null,
    };
  },
  defuddle: async (page) => {
    const { document } = parseHTML(decoded(page));
    const result = await quietly(() => Defuddle(document as unknown as Document, page.url ?? undefined, { useAsync: false }));
    return {
      text: htmlText(result.content ?? ''),
      title: result.title || null,
      authors: result.author ? [result.author] : [],
      date: result.published || null,
      language: result.language || null,
    };
  },
};

function loadReadability(dir: string): Page[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'source.html')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      name,
      bytes: readFileSync(join(dir, name, 'source.html')),
      url: null,
      expectedText: htmlText(readFileSync(join(dir, name, 'expected.html'), 'utf8')),
      expectedMeta: JSON.parse(readFileSync(join(dir, name, 'expected-metadata.json'), 'utf8')),
    }));
}

function loadTrafilatura(dir: string): Page[] {
  const annotations = JSON.parse(readFileSync(join(dir, 'annotations.json'), 'utf8')) as Record<string, { url?: string; with?: string[]; without?: string[] }>;
  return Object.keys(annotations)
    .filter((name) => existsSync(join(dir, name)))
    .sort()
    .map((name) => ({
      name,
      bytes: readFileSync(join(dir, name)),
      url: annotations[name]!.url ?? null,
      wanted: annotations[name]!.with ?? [],
      unwanted: annotations[name]!.without ?? [],
    }));
}

interface Row {
  page: Page;
  result: Extraction;
  ms: number;
  shingle?: ShingleScore;
  snippet?: SnippetScore;
  /** Per-page F1: by shingles, or by snippets. */
  f1: number;
  metaMisses: string[];
}

function metaMisses(page: Page, result: Extraction): string[] {
  const meta = page.expectedMeta;
  if (!meta) return [];
  const misses: string[] = [];
  if (meta.title && !sameTitle(meta.title, result.title)) misses.push(`title ${JSON.stringify(result.title)} ≠ ${JSON.stringify(meta.title)}`);
  if (meta.byline && !sameAuthors(meta.byline, result.authors)) misses.push(`author ${JSON.stringify(result.authors)} ≠ ${JSON.stringify(meta.byline)}`);
  if (meta.publishedTime && !sameDay(meta.publishedTime, result.date)) misses.push(`date ${result.date} ≠ ${meta.publishedTime}`);
  if (meta.lang && !sameLanguage(meta.lang, result.language)) misses.push(`language ${result.language} ≠ ${meta.lang}`);
  return misses;
}

function preview(text: string, words = 12): string {
  const list = tokens(text);
  return list.slice(0, words).join(' ') + (list.length > words ? ' …' : '');
}

/** Tokens the extraction has that the expectation lacks, or the other way round, in text order. */
function difference(from: string, minus: string): string {
  const have = new Map<string, number>();
  for (const token of tokens(minus)) have.set(token, (have.get(token) ?? 0) + 1);
  const left: string[] = [];
  for (const token of tokens(from)) {
    const count = have.get(token) ?? 0;
    if (count > 0) have.set(token, count - 1);
    else left.push(token);
  }
  return left.slice(0, 12).join(' ') + (left.length > 12 ? ` … (${left.length} words)` : '');
}

function whatWentWrong(row: Row): string {
  const parts: string[] = [];
  if (row.result.error) parts.push(`failed: ${row.result.error}`);
  if (row.shingle) {
    const { precision, recall } = row.shingle;
    parts.push(`P ${precision.toFixed(2)} R ${recall.toFixed(2)}`);
    if (precision < 0.9) parts.push(`extra: "${difference(row.result.text, row.page.expectedText ?? '')}"`);
    if (recall < 0.9) parts.push(`missed: "${difference(row.page.expectedText ?? '', row.result.text)}"`);
  }
  if (row.snippet) {
    if (row.snippet.missing.length > 0) parts.push(`missing ${row.snippet.missing.map((s) => JSON.stringify(preview(s, 8))).join(', ')}`);
    if (row.snippet.unwanted.length > 0) parts.push(`unwanted ${row.snippet.unwanted.map((s) => JSON.stringify(preview(s, 8))).join(', ')}`);
  }
  parts.push(...row.metaMisses);
  return parts.join('; ');
}

function pct(hits: number, total: number): string {
  return total === 0 ? '-' : `${((100 * hits) / total).toFixed(1)}% (${hits}/${total})`;
}

function report(dir: string, name: string, rows: Row[], worst: number): Record<string, number> {
  const f1s = rows.map((row) => row.f1);
  const failures = rows.filter((row) => row.result.error);
  const msPerPage = mean(rows.map((row) => row.ms));
  const figures: Record<string, number> = { meanF1: mean(f1s), medianF1: median(f1s), msPerPage, failures: failures.length };
  const lines = [`${name}:`];
  if (rows[0]?.shingle) {
    const p = mean(rows.map((row) => row.shingle!.precision));
    const r = mean(rows.map((row) => row.shingle!.recall));
    figures.bodyF1 = harmonic(p, r);
    lines.push(`  body F1 ${harmonic(p, r).toFixed(3)} (P ${p.toFixed(3)}, R ${r.toFixed(3)}); per-page F1 mean ${figures.meanF1!.toFixed(3)}, median ${figures.medianF1!.toFixed(3)}`);
    const field = (key: 'title' | 'byline' | 'publishedTime' | 'lang', label: string): string => {
      const withField = rows.filter((row) => row.page.expectedMeta?.[key]);
      const hits = withField.filter((row) => !row.metaMisses.some((miss) => miss.startsWith(label)));
      figures[label] = withField.length === 0 ? Number.NaN : hits.length / withField.length;
      return `${label} ${pct(hits.length, withField.length)}`;
    };
    lines.push(`  ${field('title', 'title')}, ${field('byline', 'author')}, ${field('publishedTime', 'date')}, ${field('lang', 'language')}`);
    const multi = rows.filter((row) => (decoded(row.page).match(/<article[\s>]/gi)?.length ?? 0) >= 2);
    if (multi.length > 0) {
      figures.multiArticleMin = Math.min(...multi.map((row) => row.f1));
      lines.push(`  pages with 2+ <article>: ${multi.length}, mean F1 ${mean(multi.map((row) => row.f1)).toFixed(3)}, lowest ${figures.multiArticleMin.toFixed(3)}`);
    }
  } else {
    const sum = (key: 'tp' | 'fn' | 'fp' | 'tn'): number => rows.reduce((total, row) => total + row.snippet![key], 0);
    const [tp, fn, fp, tn] = [sum('tp'), sum('fn'), sum('fp'), sum('tn')];
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    figures.snippetF = harmonic(precision, recall);
    lines.push(`  snippets F ${figures.snippetF.toFixed(3)} (P ${precision.toFixed(3)}, R ${recall.toFixed(3)}, accuracy ${((tp + tn) / (tp + tn + fp + fn)).toFixed(3)}; tp ${tp} fn ${fn} fp ${fp} tn ${tn}); per-page F1 mean ${figures.meanF1!.toFixed(3)}, median ${figures.medianF1!.toFixed(3)}, F1 = 0 on ${f1s.filter((f) => f === 0).length} pages`);
  }
  lines.push(`  ${msPerPage.toFixed(2)} ms per page; ${failures.length} failures${failures.length ? ': ' + failures.slice(0, 5).map((row) => `${row.page.name} (${row.result.error})`).join(', ') : ''}`);
  if (worst > 0) {
    lines.push(`  worst ${worst}:`);
    const sorted = [...rows].sort((a, b) => a.f1 - b.f1 || b.metaMisses.length - a.metaMisses.length).slice(0, worst);
    for (const row of sorted) lines.push(`    ${row.f1.toFixed(2)} ${row.page.name}: ${whatWentWrong(row)}`);
  }
  console.log(lines.join('\n'));
  return figures;
}

async function run(dir: string, only: string | null, worst: number, json: string | null): Promise<Record<string, Record<string, number>>> {
  const pages = existsSync(join(dir, 'annotations.json')) ? loadTrafilatura(dir) : loadReadability(dir);
  const names = Object.keys(systems).filter((name) => only === null || name === only);
  const rows: Record<string, Row[]> = Object.fromEntries(names.map((name) => [name, []]));
  // Warm-up on a few pages, so the first pages do not carry the JIT's start.
  for (const page of pages.slice(0, 5)) for (const name of names) await systems[name]!(page);
  for (const page of pages) {
    // Systems take turns on each page, so a busy moment of the machine falls on all of them.
    for (const name of names) {
      const start = process.hrtime.bigint();
      const result = await systems[name]!(page);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const row: Row = { page, result, ms, f1: 0, metaMisses: metaMisses(page, result) };
      if (page.expectedText !== undefined) {
        row.shingle = shingleScore(page.expectedText, result.text);
        row.f1 = row.shingle.f1;
      } else {
        row.snippet = snippetScore(squash(result.text), page.wanted ?? [], page.unwanted ?? []);
        const { tp, fp, fn } = row.snippet;
        row.f1 = harmonic(tp + fp === 0 ? 1 : tp / (tp + fp), tp + fn === 0 ? 1 : tp / (tp + fn));
      }
      rows[name]!.push(row);
    }
  }
  console.log(`\n${basename(dir)}: ${pages.length} pages`);
  const figures: Record<string, Record<string, number>> = {};
  for (const name of names) figures[name] = report(dir, name, rows[name]!, worst);
  if (json !== null) {
    const dump = Object.fromEntries(names.map((name) => [name, rows[name]!.map((row) => ({
      page: row.page.name, f1: row.f1, ms: row.ms, error: row.result.error ?? null, shingle: row.shingle ?? null,
      snippet: row.snippet ?? null, metaMisses: row.metaMisses, text: row.result.text, title: row.result.title,
      authors: row.result.authors, date: row.result.date, language: row.result.language,
    }))]));
    writeFileSync(json.replace(/(\.json)?$/, `-${basename(dir)}.json`), JSON.stringify(dump));
  }
  if (figures.ours && figures.readability) {
    console.log(`ours / readability time: ${(figures.ours.msPerPage! / figures.readability.msPerPage!).toFixed(2)}`);
  }
  return figures;
}

const args = process.argv.slice(2);
let worst = 10;
let only: string | null = null;
let json: string | null = null;
const dirs: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--worst') worst = Number(args[++i]);
  else if (args[i] === '--only') only = args[++i] ?? null;
  else if (args[i] === '--json') json = args[++i] ?? null;
  else dirs.push(args[i]!);
}
if (dirs.length === 0) {
  console.error('usage: npm run bench:quality -- <dir>... [--worst N] [--only ours|readability|defuddle]');
  process.exit(2);
}
for (const dir of dirs) await run(dir, only, worst, json);
if (libraryMessages > 0) console.log(`(the libraries wrote ${libraryMessages} console messages, not shown)`);
