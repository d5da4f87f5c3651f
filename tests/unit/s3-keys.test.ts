// The embedded S3's pure key rules (local/s3-front.ts, local/s3-store.ts): reading a key from a
// request path as S3 does, S3's listing order, and the XML that carries any key.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyCodePoint } from '../helpers/unicode.ts';
import { keyFromPath, parseDeleteRequest, xmlText } from '../../local/s3-front.ts';
import { compareKeys } from '../../local/s3-store.ts';

/** What a client puts in the path for a key: every byte escaped but `/`. */
const pathOf = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

describe('keyFromPath', () => {
  it('reads back any well-formed key of up to 1,024 bytes from its escaped path', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyCodePoint, maxLength: 256 }), (key) => {
        // At most 4 bytes a code point: 256 of them fit in 1,024 bytes.
        expect(keyFromPath(pathOf(key))).toBe(key);
      }),
    );
  });

  it('takes unescaped characters as they are, and + as a plus', () => {
    expect(keyFromPath("a b+c/./../%41~!$&'()*,;=:@")).toBe("a b+c/./../A~!$&'()*,;=:@");
  });

  it.each([
    ['%FF', 'InvalidURI'],
    ['%C3', 'InvalidURI'],
    ['%ED%A0%80', 'InvalidURI'],
    ['%E0%80%AF', 'InvalidURI'],
    ['%', 'InvalidURI'],
    ['%4', 'InvalidURI'],
    ['%zz', 'InvalidURI'],
    ['k'.repeat(1025), 'KeyTooLongError'],
    ['%C3%A9'.repeat(513), 'KeyTooLongError'],
  ])('refuses %s with %s', (path, code) => {
    expect(() => keyFromPath(path)).toThrow(expect.objectContaining({ code }));
  });

  it('takes a key of exactly 1,024 bytes', () => {
    expect(keyFromPath('%C3%A9'.repeat(512))).toBe('é'.repeat(512));
  });
});

describe('compareKeys', () => {
  it('orders keys by their UTF-8 bytes, as S3 lists them', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyCodePoint }), fc.string({ unit: anyCodePoint }), (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
    );
  });

  it('puts U+FFFD before U+1F600, unlike UTF-16 order', () => {
    expect(['\u{1F600}', '\uFFFD'].sort(compareKeys)).toEqual(['\uFFFD', '\u{1F600}']);
  });
});

describe('XML of keys', () => {
  it('escapes markup and writes characters XML 1.0 cannot carry as references', () => {
    expect(xmlText('a<b>&"\'\u0001\r\t\n\uFFFF')).toBe('a&lt;b&gt;&amp;&quot;&apos;&#x1;&#xD;\t\n&#xFFFF;');
  });

  it('reads back every key it wrote into a DeleteObjects body', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: anyCodePoint, minLength: 1 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (keys, quiet) => {
        const xml = `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${quiet ? '<Quiet>true</Quiet>' : ''}${keys.map((key) => `<Object><Key>${xmlText(key)}</Key></Object>`).join('')}</Delete>`;
        expect(parseDeleteRequest(xml)).toEqual({ quiet, keys });
      }),
    );
  });

  it('reads raw control characters, decimal references and CDATA as the SDKs send them', () => {
    expect(parseDeleteRequest('<Delete><Object><Key>a\u0001&#13;&#x0A;<![CDATA[<&>]]>b\r\nc</Key></Object></Delete>').keys).toEqual(['a\u0001\r\n<&>b\nc']);
  });

  it.each([
    ['no Delete root', '<Remove><Object><Key>a</Key></Object></Remove>'],
    ['no object', '<Delete></Delete>'],
    ['an object without a key', '<Delete><Object><VersionId>1</VersionId></Object></Delete>'],
    ['a bare ampersand', '<Delete><Object><Key>a&b</Key></Object></Delete>'],
    ['an unknown entity', '<Delete><Object><Key>&nbsp;</Key></Object></Delete>'],
    ['a reference to a surrogate', '<Delete><Object><Key>&#xD800;</Key></Object></Delete>'],
    ['more than 1,000 keys', `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`],
  ])('refuses %s with MalformedXML', (_label, xml) => {
    expect(() => parseDeleteRequest(xml)).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
  });
});
