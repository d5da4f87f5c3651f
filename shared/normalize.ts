import { decodeBytes } from './decode.ts';
import { MAX_DOCUMENT_BYTES, SCHEMA_VERSION, type DocumentFormat, type DocumentMeta, type NormalizedDocument } from './document.ts';
import { DocumentError } from './errors.ts';
import { parseArticle } from './formats/article.ts';
import { parseHtml } from './formats/html.ts';
import { parseJson } from './formats/json.ts';
import { hasFrontMatter, parseMarkdown } from './formats/markdown.ts';
import { parseText } from './formats/text.ts';
import type { Extracted } from './formats/types.ts';
import { documentIdForBytes, documentIdForKey, sha256Hex } from './hash.ts';
import { detectLanguage } from './language.ts';
import { canonicalUrl, siteOf } from './url.ts';
import { collapse, countWords, excerptOf, isBlockMarker, readingMinutes, splitLines, stripBlockMarker, stripMarkup, toNFC } from './text.ts';

const HTML_START = /^<(?:!doctype\s+html|html|head|body|meta|title|article|main|section|div|p|h[1-6]|!--)[\s>/]/i;
const EXTENSION = /\.([a-z0-9]+)$/i;
const NON_SPACE = /\S/;
const MAX_TITLE = 500;

type Hint = DocumentFormat | null;

function hintOf(meta: DocumentMeta): Hint {
  const type = meta.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const extension = EXTENSION.exec(meta.key ?? '')?.[1]?.toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json') || extension === 'json') return 'json';
  if (type === 'text/html' || type === 'application/xhtml+xml' || extension === 'html' || extension === 'htm') return 'html';
  if (type === 'text/markdown' || extension === 'md' || extension === 'markdown') return 'markdown';
  return null;
}

/** The format and fields of a text. */
function extract(text: string, meta: DocumentMeta): { format: DocumentFormat; extracted: Extracted } {
  const hint = hintOf(meta);
  const start = text.search(NON_SPACE);
  const first = text[start];
  if (first === '{' || first === '[' || hint === 'json') {
    const json = parseJson(text);
    if (json) return { format: 'json', extracted: json };
    if (hint === 'json') throw new DocumentError('malformed', 'The file is declared as JSON but is not valid JSON.');
  }
  if (first === '<' && (hint === 'html' || HTML_START.test(text.slice(start, start + 64)))) {
    return { format: 'html', extracted: parseHtml(text) };
  }
  const lines = splitLines(text);
  if (hasFrontMatter(lines)) return { format: 'markdown', extracted: parseMarkdown(lines) };
  const article = parseArticle(lines);
  if (article) return { format: 'article', extracted: article };
  if (hint === 'html') return { format: 'html', extracted: parseHtml(text) };
  if (hint === 'markdown' || /^#\s+\S/.test(text.slice(start, start + 200))) {
    return { format: 'markdown', extracted: parseMarkdown(lines) };
  }
  return { format: 'text', extracted: parseText(lines) };
}

function fallbackTitle(paragraphs: string[], key: string | undefined): string {
  const heading = paragraphs.find((p) => p.startsWith('#'));
  if (heading) return stripBlockMarker(heading);
  const name = key?.split('/').pop()?.replace(EXTENSION, '');
  if (name) return name;
  const first = stripBlockMarker(paragraphs[0] ?? '');
  return first.length > 80 ? first.slice(0, first.lastIndexOf(' ', 80) > 20 ? first.lastIndexOf(' ', 80) : 80) + '…' : first;
}

/** Text without markup, whitespace collapsed. */
function safeText(text: string): string {
  const stripped = stripMarkup(text);
  return stripped === text ? text : collapse(stripped);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function normalize(bytes: Uint8Array, meta: DocumentMeta): NormalizedDocument {
  const maxBytes = meta.maxBytes ?? MAX_DOCUMENT_BYTES;
  if (bytes.length > maxBytes) {
    throw new DocumentError('too_large', `The file is ${megabytes(bytes.length)}, over the ${megabytes(maxBytes)} limit for one document.`);
  }
  if (bytes.length === 0) throw new DocumentError('empty', 'The file is empty (0 bytes).');
  const decoded = decodeBytes(bytes, meta.contentType);
  let text = decoded.text;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!NON_SPACE.test(text)) throw new DocumentError('empty', 'The file contains only whitespace.');
  text = toNFC(text);

  const { format, extracted } = extract(text, meta);
  // Inline markup in any format (HTML in Markdown, JSON or text; escaped tags in HTML text) is
  // dropped, so no served text runs when a client renders it as HTML.
  const paragraphs: string[] = [];
  for (const paragraph of extracted.paragraphs) {
    const clean = safeText(paragraph);
    if (clean !== '' && !isBlockMarker(clean)) paragraphs.push(clean);
  }
  if (paragraphs.length === 0) {
    throw new DocumentError('empty', `The ${format} document has a title at most, and no body text.`);
  }
  const body = paragraphs.join('\n\n');
  let title = safeText(extracted.title) || fallbackTitle(paragraphs, meta.key);
  if (title.length > MAX_TITLE) title = title.slice(0, MAX_TITLE - 1) + '…';
  const url = extracted.url === null ? null : canonicalUrl(extracted.url);
  const wordCount = countWords(body, paragraphs);
  return {
    id: meta.key ? documentIdForKey(meta.key) : documentIdForBytes(bytes),
    schemaVersion: SCHEMA_VERSION,
    sourceKey: meta.key ?? null,
    format,
    title,
    authors: extracted.authors.map(safeText).filter((name) => name !== ''),
    publishedAt: extracted.publishedAt,
    imageCredit: extracted.imageCredit === null ? null : safeText(extracted.imageCredit) || null,
    url,
    site: siteOf(url),
    language: extracted.language ?? detectLanguage(body),
    tags: extracted.tags.map(safeText).filter((tag) => tag !== ''),
    body,
    excerpt: excerptOf(paragraphs),
    wordCount,
    readingTimeMinutes: readingMinutes(wordCount),
    contentHash: sha256Hex(title + '\n\n' + body),
    sourceBytes: bytes.length,
    encoding: decoded.encoding,
  };
}

/**
 * Turns the bytes of an uploaded document into one normalized document. Pure and synchronous:
 * no I/O, no clock, no AWS SDK. The content decides the format; the key's extension and the
 * content type are hints.
 *
 * @throws {DocumentError} for every input that cannot become a document (and nothing else).
 * @example
 * const doc = normalizeDocument(readFileSync('seeds/000_5f7353310f704cc7.txt'), { key: 'news/000.txt' });
 * doc.title   // 'Turkey Says Delivery of Second Russian S-400 Batch Might Be Delayed'
 * doc.authors // ['Reuters']
 */
export function normalizeDocument(bytes: Uint8Array, meta: DocumentMeta = {}): NormalizedDocument {
  try {
    return normalize(bytes, meta);
  } catch (error) {
    if (error instanceof DocumentError) throw error;
    if (error instanceof RangeError) {
      throw new DocumentError('too_complex', 'The document is too deeply nested or too complex to read.', { cause: error });
    }
    throw new DocumentError('malformed', 'The document could not be read.', { cause: error });
  }
}
