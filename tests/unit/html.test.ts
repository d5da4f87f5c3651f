import { describe, expect, it } from 'vitest';
import { isName, namesIn, parseByline } from '../../shared/authors.ts';
import { parsePage } from '../../shared/formats/html/dom.ts';
import { readMetadata, stripSiteName } from '../../shared/formats/html/metadata.ts';
import { normalizeDocument } from '../../shared/index.ts';

// Small pages written for these tests; each checks one rule of the HTML reader.
const story = [
  'The council approved the new tram line on Tuesday after a debate that lasted most of the evening session.',
  'Construction starts in the spring, and the first trams should run along the river within three years.',
  'Residents along the route will be consulted on the position of each of the eleven new stops before work begins.',
];
const storyHtml = story.map((p) => `<p>${p}</p>`).join('');

function page(head: string, body = `<article><h1>Tram Line Approved</h1>${storyHtml}</article>`): string {
  return `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;
}

function meta(html: string): ReturnType<typeof readMetadata> {
  return readMetadata(parsePage(html).document);
}

function normalize(html: string): ReturnType<typeof normalizeDocument> {
  return normalizeDocument(new TextEncoder().encode(html), { key: 'news/page.html' });
}

function jsonLd(value: unknown): string {
  return `<script type="application/ld+json">${JSON.stringify(value)}</script>`;
}

describe('HTML metadata: JSON-LD', () => {
  it.each(['Article', 'NewsArticle', 'BlogPosting', 'ReportageNewsArticle'])('reads a %s', (type) => {
    const data = meta(page(jsonLd({ '@context': 'https://schema.org', '@type': type, headline: 'Tram Line Approved', datePublished: '2024-03-05T09:00:00Z', author: { '@type': 'Person', name: 'Mira Holm' } })));
    expect(data).toMatchObject({ title: 'Tram Line Approved', authors: ['Mira Holm'], published: '2024-03-05T09:00:00Z' });
  });

  it('reads the article inside @graph, with authors given by @id', () => {
    const graph = {
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'WebSite', '@id': '#site', name: 'River Post' },
        { '@type': 'WebPage', '@id': '#page', name: 'Tram Line Approved - River Post', datePublished: '2020-01-01' },
        { '@type': 'Person', '@id': '#mira', name: 'Mira Holm' },
        { '@type': ['NewsArticle'], headline: 'Tram Line Approved', author: [{ '@id': '#mira' }], datePublished: '2024-03-05', mainEntityOfPage: { '@id': 'https://riverpost.example/trams' }, inLanguage: 'en-GB', keywords: 'transport, council' },
      ],
    };
    expect(meta(page(jsonLd(graph)))).toMatchObject({
      title: 'Tram Line Approved',
      authors: ['Mira Holm'],
      published: '2024-03-05',
      url: 'https://riverpost.example/trams',
      language: 'en-GB',
      siteNames: ['River Post'],
    });
    expect(meta(page(jsonLd(graph))).tags).toEqual(['transport', ' council']);
  });

  it('reads JSON-LD given as an array of nodes', () => {
    const data = meta(page(jsonLd([{ '@type': 'Organization', name: 'River Post' }, { '@type': 'Article', headline: 'Tram Line Approved', author: 'Mira Holm and Jon Berg' }])));
    expect(data.authors).toEqual(['Mira Holm', 'Jon Berg']);
  });

  it.each([
    ['a string', 'Mira Holm', ['Mira Holm']],
    ['a Person', { '@type': 'Person', name: 'Mira Holm' }, ['Mira Holm']],
    ['an Organization', { '@type': 'Organization', name: 'Reuters' }, ['Reuters']],
    ['a list', [{ '@type': 'Person', name: 'Mira Holm' }, 'Jon Berg'], ['Mira Holm', 'Jon Berg']],
  ])('reads an author given as %s', (_, author, names) => {
    expect(meta(page(jsonLd({ '@type': 'NewsArticle', headline: 'T', author }))).authors).toEqual(names);
  });

  it('takes datePublished before dateModified, and dateModified when it is all there is', () => {
    expect(normalize(page(jsonLd({ '@type': 'Article', dateModified: '2024-04-01', datePublished: '2024-03-05' }))).publishedAt).toBe('2024-03-05');
    expect(normalize(page(jsonLd({ '@type': 'Article', dateModified: '2024-04-01' }))).publishedAt).toBe('2024-04-01');
  });

  it('reads url and falls back to a WebPage when there is no article node', () => {
    expect(meta(page(jsonLd({ '@type': 'Article', url: 'https://riverpost.example/a' }))).url).toBe('https://riverpost.example/a');
    expect(meta(page(jsonLd({ '@type': 'WebPage', datePublished: '2023-02-01', inLanguage: { '@type': 'Language', name: 'German', alternateName: 'de' } })))).toMatchObject({
      published: '2023-02-01',
      language: 'de',
    });
  });

  it('prefers name over headline when only the name matches the page title', () => {
    const html = page(`<title>New Zealand - Encyclopedia</title>${jsonLd({ '@type': 'Article', name: 'New Zealand', headline: 'island country in the Pacific' })}`);
    expect(meta(html).title).toBe('New Zealand');
  });

  it('ignores malformed JSON-LD, and reads the blocks that parse', () => {
    const html = page(`<script type="application/ld+json">{"@type": "Article", "author": Mira</script>${jsonLd({ '@type': 'Article', headline: 'Tram Line Approved' })}`);
    expect(meta(html).title).toBe('Tram Line Approved');
    expect(() => normalize(page('<script type="application/ld+json">{{{</script>'))).not.toThrow();
  });
});

describe('HTML metadata: meta tags and microdata', () => {
  it('reads Open Graph and article:* tags', () => {
    const data = meta(
      page(
        '<meta property="og:title" content="Tram Line Approved"><meta property="og:site_name" content="River Post">' +
          '<meta property="og:url" content="https://riverpost.example/trams"><meta property="article:published_time" content="2024-03-05T10:00:00+01:00">' +
          '<meta property="article:author" content="https://riverpost.example/staff/mira"><meta name="author" content="Mira Holm"><meta property="article:tag" content="transport">',
      ),
    );
    expect(data).toMatchObject({ title: 'Tram Line Approved', authors: ['Mira Holm'], published: '2024-03-05T10:00:00+01:00', url: 'https://riverpost.example/trams', tags: ['transport'] });
  });

  it('reads Dublin Core, parsely and sailthru tags', () => {
    expect(meta(page('<meta name="DC.title" content="Tram Line Approved"><meta name="DC.creator" content="Mira Holm"><meta name="DC.date" content="2024-03-05">'))).toMatchObject({
      title: 'Tram Line Approved',
      authors: ['Mira Holm'],
      published: '2024-03-05',
    });
    expect(meta(page('<meta name="parsely-author" content="Jon Berg"><meta name="parsely-pub-date" content="2024-03-06"><meta name="parsely-tags" content="a,b">'))).toMatchObject({
      authors: ['Jon Berg'],
      published: '2024-03-06',
      tags: ['a', 'b'],
    });
    expect(meta(page('<meta name="sailthru.author" content="Ana Lima"><meta name="sailthru.date" content="2024-03-07">'))).toMatchObject({ authors: ['Ana Lima'], published: '2024-03-07' });
  });

  it('reads a meta tag that names several properties at once', () => {
    expect(meta(page('<meta property="x:title dc:title" content="Tram Line Approved">')).title).toBe('Tram Line Approved');
  });

  it('reads microdata itemprop=author and itemprop=datePublished', () => {
    const body = `<article itemscope itemtype="https://schema.org/NewsArticle"><h1 itemprop="headline">Tram Line Approved</h1>
      <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Mira Holm</span></span>
      <meta itemprop="datePublished" content="2024-03-05">${storyHtml}</article>`;
    expect(meta(page('', body))).toMatchObject({ authors: ['Mira Holm'], published: '2024-03-05' });
  });
});

describe('HTML metadata: the page itself', () => {
  it('reads a rel=author link', () => {
    expect(meta(page('', `<article><h1>T</h1><p>By <a rel="author" href="/mira">Mira Holm</a></p>${storyHtml}</article>`)).authors).toEqual(['Mira Holm']);
  });

  it('reads a byline box, without the date on its second line', () => {
    const body = `<article><h1>T</h1><div class="article-byline">By Mira Holm\n   March 5, 2024 9:00 AM</div>${storyHtml}</article>`;
    expect(meta(page('', body)).authors).toEqual(['Mira Holm']);
  });

  it('reads a "By ..." line next to the headline, and leaves it out of the body', () => {
    const doc = normalize(page('', `<article><h1>Tram Line Approved</h1><p>By Mira Holm and Jon Berg</p>${storyHtml}</article>`));
    expect(doc.authors).toEqual(['Mira Holm', 'Jon Berg']);
    expect(doc.body).toBe(story.join('\n\n'));
  });

  it('takes no commenter for an author', () => {
    const body = `<article><h1>Tram Line Approved</h1><p>By Mira Holm</p>${storyHtml}</article>
      <section class="comments"><article><p class="comment-author">Jon Berg</p><p>Finally some good news for the east side of town.</p></article></section>`;
    expect(meta(page('', body)).authors).toEqual(['Mira Holm']);
  });

  it('prefers a person in the page to the site named as author in a meta tag', () => {
    const head = '<meta property="og:site_name" content="River Post"><meta name="author" content="River Post">';
    const named = `<article><h1>Tram Line Approved</h1><p>By Mira Holm</p>${storyHtml}</article>`;
    expect(meta(page(head, named)).authors).toEqual(['Mira Holm']);
    expect(meta(page(head)).authors).toEqual(['River Post']);
  });

  it('dates the article by a <time datetime> inside it, not one in a teaser elsewhere', () => {
    const body = `<aside><article><h2>Older story</h2><time datetime="2019-01-01">Jan 1</time></article></aside>
      <article><h1>Tram Line Approved</h1><time datetime="2024-03-05T08:00:00Z">March 5</time>${storyHtml}</article>`;
    expect(normalize(page('', body)).publishedAt).toBe('2024-03-05T08:00:00.000Z');
  });

  it.each([
    ['a placeholder', 'admin'],
    ['a URL', 'https://www.facebook.com/riverpost'],
    ['a sentence', 'Please enable JavaScript to read the comments on this story.'],
  ])('takes no author from %s', (_, value) => {
    expect(meta(page(`<meta name="author" content="${value}">`)).authors).toEqual([]);
  });
});

describe('HTML metadata: the title', () => {
  it.each([
    ['Tram Line Approved | River Post', 'Tram Line Approved'],
    ['Tram Line Approved - River Post', 'Tram Line Approved'],
    ['Tram Line Approved – River Post', 'Tram Line Approved'],
    ['Tram Line Approved — River Post', 'Tram Line Approved'],
    ['River Post :: Tram Line Approved', 'Tram Line Approved'],
    ['Tram Line Approved · River Post', 'Tram Line Approved'],
    ['Tram-Line Approved - A Win for Commuters', 'Tram-Line Approved - A Win for Commuters'],
  ])('reads %j as %j when the site is "River Post"', (title, expected) => {
    expect(stripSiteName(title, ['riverpost'])).toBe(expected);
  });

  it('knows the site by og:site_name, the JSON-LD publisher or the host', () => {
    expect(meta(page('<title>Tram Line Approved | River Post</title><meta property="og:site_name" content="River Post">')).title).toBe('Tram Line Approved');
    expect(meta(page(`<title>Tram Line Approved | River Post</title>${jsonLd({ '@type': 'Article', publisher: { '@type': 'Organization', name: 'River Post' } })}`)).title).toBe('Tram Line Approved');
    expect(meta(page('<title>Tram Line Approved | RiverPost</title><link rel="canonical" href="https://www.riverpost.example/trams">')).title).toBe('Tram Line Approved');
  });

  it('never cuts a title at a dash that does not set off the site name', () => {
    expect(meta(page('<title>Ford v Ferrari - A Review</title><meta property="og:site_name" content="River Post">', '<p>x</p>')).title).toBe('Ford v Ferrari - A Review');
  });

  it('chooses og:title over <title>, and the <h1> when <title> only adds something to it', () => {
    expect(normalize(page('<title>Trams | Local</title><meta property="og:title" content="Tram Line Approved">')).title).toBe('Tram Line Approved');
    expect(normalize(page('<title>Tram Line Approved | Local news from the valley</title>')).title).toBe('Tram Line Approved');
  });
});

describe('HTML content', () => {
  it('takes the story, not the teasers, when a page has several <article> elements', () => {
    const teaser = (n: number): string => `<article class="teaser"><h3><a href="/s${n}">Other story ${n}</a></h3><p>A short summary of the other story.</p></article>`;
    const comment = `<section id="comments"><article class="comment"><p>${'I was at the meeting and the debate was long but fair to everyone involved. '.repeat(3)}</p></article></section>`;
    const body = `<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav></header>
      <main>${teaser(1)}${teaser(2)}<article class="story"><h1>Tram Line Approved</h1>${storyHtml}</article>${teaser(3)}${comment}</main>`;
    const doc = normalize(page('<title>Tram Line Approved</title>', body));
    expect(doc.body).toBe(story.join('\n\n'));
  });

  it('keeps the article inside a wrapper named for its sidebar or for ads', () => {
    for (const wrapper of ['content-with-sidebar-wrp', 'l-sidebar-fixed', 'ad_body', 'gigya-share-btns-2_gig_containerParent']) {
      const body = `<div class="${wrapper}"><h1>Tram Line Approved</h1>${storyHtml}<div class="sidebar"><a href="/a">Most read</a></div></div>`;
      expect(normalize(page('', body)).body, wrapper).toBe(story.join('\n\n'));
    }
  });

  it('leaves out link lists, share boxes and subscribe lines inside the article', () => {
    const body = `<article><h1>Tram Line Approved</h1>${storyHtml}
      <div class="share-tools"><a href="#">Share</a><a href="#">Tweet</a></div>
      <div class="newsletter-signup"><p>Sign up for our morning newsletter to get the news first.</p></div>
      <ul><li><a href="/r1">Related: bus fares rise again next year</a></li><li><a href="/r2">Related: a new bridge for cyclists</a></li></ul></article>`;
    expect(normalize(page('', body)).body).toBe(story.join('\n\n'));
  });

  it('reads a page with no container as its body, menus aside', () => {
    const body = `<div id="menu"><a href="/">Home</a> <a href="/about">About</a></div><h1>Tram Line Approved</h1>${storyHtml}`;
    expect(normalize(page('', body)).body).toBe(story.join('\n\n'));
  });
});

describe('bylines', () => {
  it.each([
    ['By Reuters', ['Reuters']],
    ['By The Moscow Times', ['The Moscow Times']],
    ['By Ivan Petrov and Anna Smirnova', ['Ivan Petrov', 'Anna Smirnova']],
    ['By A. Jones, B. Smith & C. Brown', ['A. Jones', 'B. Smith', 'C. Brown']],
    ['By Jane Roe/AP', ['Jane Roe', 'AP']],
    ['By Ludwig van Beethoven', ['Ludwig van Beethoven']],
    ['By Дмитрий Соколов', ['Дмитрий Соколов']],
  ])('reads %j as a byline', (line, names) => {
    expect(parseByline(line)).toEqual(names);
  });

  it.each([
    'By the end of the decade, every bus on the city’s routes will run on electricity, the transport department said on Monday.',
    'By 2030 the line will carry 40,000 people a day.',
    'By now, most residents know the plan.',
    'Bypass roads are planned too.',
  ])('reads %j as no byline', (line) => {
    expect(parseByline(line)).toBeNull();
  });

  it('tells names from other values', () => {
    expect(isName('Mira Holm')).toBe(true);
    expect(isName('mira holm')).toBe(false);
    expect(isName('Staff')).toBe(false);
    expect(namesIn('By Brenda Goodman, MA')).toEqual(['Brenda Goodman']);
    expect(namesIn('Jane Roe, Senior Correspondent')).toEqual(['Jane Roe']);
    expect(namesIn('Bradley Kuhn (https://example.org/bkuhn/)')).toEqual(['Bradley Kuhn']);
  });
});
