import { Readability } from '@mozilla/readability';
import { namesIn, parseByline } from '../authors.ts';
import { parseLooseDate } from '../dates.ts';
import { languageTag } from '../language.ts';
import { collapse } from '../text.ts';
import { blocksOf } from './html/blocks.ts';
import { parsePage } from './html/dom.ts';
import { readMetadata } from './html/metadata.ts';
import { furnitureIn, scoredContent, type ScoredContent } from './html/scored.ts';
import type { Extracted } from './types.ts';

// Readability's cost grows fast with nesting (0.7 s at 400 levels); deeper pages, which real
// ones never are, get the scored extraction alone.
const READABILITY_MAX_DEPTH = 128;
// Bylines stand among the first few blocks of an article.
const BYLINE_BLOCKS = 4;

// A paragraph of prose: no heading, list item or quote, and longer than a caption or a link.
const PROSE_LENGTH = 80;
// How much more prose the scored extraction must hold to be taken over Readability's.
const MORE_PROSE = 1.5;

/** Characters in the paragraphs that are prose. */
function proseLength(paragraphs: readonly string[]): number {
  let length = 0;
  for (const paragraph of paragraphs) {
    if (paragraph.length > PROSE_LENGTH && !/^(?:#{1,6} |- |> )/.test(paragraph)) length += paragraph.length;
  }
  return length;
}

/** The first `<time datetime>` that dates the article: marked as the publication, or in its container. */
function articleTime(document: Document, scored: ScoredContent | null): string {
  const marked = document.querySelector('time[pubdate][datetime], time[itemprop~="datePublished"][datetime]');
  if (marked) return marked.getAttribute('datetime') ?? '';
  const headline = document.body?.querySelector('h1') ?? null;
  const containers = [headline?.closest('article'), scored?.root.closest('article'), scored?.root];
  for (const container of containers) {
    const time = container?.querySelector('time[datetime]');
    if (time) return time.getAttribute('datetime') ?? '';
  }
  return '';
}

// Set on the page's own furniture before Readability runs, which renames and unwraps elements
// (a `<div class="newsletter">` becomes its `<p>`) and so loses the marks that named them.
const FURNITURE_MARK = 'data-docflow-furniture';

/** Marks every element of the furniture that `furnitureIn` finds in the whole body, and all it holds. */
function markFurniture(body: Element): void {
  const isFurniture = furnitureIn(body);
  const visit = (element: Element): void => {
    if (isFurniture(element)) {
      element.setAttribute(FURNITURE_MARK, '');
      for (const inner of element.querySelectorAll('*')) inner.setAttribute(FURNITURE_MARK, '');
      return;
    }
    for (const child of element.children) visit(child);
  };
  for (const child of body.children) visit(child);
}

/**
 * The article's paragraphs by Readability (Mozilla's reader view), which changes the document
 * as it works, so it runs last. Null when it finds no article.
 */
function readabilityParagraphs(document: Document): string[] | null {
  if (document.body) markFurniture(document.body);
  const article = new Readability<Node>(document, { serializer: (node) => node, disableJSONLD: true, keepClasses: true }).parse();
  const root = article?.content;
  if (!root || root.nodeType !== 1) return null;
  const isFurniture = furnitureIn(root as Element);
  return blocksOf(root as Element, (element) => element.hasAttribute(FURNITURE_MARK) || isFurniture(element));
}

/** The paragraphs without a byline among the first few ("By Jane Roe", or the authors' names). */
function withoutByline(paragraphs: string[], authors: readonly string[]): string[] {
  const found = paragraphs.slice(0, BYLINE_BLOCKS).findIndex((paragraph) => {
    if (parseByline(paragraph) !== null) return true;
    const names = namesIn(paragraph);
    return names.length > 0 && names.every((name) => authors.includes(name));
  });
  return found === -1 ? paragraphs : paragraphs.filter((_, i) => i !== found);
}

/**
 * Chooses between the two extractions, as trafilatura weighs its own against a fallback:
 * Readability's, unless it found nothing, or the scored extraction holds more than half as much
 * prose again (Readability then kept one part of a story that runs over several containers, or
 * threw out a page it judged too short). Measured on the pages of `bench:quality`: prose, not
 * all text, since a longer extraction with more menus and link lists is no better.
 */
function chooseParagraphs(readable: string[] | null, scored: string[]): string[] {
  if (readable === null || readable.length === 0) return scored;
  return proseLength(scored) > MORE_PROSE * Math.max(proseLength(readable), 1) ? scored : readable;
}

/**
 * Reads an HTML page: its metadata (see `readMetadata`) and its article text, chosen between
 * Readability's extraction and a text-statistics one (see `scoredContent`).
 */
export function parseHtml(html: string): Extracted {
  const { document, depth } = parsePage(html);
  const meta = readMetadata(document);
  const body = document.body;
  const scored = scoredContent(body);
  const scoredParagraphs = scored ? blocksOf(scored.root, scored.drop) : [];
  const time = meta.published ? '' : articleTime(document, scored);
  // A page too short to score (a notice, a fragment) is its whole body, furniture aside.
  const fallback = scored ? [] : blocksOf(body, furnitureIn(body));
  const readable = depth <= READABILITY_MAX_DEPTH ? readabilityParagraphs(document) : null;
  let paragraphs = chooseParagraphs(readable, scoredParagraphs);
  if (paragraphs.length === 0) paragraphs = fallback;
  paragraphs = withoutByline(paragraphs, meta.authors);
  let title = meta.title;
  const firstHeading = paragraphs[0] !== undefined && /^#{1,2} /.test(paragraphs[0]) ? paragraphs[0].replace(/^#+ /, '') : null;
  if (firstHeading !== null && (title === '' || collapse(firstHeading) === title)) {
    title = firstHeading;
    paragraphs.shift();
  }
  const tags: string[] = [];
  for (const keyword of meta.tags) {
    const tag = collapse(keyword);
    if (tag !== '' && tag.length <= 100 && !tags.includes(tag)) tags.push(tag);
  }
  return {
    title,
    authors: meta.authors,
    publishedAt: parseLooseDate(meta.published || time || meta.modified),
    imageCredit: null,
    url: meta.url || null,
    tags,
    language: languageTag(meta.language),
    paragraphs,
  };
}
