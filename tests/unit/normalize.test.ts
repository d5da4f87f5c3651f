import { describe, expect, it } from 'vitest';
import { DocumentError, normalizeDocument, type NormalizedDocument } from '../../shared/index.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const normalize = (text: string, key = 'inbox/doc.txt', contentType?: string): NormalizedDocument =>
  normalizeDocument(encode(text), { key, ...(contentType ? { contentType } : {}) });

function article(parts: { title?: string; byline?: string | null; date?: string | null; credit?: string | null; body?: string; url?: string | null }): string {
  const lines = ['', '', `## ${parts.title ?? 'Ministers Agree on a New Budget'}`, ''];
  if (parts.byline !== null) lines.push(parts.byline ?? 'By Ivan Petrov and Anna Smirnova', '');
  if (parts.date !== null) lines.push(parts.date ?? 'June 8, 2021', '', '');
  if (parts.credit !== null) lines.push(`## **${parts.credit ?? 'Press Service'}**`, '');
  lines.push(parts.body ?? 'The cabinet approved the plan on Tuesday.\n\nOpposition deputies said they would vote against it.');
  if (parts.url !== null) lines.push('', '## Original url:', '', parts.url ?? 'https://www.example.com/news/budget?utm_source=feed&id=4#comments');
  return lines.join('\n');
}

describe('article format', () => {
  it('reads title, byline, date, credit, url and body', () => {
    const doc = normalize(article({}));
    expect(doc.format).toBe('article');
    expect(doc.title).toBe('Ministers Agree on a New Budget');
    expect(doc.authors).toEqual(['Ivan Petrov', 'Anna Smirnova']);
    expect(doc.publishedAt).toBe('2021-06-08');
    expect(doc.imageCredit).toBe('Press Service');
    expect(doc.url).toBe('https://www.example.com/news/budget?id=4');
    expect(doc.site).toBe('example.com');
    expect(doc.body).toBe('The cabinet approved the plan on Tuesday.\n\nOpposition deputies said they would vote against it.');
    expect(doc.language).toBe('en');
  });

  it.each([
    ['By Reuters', ['Reuters']],
    ['By A. Jones, B. Smith and C. Brown', ['A. Jones', 'B. Smith', 'C. Brown']],
    ['By Maria Lopez, Tom Reed, and Sara Kim', ['Maria Lopez', 'Tom Reed', 'Sara Kim']],
    ['by The Moscow Times', ['The Moscow Times']],
  ])('splits the byline %j', (byline, authors) => {
    expect(normalize(article({ byline })).authors).toEqual(authors);
  });

  it('gives no authors without a byline', () => {
    const doc = normalize(article({ byline: null }));
    expect(doc.authors).toEqual([]);
    expect(doc.publishedAt).toBe('2021-06-08');
  });

  it.each([
    ['November 04, 2019', '2019-11-04'],
    ['Nov. 12, 2020', '2020-11-12'],
    ['12 March 2021', '2021-03-12'],
    ['June 8, 2021', '2021-06-08'],
    ['Sept. 3, 2020', '2020-09-03'],
    ['Monday, June 7, 2021', '2021-06-07'],
    ['2021-06-08T14:30:00+02:00', '2021-06-08T12:30:00.000Z'],
  ])('reads the date %j', (date, expected) => {
    expect(normalize(article({ date })).publishedAt).toBe(expected);
  });

  it('gives null for a missing date, credit and url trailer', () => {
    const doc = normalize(article({ date: null, credit: null, url: null }));
    expect(doc.publishedAt).toBeNull();
    expect(doc.imageCredit).toBeNull();
    expect(doc.url).toBeNull();
    expect(doc.site).toBeNull();
    expect(doc.format).toBe('article');
  });

  it('reads CRLF line endings, a BOM and curly quotes', () => {
    const text = '\ufeff' + article({ body: '“We will not back down,” she said.\n\nIt’s the third vote this year.' }).replace(/\n/g, '\r\n');
    const doc = normalize(text);
    expect(doc.title).toBe('Ministers Agree on a New Budget');
    expect(doc.body).toBe('“We will not back down,” she said.\n\nIt’s the third vote this year.');
    expect(doc.body).not.toMatch(/[\r\ufeff]/);
  });

  it('keeps subheadings, list items and quotes as paragraphs of their own', () => {
    const body = 'Intro line one\ncontinues here.\n### What changes\n- Taxes rise\n- Pensions  grow\n1. First step\n> A quoted\n> remark.\nClosing words.';
    const doc = normalize(article({ body }));
    expect(doc.body.split('\n\n')).toEqual([
      'Intro line one continues here.',
      '### What changes',
      '- Taxes rise',
      '- Pensions grow',
      '1. First step',
      '> A quoted remark. Closing words.',
    ]);
    expect(doc.excerpt).toBe('Intro line one continues here.');
  });

  it('never leaves header or trailer lines in the body', () => {
    const doc = normalize(article({}));
    expect(doc.body).not.toMatch(/Ministers Agree|By Ivan|June 8|Press Service|Original url|https:/);
  });

  it('collapses whitespace, separates paragraphs by one blank line, and applies NFC', () => {
    const doc = normalize(article({ body: 'Cafe\u0301   au\tlait.\n\n\n\nSecond   paragraph.' }));
    expect(doc.body).toBe('Café au lait.\n\nSecond paragraph.');
  });
});

describe('ids and hashes', () => {
  it('gives the same id for the same key and bytes, and another for another key', () => {
    const text = article({});
    expect(normalize(text, 'a.txt').id).toBe(normalize(text, 'a.txt').id);
    expect(normalize(text, 'a.txt').id).not.toBe(normalize(text, 'b.txt').id);
  });

  it('gives the same content hash for the same article under another key or line ending', () => {
    const text = article({});
    expect(normalize(text, 'a.txt').contentHash).toBe(normalize(text.replace(/\n/g, '\r\n'), 'b.txt').contentHash);
    expect(normalize(text).contentHash).not.toBe(normalize(article({ body: 'Other text.' })).contentHash);
  });

  it('derives an id from the bytes when there is no key', () => {
    const doc = normalizeDocument(encode(article({})));
    expect(doc.id).toMatch(/^b[0-9a-f]{24}$/);
    expect(doc.sourceKey).toBeNull();
  });

  it('counts words and reading time without block markers', () => {
    const doc = normalize(article({ body: '## Heading here\n\n- one two\n\nthree four five' }));
    expect(doc.wordCount).toBe(7);
    expect(doc.readingTimeMinutes).toBe(1);
  });
});

describe('markdown format', () => {
  it('reads YAML front matter and the body', () => {
    const doc = normalize(
      '---\ntitle: "River Levels Rise"\nauthors:\n  - Jane Roe\n  - John Doe\ndate: 2022-03-01\nurl: https://News.example.org/rivers/?fbclid=abc\ntags: [weather, rivers]\n---\n\n# River Levels Rise\n\nThe river rose by a metre overnight.\n\n## Outlook\n\n* More rain is due.\n',
      'notes/rivers.md',
    );
    expect(doc).toMatchObject({
      format: 'markdown',
      title: 'River Levels Rise',
      authors: ['Jane Roe', 'John Doe'],
      publishedAt: '2022-03-01',
      url: 'https://news.example.org/rivers',
      site: 'news.example.org',
      tags: ['weather', 'rivers'],
      body: 'The river rose by a metre overnight.\n\n## Outlook\n\n* More rain is due.',
    });
  });

  it('takes a single author string and the first heading as title without front matter', () => {
    expect(normalize('---\nauthor: Ivan Petrov and Anna Smirnova\n---\nBody text.', 'x.md').authors).toEqual(['Ivan Petrov', 'Anna Smirnova']);
    const doc = normalize('# Plain Heading\n\nSome text here.', 'x.md');
    expect(doc.title).toBe('Plain Heading');
    expect(doc.body).toBe('Some text here.');
  });

  it('rejects front matter that is not YAML, or a billion-laughs alias bomb', () => {
    expect(() => normalize('---\ntitle: [unclosed\n---\nbody', 'x.md')).toThrow(DocumentError);
    const bomb = ['---', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) bomb.push(`${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(9).fill('*' + 'abcdefghi'[i]).join(',')}]`);
    bomb.push('---', 'body');
    expect(() => normalize(bomb.join('\n'), 'x.md')).toThrow(expect.objectContaining({ code: 'malformed' }));
  });
});

describe('html format', () => {
  const page = `<!doctype html><html lang="en-GB"><head>
    <title>Harbour Reopens | Coastal Times</title>
    <meta property="og:title" content="Harbour Reopens After Storm">
    <meta name="author" content="Lena Fischer, Omar Haddad">
    <meta property="article:published_time" content="2021-06-08T14:30:00+02:00">
    <link rel="canonical" href="https://www.coastal.example/harbour?utm_medium=x">
    <style>.a{color:red}</style><script>alert('no')</script></head>
    <body><nav>Home News Sport</nav><header><h1>Site header</h1></header>
    <article><h1>Harbour Reopens After Storm</h1><p class="byline">By Lena Fischer</p>
      <p>The harbour reopened on <b>Tuesday</b> after   repairs.</p>
      <h2>Boats return</h2><ul><li>Fishing boats first</li><li>Ferries next</li></ul>
      <blockquote><p>It feels normal again.</p></blockquote>
      <script>var tracking = 1;</script><iframe src="https://ads.example"></iframe>
      <p onclick="steal()">Work continues on the pier.</p></article>
    <footer>Copyright Coastal Times</footer></body></html>`;

  it('reads metadata and only the article text', () => {
    const doc = normalize(page, 'web/harbour.html');
    expect(doc).toMatchObject({
      format: 'html',
      title: 'Harbour Reopens After Storm',
      authors: ['Lena Fischer', 'Omar Haddad'],
      publishedAt: '2021-06-08T12:30:00.000Z',
      url: 'https://www.coastal.example/harbour',
      site: 'coastal.example',
      language: 'en',
    });
    expect(doc.body).toBe(
      'The harbour reopened on Tuesday after repairs.\n\n## Boats return\n\n- Fishing boats first\n\n- Ferries next\n\n> It feels normal again.\n\nWork continues on the pier.',
    );
  });

  it('drops a " | Site" suffix from <title> when that part is the site name', () => {
    const page = (head: string): string => `<html><head>${head}</head><body><p>Nothing happened.</p></body></html>`;
    expect(normalize(page('<title>Quiet Night | The Daily</title><meta property="og:site_name" content="The Daily">'), 'a.html').title).toBe('Quiet Night');
    expect(normalize(page('<title>The Daily - Quiet Night</title><link rel="canonical" href="https://www.thedaily.example/night">'), 'a.html').title).toBe('Quiet Night');
    // Not known as the site: a title with a dash or a bar in it stays whole.
    expect(normalize(page('<title>Ford v Ferrari - A Review</title>'), 'a.html').title).toBe('Ford v Ferrari - A Review');
  });

  it('reads nested HTML without recursion, and refuses absurd nesting quickly', () => {
    const nest = (depth: number): string => '<html><body>' + '<div>'.repeat(depth) + 'deep text' + '</div>'.repeat(depth) + '</body></html>';
    expect(normalize(nest(500), 'deep.html').body).toBe('deep text');
    expect(() => normalize(nest(513), 'deeper.html')).toThrow(expect.objectContaining({ code: 'too_complex' }));
    expect(() => normalize(nest(100_000), 'deeper.html')).toThrow(expect.objectContaining({ code: 'too_complex' }));
  });
});

describe('json format', () => {
  it.each([
    [{ title: 'T', author: 'By A and B', date: 'Nov. 12, 2020', url: 'https://x.example/a', body: 'Text one.' }],
    [{ title: 'T', authors: ['A', 'B'], publishedAt: '2020-11-12', link: 'https://x.example/a', text: 'Text one.' }],
    [{ title: 'T', byline: 'A and B', published_at: '2020-11-12', url: 'https://x.example/a', content: 'Text one.' }],
  ])('reads each field-name variant', (record) => {
    const doc = normalize(JSON.stringify(record), 'r.json');
    expect(doc).toMatchObject({ format: 'json', title: 'T', authors: ['A', 'B'], publishedAt: '2020-11-12', url: 'https://x.example/a', body: 'Text one.' });
  });

  it.each([['[1,2,3]', 'an array'], ['42', 'a number'], ['"text"', 'a string']])('rejects JSON that is %s', (text, what) => {
    expect(() => normalize(text, 'r.json')).toThrow(expect.objectContaining({ code: 'malformed', message: expect.stringContaining(what) }));
  });

  it('rejects deeply nested JSON with a clear error', () => {
    const nested = '{"title":"x","body":"y","extra":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}';
    let error: unknown;
    try {
      normalize(nested, 'r.json');
    } catch (caught) {
      error = caught;
    }
    // V8 may read it (then it is a document) or refuse it; it must never be anything but these.
    if (error !== undefined) expect(error).toBeInstanceOf(DocumentError);
  });
});

describe('text format and detection', () => {
  it('takes the first non-empty line as title', () => {
    const doc = normalize('\n\nShort Notice\nThe office closes early\non Friday.\n\nThanks.');
    expect(doc).toMatchObject({ format: 'text', title: 'Short Notice', body: 'The office closes early on Friday.\n\nThanks.' });
  });

  it('looks at the content before the extension', () => {
    expect(normalize(article({}), 'misnamed.html').format).toBe('article');
    expect(normalize('{"title":"T","body":"B"}', 'data.txt').format).toBe('json');
    expect(normalize('<!DOCTYPE html><html><body><p>Hi there.</p></body></html>', 'page.txt').format).toBe('html');
  });

  it('treats text that starts with a bracket but is not JSON as text', () => {
    expect(normalize('[Update] Roads closed\nThe main road is closed.').format).toBe('text');
  });
});
