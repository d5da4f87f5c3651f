import { collapse, linesToParagraphs } from '../text.ts';
import type { Extracted } from './types.ts';

const MAX_TITLE = 300;

/** Plain text: the first non-empty line is the title, the rest is the body. */
export function parseText(lines: readonly string[]): Extracted {
  let start = 0;
  while (start < lines.length && lines[start]!.trim() === '') start++;
  const first = collapse(lines[start] ?? '');
  // A first "line" that is a whole paragraph is body, not a title.
  const titled = first.length <= MAX_TITLE;
  return {
    title: titled ? first : '',
    authors: [],
    publishedAt: null,
    imageCredit: null,
    url: null,
    tags: [],
    language: null,
    paragraphs: linesToParagraphs(lines, titled ? start + 1 : start, lines.length),
  };
}
