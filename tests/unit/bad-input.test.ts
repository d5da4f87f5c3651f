import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DocumentError, normalizeDocument, type DocumentErrorCode } from '../../shared/index.ts';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

function errorOf(input: Uint8Array, meta: { key?: string; contentType?: string; maxBytes?: number } = {}): DocumentError {
  try {
    normalizeDocument(input, meta);
  } catch (error) {
    if (error instanceof DocumentError) return error;
    throw error;
  }
  throw new Error('expected a DocumentError');
}

describe('bad input', () => {
  it.each<[string, Uint8Array, DocumentErrorCode, RegExp]>([
    ['zero bytes', new Uint8Array(0), 'empty', /empty/],
    ['only whitespace', text(' \n\t\r\n  \u00a0\u2003 '), 'empty', /only whitespace/],
    ['a title without a body', text('Just a title line'), 'empty', /no body text/],
    ['a PDF', text('%PDF-1.7\n%âãÏÓ\n1 0 obj'), 'unsupported_format', /PDF/],
    ['a PNG image', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13), 'unsupported_format', /PNG/],
    ['a JPEG image', bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10), 'unsupported_format', /JPEG/],
    ['a gzip archive', new Uint8Array(gzipSync('hello world')), 'unsupported_format', /gzip/],
    ['a zip archive', bytes(0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0), 'unsupported_format', /ZIP/],
    ['NUL bytes in text', text('Title\nSome\u0000text'), 'unsupported_format', /NUL/],
    ['UTF-16 without a BOM', new Uint8Array(Buffer.from('Title\nBody text here', 'utf16le')), 'unsupported_format', /NUL/],
    ['mostly control characters', bytes(...Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 0x41 : 0x01 + (i % 7)))), 'unsupported_format', /control/],
    ['invalid UTF-8', bytes(0x54, 0x69, 0x74, 0x6c, 0x65, 0x0a, 0xc3, 0x28, 0x61, 0x62), 'invalid_encoding', /not valid UTF-8/],
    ['a lone continuation byte', Uint8Array.from([...text('Title\nBody '), 0x80, 0x41]), 'invalid_encoding', /UTF-8/],
  ])('%s gets a clear error', (_name, input, code, message) => {
    const error = errorOf(input);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^[A-Z].*\.$/);
  });

  it('rejects input over the size limit before decoding it', () => {
    const error = errorOf(new Uint8Array(9 * 1024 * 1024).fill(0x61));
    expect(error.code).toBe('too_large');
    expect(error.message).toMatch(/9\.0 MB, over the 8\.0 MB limit/);
    expect(errorOf(text('Title\nbody text'), { maxBytes: 5 }).code).toBe('too_large');
  });

  it('decodes a declared charset and rejects an unknown one', () => {
    const latin1 = Uint8Array.from([...text('Caf'), 0xe9, ...text('\nUn caf'), 0xe9, ...text(' noir.')]);
    const doc = normalizeDocument(latin1, { contentType: 'text/plain; charset=windows-1252' });
    expect(doc.title).toBe('Café');
    expect(doc.encoding).toBe('windows-1252');
    expect(errorOf(latin1, { contentType: 'text/plain; charset=klingon' }).code).toBe('invalid_encoding');
    expect(errorOf(latin1).code).toBe('invalid_encoding');
  });

  it('honours an HTML meta charset when the bytes are not UTF-8', () => {
    const html = Uint8Array.from([...text('<html><head><meta charset="iso-8859-1"><title>Caf'), 0xe9, ...text('</title></head><body><p>Cr'), 0xe8, ...text('me.</p></body></html>')]);
    const doc = normalizeDocument(html, { key: 'a.html' });
    expect(doc.title).toBe('Café');
    expect(doc.body).toBe('Crème.');
  });

  it('reads UTF-16 with a byte order mark', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Notice\nThe shop opens at nine.', 'utf16le')]);
    const doc = normalizeDocument(new Uint8Array(utf16));
    expect(doc).toMatchObject({ title: 'Notice', body: 'The shop opens at nine.', encoding: 'utf-16le' });
  });

  it('finds NUL and control bytes at any position and buffer alignment (the sniffer reads four bytes at a time)', () => {
    const body = text('Title\nSome plain text on a line of its own.\r\nAnd another line.\n');
    const at = (offset: number, change: (input: Uint8Array) => void): Uint8Array => {
      const input = new Uint8Array(offset + body.length).subarray(offset);
      input.set(body);
      change(input);
      return input;
    };
    for (let offset = 0; offset < 4; offset++) {
      for (let i = 0; i < body.length; i++) {
        expect(errorOf(at(offset, (input) => (input[i] = 0))).message).toContain(`(binary data at byte ${i})`);
        expect(normalizeDocument(at(offset, (input) => (input[i] = i % 2 ? 0x7f : 0x01))).format).toBe('text');
        // Nine control bytes in 70 make a file mostly control characters.
        if (i + 9 <= body.length) {
          expect(errorOf(at(offset, (input) => input.fill(i % 2 ? 0x7f : 0x01, i, i + 9))).message).toMatch(/control characters/);
        }
      }
    }
  });

  it('reads files shorter than a word at any buffer alignment', () => {
    const outcome = (input: Uint8Array): unknown => {
      try {
        return normalizeDocument(input).body;
      } catch (error) {
        return (error as DocumentError).code;
      }
    };
    for (const value of ['T\nb', 'Tb', 'T', 'ж', '\u0001']) {
      for (let offset = 1; offset < 4; offset++) {
        const input = new Uint8Array(offset + text(value).length).subarray(offset);
        input.set(text(value));
        expect(outcome(input)).toBe(outcome(text(value)));
      }
    }
    expect(outcome(text('T\nb'))).toBe('b');
  });

  it('strips stray control characters from text', () => {
    const doc = normalizeDocument(text('Title\u0007\nBody\u001b text.'));
    expect(doc.title).toBe('Title');
    expect(doc.body).toBe('Body text.');
  });
});

describe('markup in text', () => {
  const doc = (text: string, key: string) => normalizeDocument(new TextEncoder().encode(text), { key });

  it('drops tags, scripts, event handlers and comments from every format', () => {
    expect(doc('# T\n\nSee <img src=x onerror=alert(1)> this <script>alert(2)</script>now.<!-- x -->', 'a.md').body).toBe('See this now.');
    expect(doc(JSON.stringify({ title: '<b>Bold</b> title', body: '<p>One <a href="javascript:alert(1)">link</a>.</p>' }), 'a.json')).toMatchObject({ title: 'Bold title', body: 'One link .' });
    expect(doc('Title\nBroken <scr<script>ipt>alert(1)</scr</script>ipt> one.', 'a.txt').body).toBe('Broken one.');
    expect(doc('<html><body><p>Escaped &lt;script&gt;alert(1)&lt;/script&gt; text.</p></body></html>', 'a.html').body).toBe('Escaped text.');
  });

  it('keeps a < that cannot open a tag', () => {
    expect(doc('Title\nIf a < b and c > d, then 3<4.', 'a.txt').body).toBe('If a < b and c > d, then 3<4.');
  });

  it('rejects a body that is nothing but markup', () => {
    expect(() => doc('Title\n<script>alert(1)</script>', 'a.txt')).toThrow(expect.objectContaining({ code: 'empty' }));
  });
});
