import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { franc } from 'franc-min';
import { describe, expect, it } from 'vitest';
import { splitByline } from '../../shared/authors.ts';
import { parseDate, parseLooseDate } from '../../shared/dates.ts';
import { detectLanguage } from '../../shared/language.ts';
import { canonicalUrl, siteOf } from '../../shared/url.ts';
import { decodeBytes } from '../../shared/decode.ts';
import { normalizeDocument } from '../../shared/index.ts';
import { collapse, countWords } from '../../shared/text.ts';

describe('canonicalUrl', () => {
  // The full canonicalization on the WHATWG parser, step by step.
  const reference = (raw: string): string | null => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return null;
    }
    url.hash = '';
    for (const name of [...url.searchParams.keys()]) if (/^(?:utm_\w+|fbclid|gclid)$/i.test(name)) url.searchParams.delete(name);
    url.searchParams.sort();
    if (url.pathname.length > 1 && url.pathname.endsWith('/')) url.pathname = url.pathname.replace(/\/+$/, '');
    const href = url.href.endsWith('?') ? url.href.slice(0, -1) : url.href;
    return url.search === '' && url.pathname === '/' && href.endsWith('/') ? href.slice(0, -1) : href;
  };

  it.each([
    [' https://Example.com/a/?utm_source=x&id=7#top ', 'https://example.com/a?id=7'],
    ['https://www.example.com/p?b=2&a=1&fbclid=z&gclid=y', 'https://www.example.com/p?a=1&b=2'],
    ['http://EXAMPLE.com:80/?utm_medium=a', 'http://example.com'],
    ['https://user:secret@example.com/p', 'https://example.com/p'],
    ['https://example.com:8443/a', 'https://example.com:8443/a'],
  ])('canonicalizes %j', (raw, expected) => {
    expect(canonicalUrl(raw)).toBe(expected);
  });

  it.each(['ftp://example.com/a', 'example.com/a', 'https://exa mple.com', '/relative/path', '', `https://example.com/${'a'.repeat(2000)}`])('rejects %j', (raw) => {
    expect(canonicalUrl(raw)).toBeNull();
  });

  it('equals the WHATWG-parsed form for plain URLs', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,6}$/);
    const segment = fc.stringMatching(/^[A-Za-z0-9_~.!$&'()*+,;=:@-]{1,8}$/);
    fc.assert(
      fc.property(fc.constantFrom('http', 'https'), fc.array(label, { minLength: 2, maxLength: 3 }), fc.array(segment, { maxLength: 4 }), (scheme, labels, segments) => {
        const raw = `${scheme}://${labels.join('.')}${segments.map((s) => '/' + s).join('')}`;
        expect(canonicalUrl(raw)).toBe(reference(raw));
      }),
      { numRuns: 2_000 },
    );
  });

  it('equals the WHATWG-parsed form for URLs with upper case, parameters and fragments', () => {
    const label = fc.stringMatching(/^[A-Za-z0-9-]{1,5}$/);
    const segment = fc.stringMatching(/^[A-Za-z0-9_~.!$&'()*+,;=:@-]{1,6}$/);
    const param = fc.tuple(fc.constantFrom('utm_source', 'UTM_Medium', 'fbclid', 'gclid', 'id', 'a', 'B', 'a_b', '*.-'), fc.stringMatching(/^[\w.*-]{0,4}$/));
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https', 'HTTPS'),
        fc.array(label, { minLength: 2, maxLength: 3 }),
        fc.array(segment, { maxLength: 3 }),
        fc.option(fc.array(param, { minLength: 1, maxLength: 4 })),
        fc.option(fc.stringMatching(/^[\x21-\x7e]{0,5}$/)),
        (scheme, labels, segments, params, fragment) => {
          const query = params === null ? '' : '?' + params.map(([name, value]) => `${name}=${value}`).join('&');
          const raw = `${scheme}://${labels.join('.')}${segments.map((s) => '/' + s).join('')}${query}${fragment === null ? '' : '#' + fragment}`;
          expect(canonicalUrl(raw)).toBe(reference(raw));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  // A URL is an index key: these must come out the same on Node 20 (the laptop) and Node 24
  // (Lambda), whose URL parsers differ on hosts with broken punycode labels.
  it.each([
    ['http://0.xn--', null],
    ['http://xn--', null],
    ['http://a.xn--abc/x', null],
    ['http://xn--a.com', null],
    ['http://a.xn--a-', null],
    ['https://xn--ls8h.la/p', 'https://xn--ls8h.la/p'],
    ['https://Bücher.example/Straße?b=1&a=2', 'https://xn--bcher-kva.example/Stra%C3%9Fe?a=2&b=1'],
    ['https://例え.jp/記事', 'https://xn--r8jz45g.jp/%E8%A8%98%E4%BA%8B'],
    ['https://XN--BCHER-KVA.example/', 'https://xn--bcher-kva.example'],
    ['http://192.168.0.1:80/a/', 'http://192.168.0.1/a'],
    ['http://0x7f.1/', 'http://127.0.0.1'],
    ['https://example.com/a/../b/./c', 'https://example.com/b/c'],
    ['https://example.com/%7euser/?q=a%20b&utm_source=x', 'https://example.com/%7euser?q=a+b'],
    ['https://example.com/?q=a+b&a', 'https://example.com/?a=&q=a+b'],
  ])('gives %j the same canonical form on every runtime', (raw, expected) => {
    expect(canonicalUrl(raw)).toBe(expected);
  });

  it('gives the site without www.', () => {
    expect(siteOf('https://www.themoscowtimes.com/2019/x')).toBe('themoscowtimes.com');
    expect(siteOf('https://news.example.org:8080/x')).toBe('news.example.org');
    expect(siteOf(null)).toBeNull();
  });
});

describe('dates', () => {
  it.each([
    ['November 04, 2019', '2019-11-04'],
    ['Nov. 12, 2020', '2020-11-12'],
    ['12 March 2021', '2021-03-12'],
    ['June 8, 2021', '2021-06-08'],
    ['2021-06-08', '2021-06-08'],
    ['2021-06-08T14:30:00Z', '2021-06-08T14:30:00.000Z'],
    ['2021-06-08T14:30', '2021-06-08'],
    ['February 30, 2021', null],
  ])('reads %j', (text, expected) => {
    expect(parseDate(text)).toBe(expected);
  });

  it('falls back to a general parser for other forms, keeping a time only with a zone', () => {
    expect(parseLooseDate('Tue, 08 Jun 2021 14:30:00 GMT')).toBe('2021-06-08T14:30:00.000Z');
    expect(parseLooseDate('2021/06/08')).toBe('2021-06-08');
    expect(parseLooseDate('next week sometime')).toBeNull();
  });
});

describe('splitByline', () => {
  it.each([
    ['By Ivan Petrov and Anna Smirnova', ['Ivan Petrov', 'Anna Smirnova']],
    ['By A, B and C', ['A', 'B', 'C']],
    ['By Reuters', ['Reuters']],
    ['**By Jane Doe & John Roe**', ['Jane Doe', 'John Roe']],
    ['By Jane Doe, Jane Doe', ['Jane Doe']],
  ])('splits %j', (byline, names) => {
    expect(splitByline(byline)).toEqual(names);
  });
});

describe('detectLanguage', () => {
  // franc-min (ISO 639-3) as an independent reference on the seed bodies.
  const iso3to1: Record<string, string> = { eng: 'en', rus: 'ru', deu: 'de', fra: 'fr', spa: 'es' };
  const bodies = readdirSync('seeds')
    .filter((name) => /\.(txt|md|html|json)$/.test(name))
    .map((name) => normalizeDocument(new Uint8Array(readFileSync(`seeds/${name}`)), { key: name }).body);

  it('agrees with franc-min on every seed body', () => {
    for (const body of bodies) expect(detectLanguage(body)).toBe(iso3to1[franc(body)] ?? null);
  });

  it('says null when unsure, and reads scripts', () => {
    expect(detectLanguage('12 34 56')).toBeNull();
    expect(detectLanguage('Ok.')).toBeNull();
    expect(detectLanguage('Правительство объявило о новых мерах поддержки для малого бизнеса.')).toBe('ru');
    expect(detectLanguage('Уряд оголосив про нові заходи підтримки для малого бізнесу в Україні.')).toBe('uk');
    expect(detectLanguage('東京で新しい図書館が開館しました。多くの人が訪れています。')).toBe('ja');
  });
});

describe('decodeBytes', () => {
  it('reads valid UTF-8 exactly as the fatal TextDecoder does, at any buffer alignment', () => {
    const reference = new TextDecoder('utf-8', { fatal: true });
    const bom = '\ufeff';
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom('a', ' ', '\n', 'é', 'ß', 'ж', '’', '—', '東', '😀', bom), maxLength: 200 }),
    );
    fc.assert(
      fc.property(fc.constantFrom('', bom, bom + bom), text, fc.nat(3), (prefix, body, offset) => {
        const encoded = new TextEncoder().encode(prefix + body);
        // At any alignment in its buffer.
        const bytes = new Uint8Array(offset + encoded.length).subarray(offset);
        bytes.set(encoded);
        if (/[^\s]/.test(body) && !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(body)) {
          expect(decodeBytes(bytes).text).toBe(reference.decode(bytes));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('countWords', () => {
  it('counts the words of every paragraph but not their block markers', () => {
    const paragraphs = ['## Outlook', '- More rain is due.', '> A quote here', '1. First', 'Plain words, three more.'];
    expect(countWords(paragraphs.join('\n\n'), paragraphs)).toBe(1 + 4 + 3 + 1 + 4);
  });
});

describe('collapse', () => {
  it('turns every run of whitespace and control characters into one space, and trims', () => {
    const piece = fc.constantFrom('a', 'Zz', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2009', '\u3000', '\u0001', '\u007f', '\ufeff', 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }).map((parts) => parts.join('')), (text) => {
        expect(collapse(text)).toBe(text.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim());
      }),
      { numRuns: 2000 },
    );
  });
});
