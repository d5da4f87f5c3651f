import punycode from 'punycode.js';

/**
 * Longest URL kept (after canonicalization too). The URL is an index key, and DynamoDB caps an
 * index partition key at 2,048 bytes; real article URLs are far shorter.
 */
export const MAX_URL_LENGTH = 2000;

// Query parameters that only say how a reader arrived, never which page it is.
const TRACKING_PARAMETER = /^(?:utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_hsenc|_hsmi|ocid)$/i;
const ABSOLUTE_HTTP = /^https?:\/\/[^\s/?#]+[^\s]*$/i;
const IDN_LABEL = /^[\p{L}\p{M}\p{N}\p{S}-]+$/u;

/**
 * Whether every `xn--` label of a parsed host is real punycode: it decodes to a label that holds
 * a character past ASCII, only letters, marks, digits, symbols and hyphens, in lower case and NFC
 * (what IDNA's mapping would leave as it is), and it encodes back to itself. Node's URL parsers
 * disagree on labels that are not (Node 20 rejects `http://a.xn--abc`, Node 24 keeps it), and a
 * URL is an index key, so such hosts are refused here, the same way on every runtime.
 */
function punycodeLabelsValid(hostname: string): boolean {
  if (!hostname.includes('xn--')) return true;
  for (const label of hostname.split('.')) {
    if (!label.startsWith('xn--')) continue;
    const encoded = label.slice(4);
    let decoded: string;
    try {
      decoded = punycode.decode(encoded);
    } catch {
      return false;
    }
    if (!/[^\x00-\x7f]/.test(decoded) || !IDN_LABEL.test(decoded)) return false;
    if (decoded.toLowerCase() !== decoded || decoded.normalize('NFC') !== decoded || punycode.encode(decoded) !== encoded) return false;
  }
  return true;
}

/**
 * The canonical form of an article URL: trimmed, http(s) only, host lower-cased (and IDN in
 * punycode), default port, fragment and tracking parameters removed, remaining parameters sorted,
 * no trailing slash on a path. Returns null for anything that is not an absolute http(s) URL.
 * Built on the WHATWG URL parser that Node ships (normalize-url did the same work at 2.5x the cost).
 *
 * @example
 * canonicalUrl(' https://Example.com/a/?utm_source=x&id=7#top ') // 'https://example.com/a?id=7'
 */
export function canonicalUrl(raw: string): string | null {
  const trimmed = raw.trim();
  if (trimmed.length > MAX_URL_LENGTH) return null;
  if (!ABSOLUTE_HTTP.test(trimmed)) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (!punycodeLabelsValid(url.hostname)) return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  if (url.search !== '') {
    const params = url.searchParams;
    for (const name of [...params.keys()]) if (TRACKING_PARAMETER.test(name)) params.delete(name);
    params.sort();
  }
  if (url.pathname.length > 1 && url.pathname.endsWith('/')) url.pathname = url.pathname.replace(/\/+$/, '');
  const href = url.href;
  if (href.length > MAX_URL_LENGTH) return null;
  // `URL` keeps a bare "?" when every parameter was removed, and a "/" for an empty path.
  const bare = href.endsWith('?') ? href.slice(0, -1) : href;
  return url.search === '' && url.pathname === '/' && bare.endsWith('/') ? bare.slice(0, -1) : bare;
}

/** The host of a canonical URL without a leading `www.`, or null. */
export function siteOf(url: string | null): string | null {
  if (url === null) return null;
  const start = url.indexOf('//') + 2;
  let end = start;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 58 /* : */) break;
    end++;
  }
  const host = url.slice(start, end);
  return host === '' ? null : host.startsWith('www.') ? host.slice(4) : host;
}
