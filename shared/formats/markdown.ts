import MarkdownIt, { type Token } from 'markdown-it';
import { parse } from 'yaml';
import { DocumentError } from '../errors.ts';
import { collapse, headingText, linesToParagraphs, stripMarkup } from '../text.ts';
import { metadataFrom } from './record.ts';
import type { Extracted } from './types.ts';

const FENCE = /^(?:---|\.\.\.)\s*$/;
const TOP_HEADING = /^#\s+(\S.*)$/;
// Bounds for front matter, which is a few lines of metadata, never a document of its own.
const MAX_FRONT_MATTER_LINES = 500;
const MAX_ALIASES = 50;

/** True when the text opens with a `---` YAML front matter block. */
export function hasFrontMatter(lines: readonly string[]): boolean {
  return lines.length > 1 && lines[0]!.trim() === '---';
}

function readFrontMatter(lines: readonly string[]): { record: Record<string, unknown>; bodyStart: number } {
  let end = 1;
  while (end < lines.length && end <= MAX_FRONT_MATTER_LINES && !FENCE.test(lines[end]!)) end++;
  if (end >= lines.length || end > MAX_FRONT_MATTER_LINES) {
    throw new DocumentError('malformed', 'The front matter opened by "---" is never closed.');
  }
  let data: unknown;
  try {
    // logLevel 'error': an unknown tag (`!custom`) reads as a plain value instead of printing a
    // process warning for each document.
    data = parse(lines.slice(1, end).join('\n'), { maxAliasCount: MAX_ALIASES, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unknown error';
    throw new DocumentError('malformed', `The front matter is not valid YAML (${reason}).`, { cause: error });
  }
  if (data === null || data === undefined) return { record: {}, bodyStart: end + 1 };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new DocumentError('malformed', 'The front matter is YAML but not a mapping of fields.');
  }
  return { record: data as Record<string, unknown>, bodyStart: end + 1 };
}

const markdown = new MarkdownIt({ html: true });
const BLOCK_MARKER = /^(?:#{1,6} |- |> |\d{1,3}[.)] )+/;

/**
 * The text of a paragraph's inline Markdown: emphasis, links, images (their alt text), code spans
 * and escapes become what they say; inline HTML goes. A leading heading, list or quote marker
 * stays, as the schema keeps it.
 *
 * @example
 * inlineText('- **Bold** [link](https://x.example) and `code`') // '- Bold link and code'
 */
export function inlineText(paragraph: string): string {
  const marker = BLOCK_MARKER.exec(paragraph)?.[0] ?? '';
  // Markup first, with the content of scripts and the like, which inline parsing would keep.
  const content = stripMarkup(paragraph.slice(marker.length));
  if (!/[*_`[\]!<&\\~]/.test(content)) return paragraph;
  let text = '';
  const walk = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      if (token.type === 'text' || token.type === 'code_inline') text += token.content;
      else if (token.type === 'softbreak' || token.type === 'hardbreak') text += ' ';
      else if (token.type === 'image') walk(token.children ?? []);
    }
  };
  for (const token of markdown.parseInline(content, {})) walk(token.children ?? []);
  return marker + collapse(text);
}

/** Reads Markdown, with optional YAML front matter (title, author(s), date, url, tags). */
export function parseMarkdown(lines: readonly string[]): Extracted {
  const { record, bodyStart } = hasFrontMatter(lines) ? readFrontMatter(lines) : { record: {}, bodyStart: 0 };
  const meta = metadataFrom(record);
  let start = bodyStart;
  while (start < lines.length && lines[start]!.trim() === '') start++;
  let title = meta.title;
  const heading = start < lines.length ? TOP_HEADING.exec(lines[start]!.trim()) : null;
  // The first `# Heading` is the title when the front matter has none, or repeats it.
  if (heading && (title === '' || collapse(heading[1]!) === title)) {
    title = headingText(heading[1]!);
    start++;
  }
  return { ...meta, title: inlineText(title), paragraphs: linesToParagraphs(lines, start, lines.length).map(inlineText) };
}
