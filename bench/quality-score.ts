// Scoring for `bench:quality`: body text by 4-token shingles (the way scrapinghub's
// article-extraction-benchmark scores it), snippets the way trafilatura's evaluation does, and
// metadata fields by normalized equality.
import { parseHTML } from 'linkedom';

/** Word tokens as Python's `re.findall(r'\w+', text)` gives them: letters, digits, `_`; case kept. */
export function tokens(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** The multiset of n-token shingles of a text; a text shorter than n is one shingle. */
export function shingles(text: string, n = 4): Map<string, number> {
  const words = tokens(text);
  const counts = new Map<string, number>();
  const add = (key: string): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  if (words.length > 0 && words.length < n) add(words.join(' '));
  for (let i = 0; i + n <= words.length; i++) add(words.slice(i, i + n).join(' '));
  return counts;
}

export interface ShingleScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * True and false positives and negatives of the extracted text's shingles against the expected
 * text's. An empty extraction of an empty expectation is perfect; of anything else, it has
 * precision 1 and recall 0 (it claimed nothing wrong, and found nothing).
 */
export function shingleScore(expected: string, extracted: string): ShingleScore {
  const truth = shingles(expected);
  const guess = shingles(extracted);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [key, count] of guess) {
    const hit = Math.min(count, truth.get(key) ?? 0);
    tp += hit;
    fp += count - hit;
  }
  for (const [key, count] of truth) fn += count - Math.min(count, guess.get(key) ?? 0);
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  return { tp, fp, fn, precision, recall, f1: harmonic(precision, recall) };
}

export function harmonic(a: number, b: number): number {
  return a + b === 0 ? 0 : (2 * a * b) / (a + b);
}

/** Whitespace-normalized as trafilatura's evaluation does: each run one space, ends stripped. */
export function squash(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

export interface SnippetScore {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  missing: string[];
  unwanted: string[];
}

/** `with` snippets found are true positives, `without` snippets found false positives. */
export function snippetScore(extracted: string, wanted: readonly string[], unwanted: readonly string[]): SnippetScore {
  const text = squash(extracted);
  const score: SnippetScore = { tp: 0, fn: 0, fp: 0, tn: 0, missing: [], unwanted: [] };
  for (const snippet of wanted) {
    if (text.includes(squash(snippet))) score.tp++;
    else {
      score.fn++;
      score.missing.push(snippet);
    }
  }
  for (const snippet of unwanted) {
    if (text.includes(squash(snippet))) {
      score.fp++;
      score.unwanted.push(snippet);
    } else score.tn++;
  }
  return score;
}

/** Lower case, one space, typographic quotes and dashes made plain, outer punctuation dropped. */
export function plain(text: string): string {
  return squash(text.normalize('NFKC').toLowerCase())
    .replace(/[‘’‚‛]/g, "'")
    .replace(/[“”„‟]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/^[\s"'.,:;|-]+|[\s"'.,:;|-]+$/g, '');
}

/** The names of a byline: "By A, B and C" gives A, B, C. */
export function bylineNames(byline: string): string[] {
  return plain(byline)
    .replace(/^(?:by|von|par|por|di|door|av|przez)\s+/, '')
    .split(/\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * Whether an author list is right for an expected byline: the same names in any order, or (the
 * byline being the text of a page's byline box, often with a date or a job after the name) at
 * least one name, every one of which the byline contains.
 */
export function sameAuthors(expected: string, actual: readonly string[]): boolean {
  const want = bylineNames(expected).sort();
  const got = actual.flatMap(bylineNames).sort();
  if (want.length === 0) return got.length === 0;
  if (want.length === got.length && want.every((name, i) => name === got[i])) return true;
  const text = plain(expected);
  return got.length > 0 && got.every((name) => text.includes(name));
}

/**
 * Whether a title is right: the same text, or the expected one with a part before or after a
 * separator (" | ", " - ", " · " ...) that the other left out, as a site name is.
 */
export function sameTitle(expected: string, actual: string | null): boolean {
  const want = plain(expected);
  const got = plain(actual ?? '');
  if (got === '') return want === '';
  if (want === got) return true;
  const separators = [' | ', ' - ', ' – ', ' — ', ' :: ', ' · ', ' • ', ' / ', ' » '];
  const loose = squash(expected.normalize('NFKC').toLowerCase());
  return separators.some((separator) => {
    const parts = loose.split(separator);
    if (parts.length < 2) return false;
    return plain(parts.slice(0, -1).join(separator)) === got || plain(parts.slice(1).join(separator)) === got;
  });
}

/** The calendar days a timestamp can mean: as written, and in UTC. */
function daysOf(value: string): string[] {
  const days = new Set<string>();
  const written = /^(\d{4}-\d{2}-\d{2})/.exec(value.trim());
  if (written) days.add(written[1]!);
  const time = Date.parse(value);
  if (!Number.isNaN(time)) days.add(new Date(time).toISOString().slice(0, 10));
  return [...days];
}

/** Whether two dates name the same day (a timestamp's day as written or in UTC). */
export function sameDay(expected: string, actual: string | null): boolean {
  if (actual === null || actual === '') return false;
  const want = daysOf(expected);
  return daysOf(actual).some((day) => want.includes(day));
}

/** Whether two language tags share their primary language (`en-US` and `en`). */
export function sameLanguage(expected: string, actual: string | null): boolean {
  if (actual === null || actual === '') return false;
  const primary = (tag: string): string => tag.trim().toLowerCase().split(/[-_]/)[0]!;
  return primary(expected) === primary(actual);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

const BLOCK = /^(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul)$/;

/** The text of an HTML fragment, blocks on lines of their own (so words of two blocks never join). */
export function htmlText(html: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const parts: string[] = [];
  const walk = (node: Node): void => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === 3) parts.push(child.textContent ?? '');
      else if (child.nodeType === 1) {
        const name = (child as Element).localName;
        if (name === 'script' || name === 'style' || name === 'template' || name === 'noscript') continue;
        const block = BLOCK.test(name);
        if (block) parts.push('\n');
        walk(child);
        if (block) parts.push('\n');
      }
    }
  };
  walk(document.body);
  return parts.join('').replace(/[ \t\r\f\v\u00a0]+/g, ' ').replace(/ *\n[\s]*/g, '\n').trim();
}

