import { collapse, toNFC, unwrapEmphasis } from './text.ts';

const BY_PREFIX = /^(?:by|from|author|authors|written by)\s*:?\s+/i;
const SEPARATORS = /\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b)\s*/i;
const TRAILING_PUNCTUATION = /[.;,]+$/;
const MAX_NAME = 100;
const BYLINE = /^[*_]{0,3}by\s+\S/i;

/**
 * The names in a byline: "By A, B and C" gives three, "By Reuters" one.
 *
 * @example
 * splitByline('By Ivan Petrov and Anna Smirnova') // ['Ivan Petrov', 'Anna Smirnova']
 */
export function splitByline(byline: string): string[] {
  const text = collapse(unwrapEmphasis(collapse(byline))).replace(BY_PREFIX, '').replace(TRAILING_PUNCTUATION, '');
  return uniqueNames(text.split(SEPARATORS));
}

/** Author values from structured data: a string (a byline), a list of strings, or objects with `name`. */
export function authorsFrom(value: unknown): string[] {
  if (typeof value === 'string') return splitByline(value);
  if (!Array.isArray(value)) {
    if (value !== null && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') {
      return uniqueNames([(value as { name: string }).name]);
    }
    return [];
  }
  const names: string[] = [];
  for (const item of value.slice(0, 50)) {
    if (typeof item === 'string') names.push(item);
    else if (item !== null && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') {
      names.push((item as { name: string }).name);
    }
  }
  return uniqueNames(names);
}

function uniqueNames(candidates: readonly string[]): string[] {
  const names: string[] = [];
  for (const candidate of candidates) {
    const name = toNFC(collapse(candidate));
    if (name !== '' && name.length <= MAX_NAME && !names.includes(name)) names.push(name);
  }
  return names;
}

/** True when a line is an article byline ("By ..."). */
export function isByline(line: string): boolean {
  return line.length < 300 && BYLINE.test(line);
}
