// Body text helpers shared by the line-based formats (article, markdown, text).

const HEADING = /^#{1,6}\s+\S/;
const LIST_ITEM = /^(?:[-*+•]|\d{1,3}[.)])\s+\S/;
const RULE = /^(?:-{3,}|\*{3,}|_{3,})$/;
// A run of whitespace or control characters that is not already one plain space: replacing
// only those leaves prose, whose words are one space apart, untouched (four times faster).
const WHITESPACE_RUN = /[\s\u0000-\u001f\u007f]{2,}|[^\S ]|[\u0000-\u001f\u007f]/g;
/** Collapses every run of whitespace (and control characters) to one space, and trims. */
export function collapse(text: string): string {
  return text.replace(WHITESPACE_RUN, ' ').trim();
}

// Characters a block marker can start with: # - * + _ > digits and the bullet sign.
const MARKER_START: boolean[] = [];
for (const c of '#-*+_>0123456789•') MARKER_START[c.charCodeAt(0)] = true;

type BlockKind = 'paragraph' | 'list' | 'quote';

/**
 * Groups lines into paragraphs: blank lines separate paragraphs; headings, list items and
 * quotes each become a paragraph of their own (keeping their `#`, `-`, `>` markers); the lines
 * of one paragraph are joined and their whitespace collapsed.
 *
 * @example
 * linesToParagraphs(['Intro', 'text.', '', '## Sub', '- a', '- b'], 0, 6)
 * // ['Intro text.', '## Sub', '- a', '- b']
 */
export function linesToParagraphs(lines: readonly string[], start = 0, end = lines.length): string[] {
  const paragraphs: string[] = [];
  let current = '';
  let kind: BlockKind = 'paragraph';
  for (let i = start; i < end; i++) {
    const line = lines[i]!.trim();
    // Only lines that start with a marker character can be a heading, rule, quote or list item.
    if (line !== '' && !MARKER_START[line.charCodeAt(0)]) {
      current = current === '' ? line : current + ' ' + line;
      continue;
    }
    const heading = line !== '' && HEADING.test(line);
    if (line === '' || heading || RULE.test(line)) {
      addParagraph(paragraphs, current);
      if (heading) paragraphs.push(collapse(line));
      current = '';
      kind = 'paragraph';
    } else if (line.charCodeAt(0) === 62 /* > */) {
      const content = line.replace(QUOTE_MARKER, '');
      if (kind === 'quote') {
        current += ' ' + content;
      } else {
        // The block before is no quote (kind narrows to 'paragraph' or 'list' here).
        addParagraph(paragraphs, current);
        current = '> ' + content;
        kind = 'quote';
      }
    } else if (LIST_ITEM.test(line)) {
      addParagraph(paragraphs, current);
      current = line;
      kind = 'list';
    } else {
      current = current === '' ? line : current + ' ' + line;
    }
  }
  addParagraph(paragraphs, current);
  return paragraphs;
}

const QUOTE_MARKER = /^>+\s?/;

/** Adds a finished block's text, collapsed, to the paragraphs, unless nothing or a bare `>` is left. */
function addParagraph(paragraphs: string[], block: string): void {
  if (block === '') return;
  const text = collapse(block);
  if (text !== '' && text !== '>') paragraphs.push(text);
}

const MARKER_TOKEN = /^(?:#{1,6}|[-*+•>]|\d{1,3}[.)])$/;

/** True when the text is only a block marker: `#`, `-`, `>`, `1.` and the like (at most six characters). */
export function isBlockMarker(text: string): boolean {
  return text.length <= 6 && MARKER_START[text.charCodeAt(0)] === true && MARKER_TOKEN.test(text);
}

/**
 * Words in a body (its paragraphs joined by blank lines), not counting block markers. Paragraphs
 * are collapsed (single spaces, no leading or trailing space), so a paragraph's words are its
 * spaces plus one.
 */
export function countWords(body: string, paragraphs: readonly string[]): number {
  let words = paragraphs.length;
  for (let at = body.indexOf(' '); at !== -1; at = body.indexOf(' ', at + 1)) words++;
  for (const paragraph of paragraphs) {
    const first = paragraph.indexOf(' ');
    if (first > 0 && first <= 6 && isBlockMarker(paragraph.slice(0, first))) words--;
  }
  return words;
}

const EXCERPT_LENGTH = 240;
const TRAILING_PUNCTUATION = /[\s,;:.-]/;

/** The first ~240 characters of the first non-heading paragraph, cut at a word boundary. */
export function excerptOf(paragraphs: readonly string[]): string {
  const first = paragraphs.find((p) => !HEADING.test(p)) ?? paragraphs[0] ?? '';
  const text = stripBlockMarker(first);
  if (text.length <= EXCERPT_LENGTH) return text;
  const cut = text.lastIndexOf(' ', EXCERPT_LENGTH);
  let end = cut > EXCERPT_LENGTH / 2 ? cut : EXCERPT_LENGTH;
  // Without trailing whitespace and punctuation; walking back is cheaper than an end-anchored regex.
  while (end > 0 && TRAILING_PUNCTUATION.test(text[end - 1]!)) end--;
  return text.slice(0, end) + '…';
}

/** A paragraph without its leading `#`, `-`, `>` or `1.` marker. */
export function stripBlockMarker(paragraph: string): string {
  return MARKER_START[paragraph.charCodeAt(0)] ? paragraph.replace(BLOCK_MARKER, '') : paragraph;
}

const BLOCK_MARKER = /^(?:#{1,6}|[-*+•>]|\d{1,3}[.)])\s+/;

/** Minutes at 200 words a minute, at least 1 for any text. */
export function readingMinutes(words: number): number {
  return words === 0 ? 0 : Math.max(1, Math.round(words / 200));
}

const CLOSING_HASHES = /\s+#+\s*$/;

/** The text of a heading line's content: without closing `#`s or emphasis, whitespace collapsed. */
export function headingText(content: string): string {
  return collapse(unwrapEmphasis(content.replace(CLOSING_HASHES, '')));
}

/** Removes Markdown emphasis wrapping a whole line: `**Credit**` -> `Credit`. */
export function unwrapEmphasis(text: string): string {
  const first = text.charCodeAt(0);
  if (first !== 42 /* * */ && first !== 95 /* _ */) return text;
  const match = EMPHASIS.exec(text);
  return match ? match[2]!.trim() : text;
}

const EMPHASIS = /^([*_]{1,3})(.+?)\1$/;

/** The text in Unicode NFC. */
export function toNFC(text: string): string {
  return text.normalize('NFC');
}

/** Splits text into lines on LF, CRLF or a lone CR. */
export function splitLines(text: string): string[] {
  return text.indexOf('\r') === -1 ? text.split('\n') : text.split(/\r\n?|\n/);
}

// Elements whose whole content is code or embedded documents, never text.
const CODE_ELEMENT = /<(script|style|iframe|object|embed|template|noscript|svg|math|textarea)\b[\s\S]*?<\/\1\s*>/gi;
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
// A start or end tag, or what a browser would still read as one (unclosed, or cut by another `<`).
const TAG = /<[/!?]?[A-Za-z][^<>]*>?/g;
const TAG_START = /<[/!?]?[A-Za-z]/;

/**
 * Removes HTML markup from text, so that text served back can never run when a client renders
 * it as HTML: code elements with their content, comments, and every tag (with its attributes,
 * event handlers and `javascript:` URLs). A `<` that cannot open a tag ("a < b") stays.
 *
 * @example
 * stripMarkup('Hi <img src=x onerror=alert(1)> there') // 'Hi   there' (collapse it after)
 */
export function stripMarkup(text: string): string {
  if (text.indexOf('<') === -1 || !TAG_START.test(text)) return text;
  return text.replace(CODE_ELEMENT, ' ').replace(COMMENT, ' ').replace(TAG, ' ');
}
