import { DomHandler, Element, type AnyNode } from 'domhandler';
import { Parser } from 'htmlparser2';
import { authorsFrom } from '../authors.ts';
import { parseLooseDate } from '../dates.ts';
import { DocumentError } from '../errors.ts';
import { languageTag } from '../language.ts';
import { collapse } from '../text.ts';
import type { Extracted } from './types.ts';

// Elements whose text is never article text.
const SKIPPED = new Set([
  'head', 'script', 'style', 'noscript', 'template', 'nav', 'header', 'footer', 'aside', 'form', 'iframe',
  'frame', 'frameset', 'object', 'embed', 'svg', 'math', 'canvas', 'button', 'select', 'textarea', 'input',
  'menu', 'dialog', 'audio', 'video', 'picture', 'img', 'map',
]);
const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'main', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'table',
  'thead', 'tbody', 'tr', 'td', 'th', 'caption', 'figure', 'figcaption', 'address', 'details', 'summary', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'body', 'center',
]);
// Class or id words that mark page furniture inside an article container.
const BOILERPLATE = /(?:^|[\s_-])(?:byline|share|sharing|social|related|comments?|newsletter|subscribe|promo|advert|ads?|sponsor|breadcrumbs?|cookie|paywall|toolbar|sidebar)(?:$|[\s_-])/i;

// Real pages nest a few dozen levels; the parser's cost grows with the square of the depth.
const MAX_DEPTH = 1000;

/** A DOM builder that refuses documents nested deeper than MAX_DEPTH. */
class BoundedDomHandler extends DomHandler {
  override onopentag(name: string, attribs: Record<string, string>): void {
    if (this.tagStack.length > MAX_DEPTH) {
      throw new DocumentError('too_complex', `The HTML is nested more than ${MAX_DEPTH} elements deep.`);
    }
    super.onopentag(name, attribs);
  }
}

function parseDom(html: string): AnyNode {
  const handler = new BoundedDomHandler(undefined, { withStartIndices: false });
  new Parser(handler, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true }).end(html);
  return handler.root;
}

interface Meta {
  title: string;
  ogTitle: string;
  siteName: string;
  authors: string[];
  published: string;
  canonical: string;
  ogUrl: string;
  keywords: string[];
  lang: string;
  roots: { article?: Element; main?: Element; roleMain?: Element; body?: Element };
}

function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function textOf(element: Element): string {
  let text = '';
  const stack: AnyNode[] = [element];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'text') text += (node as unknown as { data: string }).data;
    else if (isElement(node)) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return collapse(text);
}

function hidden(element: Element): boolean {
  const attribs = element.attribs;
  if ('hidden' in attribs || attribs['aria-hidden'] === 'true') return true;
  const style = attribs.style;
  return style !== undefined && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(style);
}

function boilerplate(element: Element): boolean {
  const marks = `${element.attribs.class ?? ''} ${element.attribs.id ?? ''} ${element.attribs.role ?? ''}`;
  return marks.length > 2 && (BOILERPLATE.test(marks) || /\b(?:navigation|banner|contentinfo|complementary)\b/.test(marks));
}

function readMeta(root: AnyNode): Meta {
  const meta: Meta = {
    title: '', ogTitle: '', siteName: '', authors: [], published: '', canonical: '', ogUrl: '', keywords: [], lang: '', roots: {},
  };
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'root') {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
      continue;
    }
    if (!isElement(node)) continue;
    const name = node.name;
    const a = node.attribs;
    if (name === 'html') meta.lang ||= a.lang ?? '';
    else if (name === 'title') meta.title ||= textOf(node);
    else if (name === 'meta') {
      const key = (a.property ?? a.name ?? a.itemprop ?? '').toLowerCase();
      const content = a.content ?? '';
      if (key === 'og:title') meta.ogTitle ||= collapse(content);
      else if (key === 'og:site_name') meta.siteName ||= collapse(content);
      else if (key === 'author' && meta.authors.length === 0) meta.authors = authorsFrom(content);
      else if (key === 'article:author' && meta.authors.length === 0 && !/^https?:/i.test(content)) meta.authors = authorsFrom(content);
      else if (['article:published_time', 'datepublished', 'date', 'pubdate', 'publish-date', 'dc.date'].includes(key)) meta.published ||= content;
      else if (key === 'og:url') meta.ogUrl ||= content.trim();
      else if (key === 'keywords') meta.keywords.push(...content.split(','));
      else if (key === 'article:tag') meta.keywords.push(content);
    } else if (name === 'link' && /(?:^|\s)canonical(?:\s|$)/i.test(a.rel ?? '')) meta.canonical ||= (a.href ?? '').trim();
    else if (name === 'article') meta.roots.article ??= node;
    else if (name === 'main') meta.roots.main ??= node;
    else if (name === 'body') meta.roots.body ??= node;
    if (a.role === 'main') meta.roots.roleMain ??= node;
    if (name === 'script' || name === 'style' || name === 'template') continue;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return meta;
}

function pageTitle(meta: Meta): string {
  if (meta.ogTitle) return meta.ogTitle;
  let title = meta.title;
  const bar = title.lastIndexOf(' | ');
  if (bar > 0) title = title.slice(0, bar).trim();
  for (const separator of [' - ', ' – ', ' — ', ' · ']) {
    if (meta.siteName && title.endsWith(separator + meta.siteName)) title = title.slice(0, -(separator + meta.siteName).length);
  }
  return title;
}

type Prefix = '' | '- ' | `${string} `;

/** The text blocks of an element, with headings, list items and quotes marked like Markdown. */
function blocksOf(root: Element): { paragraphs: string[]; firstDatetime: string } {
  const paragraphs: string[] = [];
  let buffer = '';
  let prefix: Prefix = '';
  let quoteDepth = 0;
  let firstDatetime = '';
  const flush = (): void => {
    const text = collapse(buffer);
    if (text !== '') paragraphs.push((quoteDepth > 0 ? '> ' : '') + prefix + text);
    buffer = '';
  };
  // Entries are nodes to enter, or closers to run when an element's children are done.
  const stack: Array<AnyNode | (() => void)> = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'function') {
      item();
      continue;
    }
    if (item.type === 'text') {
      buffer += (item as unknown as { data: string }).data;
      continue;
    }
    if (!isElement(item)) continue;
    const name = item.name;
    if (SKIPPED.has(name) || item.type !== 'tag' || hidden(item) || (item !== root && boilerplate(item))) continue;
    if (name === 'time' && !firstDatetime) firstDatetime = item.attribs.datetime ?? '';
    if (name === 'br') {
      buffer += ' ';
      continue;
    }
    if (BLOCKS.has(name)) {
      flush();
      const outer = prefix;
      if (name === 'li') prefix = '- ';
      else if (name.length === 2 && name[0] === 'h' && name[1]! >= '1' && name[1]! <= '6') prefix = `${'#'.repeat(Number(name[1]))} `;
      else if (name === 'blockquote') quoteDepth++;
      stack.push(() => {
        flush();
        prefix = outer;
        if (name === 'blockquote') quoteDepth--;
      });
    }
    for (let i = item.children.length - 1; i >= 0; i--) stack.push(item.children[i]!);
  }
  flush();
  return { paragraphs, firstDatetime };
}

/**
 * The `<body>` a browser would imply for a page or fragment that has none (`<p>..</p>`,
 * `<html><p>..</p></html>`): htmlparser2 builds no implied elements. Head and title stay out.
 */
function impliedBody(dom: AnyNode): Element | undefined {
  if (dom.type !== 'root') return undefined;
  let nodes = (dom as unknown as { children: AnyNode[] }).children;
  const html = nodes.find((node): node is Element => isElement(node) && node.name === 'html');
  if (html) nodes = html.children;
  const content = nodes.filter((node) => !(isElement(node) && (node.name === 'head' || node.name === 'title')));
  return content.length > 0 ? new Element('body', {}, content) : undefined;
}

/** Reads an HTML page: metadata from its head, article text from `<article>`, `<main>` or `<body>`. */
export function parseHtml(html: string): Extracted {
  const dom = parseDom(html);
  const meta = readMeta(dom);
  const root = meta.roots.article ?? meta.roots.main ?? meta.roots.roleMain ?? meta.roots.body ?? impliedBody(dom);
  const { paragraphs, firstDatetime } = root ? blocksOf(root) : { paragraphs: [], firstDatetime: '' };
  let title = pageTitle(meta);
  const firstHeading = paragraphs[0] !== undefined && /^#{1,2} /.exec(paragraphs[0]) ? paragraphs[0].replace(/^#+ /, '') : null;
  if (firstHeading !== null && (title === '' || firstHeading === title)) {
    title = firstHeading;
    paragraphs.shift();
  }
  const tags: string[] = [];
  for (const keyword of meta.keywords) {
    const tag = collapse(keyword);
    if (tag !== '' && tag.length <= 100 && !tags.includes(tag)) tags.push(tag);
  }
  return {
    title,
    authors: meta.authors,
    publishedAt: parseLooseDate(meta.published || firstDatetime),
    imageCredit: null,
    url: meta.canonical || meta.ogUrl || null,
    tags,
    language: languageTag(meta.lang),
    paragraphs,
  };
}
