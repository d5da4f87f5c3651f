import { parseByline } from '../authors.ts';
import { dateLine } from '../dates.ts';
import { collapse, headingText, linesToParagraphs, unwrapEmphasis } from '../text.ts';
import type { Extracted } from './types.ts';

const TITLE = /^#{1,2}\s+(\S.*)$/;
const CREDIT = /^#{1,6}\s*\*\*(.+?)\*\*\s*$/;
const TRAILER_HEADING = /^#{0,6}\s*original\s+url\s*:?\s*(\S*)\s*$/i;
const DIGIT = /\d/;
const URL_LINE = /^<?(https?:\/\/\S+)$/i;
// Header lines (byline, date, credit) sit within the first few lines after the title.
const MAX_HEADER_LINES = 8;

interface Header {
  authors: string[] | null;
  publishedAt: string | null;
  imageCredit: string | null;
  bodyStart: number;
}

function nextNonEmpty(lines: readonly string[], from: number): number {
  let i = from;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  return i;
}

function previousNonEmpty(lines: readonly string[], from: number): number {
  let i = from;
  while (i >= 0 && lines[i]!.trim() === '') i--;
  return i;
}

function readHeader(lines: readonly string[], start: number): Header {
  const header: Header = { authors: null, publishedAt: null, imageCredit: null, bodyStart: start };
  let seen = 0;
  let credit: RegExpExecArray | null;
  let names: string[] | null;
  let i = nextNonEmpty(lines, start);
  while (i < lines.length && seen < MAX_HEADER_LINES) {
    const line = lines[i]!.trim();
    if (header.authors === null && (names = parseByline(line)) !== null) {
      header.authors = names;
    } else if (header.imageCredit === null && (credit = CREDIT.exec(line)) !== null) {
      header.imageCredit = collapse(credit[1]!);
    } else if (header.publishedAt === null && line.length <= 60 && DIGIT.test(line)) {
      const date = dateLine(unwrapEmphasis(line));
      if (date === null) break;
      header.publishedAt = date;
    } else {
      break;
    }
    seen++;
    header.bodyStart = i + 1;
    i = nextNonEmpty(lines, i + 1);
  }
  return header;
}

interface Trailer {
  url: string | null;
  bodyEnd: number;
}

/** The URL a line holds (`https://...` or `<https://...>`), or null. */
function urlOfLine(line: string): string | null {
  const url = URL_LINE.exec(line)?.[1];
  if (url === undefined) return null;
  // A closing ">" is not part of the URL, unless nothing would be left after the "//".
  return url.endsWith('>') && url.length - 1 > url.indexOf('//') + 2 ? url.slice(0, -1) : url;
}

function readTrailer(lines: readonly string[], from: number): Trailer | null {
  const last = previousNonEmpty(lines, lines.length - 1);
  if (last < from) return null;
  const lastLine = lines[last]!.trim();
  const inline = TRAILER_HEADING.exec(lastLine);
  if (inline) {
    const url = inline[1] ? urlOfLine(inline[1]) : null;
    return { url, bodyEnd: last };
  }
  const url = urlOfLine(lastLine);
  if (url === null) return null;
  const heading = previousNonEmpty(lines, last - 1);
  const headingMatch = heading < from ? null : TRAILER_HEADING.exec(lines[heading]!.trim());
  if (!headingMatch || headingMatch[1]) return null;
  return { url, bodyEnd: heading };
}

/**
 * Reads the scraped-news article format: `## Title`, then (in any order) a `By ...` byline, a
 * date line and a `## **credit**` line, then the article, then an `## Original url:` trailer.
 * Returns null when the text is not in this format.
 */
export function parseArticle(lines: readonly string[]): Extracted | null {
  const titleIndex = nextNonEmpty(lines, 0);
  if (titleIndex >= lines.length) return null;
  const titleMatch = TITLE.exec(lines[titleIndex]!.trim());
  if (!titleMatch) return null;
  const header = readHeader(lines, titleIndex + 1);
  const trailer = readTrailer(lines, header.bodyStart);
  const hasHeader = header.authors !== null || header.publishedAt !== null || header.imageCredit !== null;
  if (!hasHeader && trailer === null) return null;

  return {
    title: headingText(titleMatch[1]!),
    authors: header.authors ?? [],
    publishedAt: header.publishedAt,
    imageCredit: header.imageCredit,
    url: trailer?.url ?? null,
    tags: [],
    language: null,
    paragraphs: linesToParagraphs(lines, header.bodyStart, trailer?.bodyEnd ?? lines.length),
  };
}
