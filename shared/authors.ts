import { collapse, toNFC, unwrapEmphasis } from './text.ts';

const BY_PREFIX = /^(?:by|from|author|authors|written by|von|par|por)\s*:?\s+/i;
const BY_WORD = /^by\s*:?\s+\S/i;
const SEPARATORS = /\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b)\s*/i;
const TRAILING_PUNCTUATION = /[.;,:]+$/;
const MAX_NAME = 100;
const MAX_NAMES = 50;
// Lower-case words that may stand inside a name ("Ludwig van Beethoven", "Bank of England").
const PARTICLES = new Set([
  'al', 'bin', 'da', 'das', 'de', 'del', 'della', 'den', 'der', 'des', 'di', 'do', 'dos', 'du', 'e', 'el', 'ibn', 'la', 'le',
  'for', 'of', 'st.', 'ten', 'ter', 'the', 'van', 'von', 'y', 'zu',
]);
// Degrees and titles written after a name ("Brenda Goodman, MA"): no names of their own.
const POST_NOMINALS = new Set(['ma', 'mba', 'md', 'mph', 'ms', 'msc', 'phd', 'ph.d.', 'rn', 'bsc', 'ba', 'jd', 'dds', 'jr', 'jr.', 'sr', 'sr.', 'esq']);
// Values that sites and templates put where a name belongs.
const PLACEHOLDERS = new Set([
  'admin', 'administrator', 'anonymous', 'author', 'by', 'editor', 'guest', 'n/a', 'na', 'none', 'null', 'redaktion', 'staff',
  'undefined', 'unknown', 'user', 'webmaster',
]);
// Words of a job title that sites add after a name ("Jane Roe, Senior Correspondent").
const ROLE_WORDS = new Set([
  'chief', 'columnist', 'contributing', 'contributor', 'correspondent', 'deputy', 'editor', 'editors', 'freelance', 'journalist',
  'managing', 'photographer', 'reporter', 'senior', 'special', 'staff', 'writer', 'writers',
]);
const CAPITALISED = /^[\p{Lu}\p{Lt}\p{Lo}]/u;
const INITIAL_OR_ABBREVIATION = /^[\p{L}]{1,3}\.$/u;
const URL_LIKE = /:\/\/|^www\.|\.(?:com|org|net|html?)(?:\/|$)|@/i;
const TEMPLATE_MARK = /\{\{|\}\}|%\w+%|\$\{|<|>/;

// A link or handle in brackets after a name: "Jane Roe (https://example.org/jane)".
const BRACKETED_LINK = /\s*[(<[][^)>\]]*(?::\/\/|@|www\.)[^)>\]]*[)>\]]/g;

function clean(value: string): string {
  return toNFC(collapse(unwrapEmphasis(collapse(value)).replace(BRACKETED_LINK, '')));
}

/**
 * Whether a value reads as one person's or organisation's name: one to six words, the first and
 * the last capitalised (or in a script without case), the others capitalised, initials or name
 * particles; no digits, no sentence punctuation, no URL.
 *
 * @example
 * isName('The Moscow Times') // true
 * isName('the end of the decade') // false
 */
export function isName(value: string): boolean {
  const name = value.trim();
  if (name === '' || name.length > MAX_NAME || /[\d!?:;"“”„«»()[\]{}|/\\]/.test(name) || URL_LIKE.test(name)) return false;
  if (PLACEHOLDERS.has(name.toLowerCase())) return false;
  const words = name.split(' ');
  if (words.length > 6) return false;
  if (!CAPITALISED.test(words[0]!) || !CAPITALISED.test(words.at(-1)!)) return false;
  return words.every((word) => {
    if (word.endsWith('.')) return INITIAL_OR_ABBREVIATION.test(word);
    if (word.includes('.')) return /^(?:\p{Lu}\.)+\p{Lu}?$/u.test(word); // "J.R.", "U.S"
    return CAPITALISED.test(word) || PARTICLES.has(word.toLowerCase());
  });
}

function isRole(part: string): boolean {
  const words = part.toLowerCase().split(' ');
  return POST_NOMINALS.has(part.toLowerCase()) || words.every((word) => ROLE_WORDS.has(word));
}

function uniqueNames(candidates: readonly string[]): string[] {
  const names: string[] = [];
  for (const candidate of candidates) {
    const name = clean(candidate);
    if (name !== '' && name.length <= MAX_NAME && !names.includes(name) && names.length < MAX_NAMES) names.push(name);
  }
  return names;
}

/**
 * The names of a byline line: "By", then one or more names joined by commas, "and" or "&", each a
 * name as `isName` reads it (an organisation such as "Reuters" or "The Moscow Times" counts, and
 * so does an agency after a slash, "Jane Roe/AP"). Null when the line is not such a byline, so a
 * body paragraph that starts with "By the end of the decade, ..." stays a paragraph.
 *
 * @example
 * parseByline('By Ivan Petrov and Anna Smirnova') // ['Ivan Petrov', 'Anna Smirnova']
 * parseByline('By the end of the decade, every bus will run on electricity.') // null
 */
export function parseByline(line: string): string[] | null {
  const text = clean(line);
  if (text.length >= 300 || !BY_WORD.test(text)) return null;
  const rest = text.replace(BY_PREFIX, '').replace(TRAILING_PUNCTUATION, '');
  const parts = rest.split(SEPARATORS).flatMap((part) => part.split(/\s*\/\s*/)).filter((part) => part !== '');
  if (parts.length === 0 || !parts.every(isName)) return null;
  return uniqueNames(parts);
}

/** True when a line is an article byline (see `parseByline`). */
export function isByline(line: string): boolean {
  return parseByline(line) !== null;
}

/**
 * The names in a byline-like value written by a site (a meta tag, an author box): an optional
 * "By", names joined by commas, "and" or "&"; job titles ("Senior Editor") are dropped, and a
 * value that is a placeholder, a URL or a sentence gives none.
 *
 * @example
 * namesIn('By Jane Roe, Senior Correspondent') // ['Jane Roe']
 * namesIn('https://www.facebook.com/someone') // []
 */
export function namesIn(value: string): string[] {
  const text = clean(value).replace(BY_PREFIX, '').replace(TRAILING_PUNCTUATION, '');
  if (text === '' || text.length >= 300) return [];
  const parts = text.split(SEPARATORS).filter((part) => part !== '' && !isRole(part));
  if (parts.length === 0 || !parts.every(isName)) return [];
  return uniqueNames(parts);
}

/**
 * The names in a byline as a writer of front matter or JSON gives it: "By A, B and C" gives
 * three, "By Reuters" one. Unlike `parseByline`, the "By" is optional and names need no capitals
 * (the file's author chose them), but placeholders, URLs and sentences are still no names.
 *
 * @example
 * splitByline('By Ivan Petrov and Anna Smirnova') // ['Ivan Petrov', 'Anna Smirnova']
 */
export function splitByline(byline: string): string[] {
  const text = clean(byline).replace(BY_PREFIX, '').replace(TRAILING_PUNCTUATION, '');
  return uniqueNames(text.split(SEPARATORS).filter((part) => isPlausibleName(part) && !isRole(part)));
}

/** Not a placeholder, a URL, a template marker or a sentence (a structured value's weaker test). */
function isPlausibleName(value: string): boolean {
  const name = clean(value);
  if (name === '' || PLACEHOLDERS.has(name.toLowerCase()) || URL_LIKE.test(name) || TEMPLATE_MARK.test(name)) return false;
  const words = name.split(' ').length;
  return words <= 8 && !(words >= 4 && /[.!?]$/.test(name));
}

/** Author values from structured data: a string (a byline), a list of strings, or objects with `name`. */
export function authorsFrom(value: unknown): string[] {
  if (typeof value === 'string') return splitByline(value);
  const items = Array.isArray(value) ? value.slice(0, MAX_NAMES) : [value];
  const names: string[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      if (isPlausibleName(item)) names.push(item);
    }
    else if (item !== null && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') {
      const name = (item as { name: string }).name;
      if (isPlausibleName(name)) names.push(name);
    }
  }
  return uniqueNames(names);
}
