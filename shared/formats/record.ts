import { authorsFrom } from '../authors.ts';
import { parseLooseDate } from '../dates.ts';
import { languageTag } from '../language.ts';
import { collapse } from '../text.ts';
import type { Extracted } from './types.ts';

export type Metadata = Omit<Extracted, 'paragraphs'>;

function firstOf(record: Record<string, unknown>, names: readonly string[]): unknown {
  for (const name of names) {
    if (Object.hasOwn(record, name) && record[name] !== null && record[name] !== undefined) return record[name];
  }
  return undefined;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return collapse(value) || null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function tagsFrom(value: unknown): string[] {
  const raw = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.slice(0, 100) : [];
  const tags: string[] = [];
  for (const item of raw) {
    const tag = text(item);
    if (tag && tag.length <= 100 && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

function dateFrom(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    // Epoch seconds or milliseconds.
    const date = new Date(value < 1e11 ? value * 1000 : value);
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }
  return typeof value === 'string' ? parseLooseDate(value) : null;
}

/**
 * The metadata fields of a structured record (JSON object or YAML front matter), accepting the
 * field names people use: `author`/`authors`/`byline`, `date`/`publishedAt`/`published_at`, ...
 */
export function metadataFrom(record: Record<string, unknown>): Metadata {
  return {
    title: text(firstOf(record, ['title', 'headline', 'name'])) ?? '',
    authors: authorsFrom(firstOf(record, ['authors', 'author', 'byline', 'creator'])),
    publishedAt: dateFrom(firstOf(record, ['publishedAt', 'published_at', 'date', 'published', 'datePublished', 'pubDate'])),
    imageCredit: text(firstOf(record, ['imageCredit', 'image_credit', 'credit'])),
    url: text(firstOf(record, ['url', 'link', 'canonical', 'canonical_url', 'canonicalUrl'])),
    tags: tagsFrom(firstOf(record, ['tags', 'keywords', 'categories'])),
    language: languageTag(firstOf(record, ['language', 'lang', 'locale'])),
  };
}

/** Body text of a record: `body`, `text` or `content`, a string or a list of paragraph strings. */
export function bodyFrom(record: Record<string, unknown>): string | null {
  const value = firstOf(record, ['body', 'text', 'content', 'articleBody']);
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join('\n\n');
  return null;
}
