import normalizeUrl from 'normalize-url';

// Query parameters that only say how a reader arrived, never which page it is.
const TRACKING_PARAMETERS: ReadonlyArray<RegExp | string> = [
  /^utm_\w+/i,
  /^(fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_hsenc|_hsmi|ocid)$/i,
];

/**
 * The canonical form of an article URL: trimmed, http(s) only, host lower-cased, fragment and
 * tracking parameters removed, remaining parameters sorted. Returns null for anything that is
 * not an absolute http(s) URL.
 *
 * @example
 * canonicalUrl(' https://Example.com/a?utm_source=x&id=7#top ') // 'https://example.com/a?id=7'
 */
export function canonicalUrl(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^https?:\/\/[^\s/?#]+/i.test(trimmed) || /\s/.test(trimmed)) return null;
  try {
    return normalizeUrl(trimmed, {
      stripWWW: false,
      stripHash: true,
      removeQueryParameters: TRACKING_PARAMETERS,
      removeTrailingSlash: true,
      sortQueryParameters: true,
    });
  } catch {
    return null;
  }
}

/** The host of a canonical URL without a leading `www.`, or null. */
export function siteOf(url: string | null): string | null {
  if (url === null) return null;
  try {
    const host = new URL(url).hostname;
    return host.startsWith('www.') ? host.slice(4) : host;
  } catch {
    return null;
  }
}
