import { authorsFrom, namesIn, parseByline } from '../../authors.ts';
import { collapse } from '../../text.ts';
import { inComments } from './scored.ts';

/** What a page says about itself, from JSON-LD, meta tags, microdata and the page's own text. */
export interface PageMetadata {
  /** The chosen title, site-name affixes removed; '' when the page has none. */
  title: string;
  authors: string[];
  /** The publication date as written (the normalizer reads it), or ''. */
  published: string;
  /** The last modification date as written, or '': a date for pages that give no other. */
  modified: string;
  /** The page's own URL as written (canonical link, og:url, JSON-LD), or ''. */
  url: string;
  language: string;
  tags: string[];
  siteNames: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ARTICLE_TYPE = /(?:Article|BlogPosting|Posting)$|^Report$/;
const PAGE_TYPE = /Page$/;
const MAX_JSON_NODES = 500;

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typesOf(node: JsonObject): string[] {
  const type = node['@type'];
  const list = Array.isArray(type) ? type : [type];
  return list.filter((item): item is string => typeof item === 'string').map((item) => item.replace(/^.*[/#:]/, ''));
}

/** Every object in the page's JSON-LD blocks (inside `@graph`, arrays and nested values). */
function jsonLdNodes(document: Document): JsonObject[] {
  const nodes: JsonObject[] = [];
  for (const script of document.querySelectorAll('script')) {
    const type = (script.getAttribute('type') ?? '').trim().toLowerCase();
    if (!type.startsWith('application/ld+json')) continue;
    const text = (script.textContent ?? '').trim().replace(/^(?:<!--|\/\/\s*<!\[CDATA\[|<!\[CDATA\[)\s*/, '').replace(/\s*(?:-->|\/\/\s*\]\]>|\]\]>)$/, '');
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      continue; // Malformed JSON-LD is common; it only means this block says nothing.
    }
    const stack: Json[] = [parsed];
    while (stack.length > 0 && nodes.length < MAX_JSON_NODES) {
      const value = stack.pop()!;
      if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]!);
      else if (isObject(value)) {
        if (value['@type'] !== undefined) nodes.push(value);
        for (const [key, child] of Object.entries(value)) {
          if (key === '@graph' || (typeof child === 'object' && child !== null && key !== 'author')) stack.push(child);
        }
      }
    }
  }
  return nodes;
}

/** A JSON-LD value with `{"@id": ...}` references replaced by the node they name. */
function resolve(value: Json | undefined, byId: Map<string, JsonObject>): Json | undefined {
  if (Array.isArray(value)) return value.map((item) => resolve(item, byId) ?? null);
  if (isObject(value) && typeof value['@id'] === 'string' && Object.keys(value).length === 1) return byId.get(value['@id']) ?? value;
  return value;
}

function firstString(...values: Array<Json | undefined>): string {
  for (const value of values) {
    if (typeof value === 'string' && value.trim() !== '') return collapse(value);
    if (Array.isArray(value)) {
      const inner = firstString(...value);
      if (inner !== '') return inner;
    }
  }
  return '';
}

function urlOf(value: Json | undefined): string {
  if (typeof value === 'string') return value.trim();
  if (isObject(value)) return firstString(value['@id'], value.url);
  return '';
}

interface LdFacts {
  headline: string;
  /** An article's `name`: its title on some sites, the site's name or a description on others. */
  name: string;
  authors: string[];
  published: string;
  modified: string;
  url: string;
  language: string;
  keywords: string[];
  siteNames: string[];
}

function readJsonLd(document: Document): LdFacts {
  const nodes = jsonLdNodes(document);
  const byId = new Map<string, JsonObject>();
  for (const node of nodes) if (typeof node['@id'] === 'string') byId.set(node['@id'], node);
  const article = nodes.find((node) => typesOf(node).some((type) => ARTICLE_TYPE.test(type)));
  const page = nodes.find((node) => typesOf(node).some((type) => PAGE_TYPE.test(type)));
  const main = article ?? page;
  const facts: LdFacts = { headline: '', name: '', authors: [], published: '', modified: '', url: '', language: '', keywords: [], siteNames: [] };
  for (const node of nodes) {
    if (typesOf(node).includes('WebSite')) {
      const name = firstString(node.name, node.alternateName);
      if (name) facts.siteNames.push(name);
    }
  }
  if (!main) return facts;
  facts.headline = firstString(main.headline);
  facts.name = article ? firstString(main.name) : '';
  const author = resolve(main.author ?? main.creator, byId);
  facts.authors = authorsFrom(Array.isArray(author) ? author.map((item) => resolve(item, byId) ?? null) : author);
  facts.published = firstString(main.datePublished, main.dateCreated, article ? undefined : page?.datePublished);
  facts.modified = firstString(main.dateModified);
  facts.url = urlOf(main.url) || urlOf(main.mainEntityOfPage);
  const language = resolve(main.inLanguage, byId);
  facts.language = isObject(language) ? firstString(language.alternateName, language.name) : firstString(language);
  const keywords = main.keywords;
  if (typeof keywords === 'string') facts.keywords = keywords.split(',');
  else if (Array.isArray(keywords)) facts.keywords = keywords.filter((item): item is string => typeof item === 'string');
  const publisher = resolve(main.publisher, byId);
  const publisherName = isObject(publisher) ? firstString(publisher.name) : '';
  if (publisherName) facts.siteNames.push(publisherName);
  return facts;
}

/** Meta tag values by lower-cased name, property, itemprop or http-equiv (several names allowed). */
function readMetaTags(document: Document): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  for (const meta of document.querySelectorAll('meta')) {
    const content = meta.getAttribute('content');
    if (content === null || content.trim() === '') continue;
    const keys = `${meta.getAttribute('name') ?? ''} ${meta.getAttribute('property') ?? ''} ${meta.getAttribute('itemprop') ?? ''} ${meta.getAttribute('http-equiv') ?? ''}`;
    for (const key of keys.toLowerCase().split(/\s+/)) {
      if (key === '') continue;
      const list = tags.get(key);
      if (list) list.push(content.trim());
      else tags.set(key, [content.trim()]);
    }
  }
  return tags;
}

function firstTag(tags: Map<string, string[]>, ...keys: string[]): string {
  for (const key of keys) {
    const value = tags.get(key)?.[0];
    if (value) return collapse(value);
  }
  return '';
}

const AUTHOR_TAGS = [
  'dc.creator', 'dc:creator', 'dcterms.creator', 'dcterm:creator', 'author', 'parsely-author', 'sailthru.author', 'article:author',
  'og:article:author', 'byl', 'citation_author',
];
const DATE_TAGS = [
  'article:published_time', 'og:article:published_time', 'article:published', 'datepublished', 'date', 'pubdate', 'publishdate',
  'publish-date', 'publish_date', 'publication_date', 'dc.date', 'dc.date.issued', 'dcterms.date', 'dcterms.issued', 'dcterms.created',
  'dcterms.available', 'parsely-pub-date', 'sailthru.date', 'citation_publication_date', 'citation_date',
];
const TITLE_TAGS = ['dc.title', 'dc:title', 'dcterms.title', 'dcterm:title', 'og:title', 'twitter:title', 'parsely-title', 'sailthru.title', 'citation_title'];

/** Microdata: the text an `itemprop` element gives (`content`, `datetime`, a nested name, or its text). */
function itemValue(element: Element): string {
  const attribute = element.getAttribute('content') ?? element.getAttribute('datetime');
  if (attribute) return collapse(attribute);
  if (element.hasAttribute('itemscope')) {
    const name = element.querySelector('[itemprop~="name"]');
    if (name) return itemValue(name);
  }
  return collapse(element.textContent ?? '');
}

function microdataAuthors(document: Document): string[] {
  const names: string[] = [];
  for (const element of document.querySelectorAll('[itemprop~="author"], [itemprop~="creator"]')) {
    const value = itemValue(element);
    if (value.length < 200) for (const name of namesIn(value)) if (!names.includes(name)) names.push(name);
  }
  return names;
}

const BYLINE_CLASS = /(?:^|[\s_-])(?:byline|by-line|author|authors|author-name|authorname|writer|autor|auteur|p-author|dateline)(?:$|[\s_-])/i;

/** On-page bylines: `rel=author` links, byline or author boxes, a "By ..." line after the headline. */
function pageBylineAuthors(document: Document, headline: Element | null): string[] {
  const names: string[] = [];
  const add = (list: string[]): void => {
    for (const name of list) if (!names.includes(name)) names.push(name);
  };
  for (const link of document.querySelectorAll('[rel~="author"]')) add(namesIn(link.textContent ?? ''));
  if (names.length > 0) return names;
  for (const element of document.body?.querySelectorAll('[class], [id]') ?? []) {
    const marks = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`;
    // A commenter's name is no author of the article ("comment-author").
    if (!BYLINE_CLASS.test(marks) || inComments(element)) continue;
    // A byline box often adds a date or a job on a line of its own: the names are on the first.
    const firstLine = (element.textContent ?? '').split(/\n|\s[|•·]\s/).map(collapse).find((line) => line !== '') ?? '';
    if (firstLine !== '' && firstLine.length < 150) {
      const byline = parseByline(firstLine) ?? namesIn(firstLine);
      if (byline.length > 0) {
        add(byline);
        break;
      }
    }
  }
  if (names.length > 0 || headline === null) return names;
  // A "By ..." line among the few text blocks after the headline.
  let seen = 0;
  for (let node = nextInOrder(headline, true); node !== null && seen < 12; node = nextInOrder(node, false)) {
    if (node.nodeType !== 3) continue;
    const text = collapse(node.parentElement?.textContent ?? '');
    if (text === '') continue;
    seen++;
    const byline = parseByline(text);
    if (byline) return byline;
  }
  return names;
}

/** The node after `node` in document order; with `skipChildren`, after its subtree. */
function nextInOrder(node: Node, skipChildren: boolean): Node | null {
  if (!skipChildren && node.firstChild) return node.firstChild;
  let current: Node | null = node;
  while (current !== null && current.nextSibling === null) current = current.parentNode;
  return current?.nextSibling ?? null;
}

const SEPARATORS = [' | ', ' - ', ' – ', ' — ', ' :: ', ' · ', ' • ', ' // ', ' / ', ' » ', ' « ', ' ~ '];

function nameKey(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

function hostKeys(url: string): string[] {
  const host = /^https?:\/\/([^/?#:]+)/i.exec(url)?.[1]?.toLowerCase().replace(/^www\d*\./, '');
  if (!host) return [];
  const labels = host.split('.');
  return [nameKey(host), nameKey(labels.length > 1 ? labels.slice(0, -1).join('.') : host)];
}

/** Whether a title part names the site: equal to a site name, or to the host, once both are squashed. */
function isSiteName(part: string, siteKeys: readonly string[]): boolean {
  const key = nameKey(part);
  return key.length > 0 && siteKeys.some((site) => site === key || (key.length >= 4 && site.startsWith(key)) || (site.length >= 4 && key === `the${site}`));
}

/**
 * A title without the site name it carries before or after a separator ("Story | The Daily",
 * "The Daily - Story"). Only a part that is the site name goes: a title with a dash in it stays.
 */
export function stripSiteName(title: string, siteKeys: readonly string[]): string {
  let text = collapse(title);
  for (let changed = true; changed; ) {
    changed = false;
    for (const separator of SEPARATORS) {
      const first = text.indexOf(separator);
      const last = text.lastIndexOf(separator);
      if (last > 0 && isSiteName(text.slice(last + separator.length), siteKeys)) {
        text = text.slice(0, last).trim();
        changed = true;
      } else if (first > 0 && isSiteName(text.slice(0, first), siteKeys)) {
        text = text.slice(first + separator.length).trim();
        changed = true;
      }
    }
  }
  return text;
}

/** The text of the page's headline element: the first `<h1>` in the body. */
function headlineElement(document: Document): Element | null {
  return document.body?.querySelector('h1') ?? null;
}

/**
 * The article's title in JSON-LD: `headline`, or `name` where the two differ and only `name`
 * matches the page's `<title>` or headline (some sites put a summary in `headline`).
 */
function ldTitle(ld: LdFacts, documentTitle: string, headline: string): string {
  if (ld.headline === '' || ld.name === '' || ld.headline === ld.name) return ld.headline || ld.name;
  const matches = (candidate: string): boolean => candidate === headline || documentTitle.includes(candidate);
  return !matches(ld.headline) && matches(ld.name) ? ld.name : ld.headline;
}

function chooseTitle(metaTitle: string, documentTitle: string, headline: string, siteKeys: readonly string[]): string {
  const fromMeta = stripSiteName(metaTitle, siteKeys);
  if (fromMeta !== '') return fromMeta;
  const fromDocument = stripSiteName(documentTitle, siteKeys);
  if (headline !== '' && fromDocument !== headline) {
    for (const separator of SEPARATORS) {
      // "<h1> | Something" in <title>, "Something" not known as the site: the headline.
      if (fromDocument.startsWith(headline + separator)) return headline;
      // "Story · Name" with the page's first <h1> a short "Name": a logo, so the site.
      if (fromDocument.endsWith(separator + headline) && headline.split(' ').length <= 3) return fromDocument.slice(0, -(separator + headline).length);
    }
  }
  return fromDocument || headline;
}

/**
 * Reads a page's metadata. JSON-LD (Article, NewsArticle, BlogPosting and the other article
 * types, else a WebPage; in `@graph`, arrays and `@id` references) comes first, then Open Graph
 * and `article:*`, Dublin Core, parsely and sailthru meta tags and `<meta name=author>`, then
 * microdata (`itemprop=author`, `itemprop=datePublished`), then the page itself (`rel=author`,
 * byline boxes, a "By ..." line after the headline). A value that is a placeholder, a URL or a
 * sentence is no author. The date found here may still be empty: the content's own
 * `<time datetime>` comes after all of these, and the modification date last (see `parseHtml`).
 *
 * @example
 * readMetadata(parsePage(html)).authors // ['Jane Roe']
 */
export function readMetadata(document: Document): PageMetadata {
  const ld = readJsonLd(document);
  const tags = readMetaTags(document);
  const url = collapse(document.querySelector('link[rel~="canonical"]')?.getAttribute('href') ?? '') || firstTag(tags, 'og:url') || ld.url;
  const siteNames = [...ld.siteNames, firstTag(tags, 'og:site_name')].filter((name) => name !== '');
  const siteKeys = [...siteNames.map(nameKey), ...hostKeys(url)].filter((key) => key !== '');
  const headlineNode = headlineElement(document);
  const headline = collapse(headlineNode?.textContent ?? '');
  let authors = ld.authors;
  for (const key of AUTHOR_TAGS) {
    if (authors.length > 0) break;
    for (const value of tags.get(key) ?? []) authors = [...authors, ...authorsFrom(value).filter((name) => !authors.includes(name))];
  }
  // Many sites fill `author` with their own name; the page's microdata or byline may name a person.
  const onlySite = authors.length > 0 && authors.every((name) => isSiteName(name, siteKeys));
  if (authors.length === 0 || onlySite) {
    const named = microdataAuthors(document);
    const found = named.length > 0 ? named : pageBylineAuthors(document, headlineNode);
    if (found.length > 0) authors = found;
  }
  // A site's name is no author of its own article (many sites fill `author` with it).
  if (authors.length > 1) authors = authors.filter((name) => !isSiteName(name, siteKeys));

  const titleElement = document.querySelector('title');
  const documentTitle = collapse(titleElement?.textContent ?? '');
  const metaTitle = [ldTitle(ld, documentTitle, headline), firstTag(tags, ...TITLE_TAGS)].find((candidate) => candidate !== '' && !isSiteName(candidate, siteKeys)) ?? '';
  // A personal site's pages carry its author's name as the site's.
  const title = chooseTitle(metaTitle, documentTitle, headline, [...siteKeys, ...authors.map(nameKey)]);

  const microdataDate = document.querySelector('[itemprop~="datePublished"]');
  const published = ld.published || firstTag(tags, ...DATE_TAGS) || (microdataDate ? itemValue(microdataDate) : '');

  const tagList: string[] = [];
  for (const keyword of [...(tags.get('keywords') ?? []), ...(tags.get('news_keywords') ?? []), ...(tags.get('parsely-tags') ?? []), ...(tags.get('sailthru.tags') ?? [])].flatMap((value) => value.split(','))) {
    tagList.push(keyword);
  }
  tagList.push(...(tags.get('article:tag') ?? []), ...ld.keywords);
  const language =
    document.documentElement.getAttribute('lang') ||
    document.documentElement.getAttribute('xml:lang') ||
    firstTag(tags, 'content-language', 'dc.language', 'language', 'og:locale') ||
    ld.language;
  const modified = ld.modified || firstTag(tags, 'article:modified_time', 'og:updated_time', 'dcterms.modified');
  return { title, authors, published, modified, url, language, tags: tagList, siteNames };
}
