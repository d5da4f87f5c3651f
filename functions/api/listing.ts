import { queryFingerprint, type QueryFingerprint } from '../../shared/cursor.ts';
import {
  documentSortKey,
  normalizeAuthor,
  normalizeSite,
  type DocumentReader,
  type Page,
  type StoredSummary,
} from '../../shared/store/index.ts';
import { canonicalUrl } from '../../shared/url.ts';
import { inDateRange, isEmptyRange, normalizeDate } from './dates.ts';
import { ProblemError } from './problem.ts';

/** The filters of `GET /documents`, normalized: equal filters mean an equal listing. */
export interface DocumentFilters {
  readonly site?: string;
  readonly author?: string;
  /** Canonical `from`/`to` ({@link normalizeDate}). */
  readonly from?: string;
  readonly to?: string;
  /** Canonical URL ({@link canonicalUrl}). */
  readonly url?: string;
}

/** The raw, already validated query parameters. */
export interface DocumentQueryParams {
  readonly site?: string | undefined;
  readonly author?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly url?: string | undefined;
}

/**
 * Normalizes validated filters, and refuses a date range that can contain nothing.
 *
 * @example
 * documentFilters({ site: 'WWW.Example.com', to: '2024-05-01T12:00+02:00' })
 * // { site: 'example.com', to: '2024-05-01T10:00:00.000Z' }
 * documentFilters({ from: '2024-06', to: '2024-05' }) // throws ProblemError (400)
 */
export function documentFilters(params: DocumentQueryParams): DocumentFilters {
  const from = params.from === undefined ? undefined : (normalizeDate(params.from) ?? undefined);
  const to = params.to === undefined ? undefined : (normalizeDate(params.to) ?? undefined);
  if (from !== undefined && to !== undefined && isEmptyRange(from, to)) {
    throw ProblemError.invalidParams([{ name: 'from', reason: `must not be after "to" (${params.to})` }]);
  }
  return {
    ...(params.site !== undefined ? { site: normalizeSite(params.site) } : {}),
    ...(params.author !== undefined ? { author: normalizeAuthor(params.author) } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(params.url !== undefined ? { url: canonicalUrl(params.url) ?? params.url } : {}),
  };
}

/** The fingerprint a documents cursor is bound to. */
export function documentsFingerprint(filters: DocumentFilters): QueryFingerprint {
  return queryFingerprint('documents', { ...filters });
}

/** The fingerprint a failures cursor is bound to. */
export function failuresFingerprint(): QueryFingerprint {
  return queryFingerprint('failures');
}

/**
 * One page of documents. Without `url`, the store's newest-first listing (by site, author,
 * date range). With `url`, the byUrl index gives the few documents with that URL, and the
 * other filters and the cursor are applied to them here, with the store's exact rules, so
 * both paths page and filter alike.
 *
 * @example
 * const page = await listDocuments(store, { site: 'example.com' }, 20, null);
 */
export async function listDocuments(
  reader: DocumentReader,
  filters: DocumentFilters,
  limit: number,
  after: string | null,
): Promise<Page<StoredSummary>> {
  const { url, ...rest } = filters;
  if (url === undefined) return reader.listDocuments({ ...rest, limit, after });

  const matching = (await reader.getDocumentsByUrl(url))
    .map((summary) => ({ summary, sortKey: documentSortKey(summary.publishedAt, summary.id) }))
    .filter(({ summary, sortKey }) => {
      if (after !== null && sortKey >= after) return false;
      if (!inDateRange(sortKey, rest.from, rest.to)) return false;
      if (rest.site !== undefined && (summary.site === null || normalizeSite(summary.site) !== rest.site)) return false;
      if (rest.author !== undefined && !summary.authors.some((name) => normalizeAuthor(name) === rest.author)) return false;
      return true;
    })
    .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
  const page = matching.slice(0, limit);
  return {
    items: page.map(({ summary }) => summary),
    next: matching.length > limit ? page.at(-1)!.sortKey : null,
  };
}
