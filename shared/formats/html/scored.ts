import { BLOCKS, isHidden, SKIPPED } from './blocks.ts';

// Class and id words (whole words of a compound name such as `related-links_box`) that mark
// page furniture.
const FURNITURE = new Set([
  'ad', 'ads', 'adv', 'advert', 'adverts', 'advertisement', 'advertising', 'anzeige', 'banner', 'breadcrumb', 'breadcrumbs',
  'byline', 'consent', 'cookie', 'cookies', 'foot', 'footer', 'header', 'hidden', 'login', 'masthead', 'menu', 'meta', 'modal',
  'nav', 'navbar', 'navigation', 'newsletter', 'outbrain', 'overlay', 'pager', 'pagination', 'popular', 'popup', 'print', 'promo',
  'promoted', 'rating', 'recommended', 'recommendations', 'related', 'search', 'share', 'sharebar', 'sharing', 'sidebar',
  'signup', 'skip', 'social', 'sponsor', 'sponsored', 'subscribe', 'subscription', 'tags', 'taboola', 'toolbar', 'tools',
  'trending', 'widget', 'widgets',
]);
// Words that mark reader comments, which are never the article however long they run.
const COMMENTS = new Set(['comment', 'comments', 'commentlist', 'disqus', 'discussion', 'respond', 'replies', 'reply']);
const FURNITURE_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'dialog', 'alert', 'menu', 'menubar']);
const FURNITURE_ELEMENTS = new Set(['header', 'footer', 'aside', 'nav']);
// Containers that say they hold the main text.
const CONTENT_WORDS = new Set(['article', 'articlebody', 'body', 'content', 'entry', 'main', 'post', 'story', 'text']);

// A block's own text counts as article text from this many characters without links on.
const MIN_GOOD_TEXT = 30;
const MAX_GOOD_LINK_DENSITY = 0.4;

interface Stats {
  /** Characters of text in the subtree (scripts, forms, media and hidden parts left out). */
  text: number;
  /** Characters of that text inside links. */
  links: number;
  /** Characters in blocks that read as article text: long enough, and not mostly links. */
  good: number;
}

/** The words of an element's class and id, lower-cased and split at case changes and punctuation. */
export function wordsOf(element: Element): string[] {
  const marks = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`;
  if (marks.length < 2) return [];
  return marks.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter((word) => word !== '');
}

/** Whether the element is, or sits inside, a block of reader comments. */
export function inComments(element: Element): boolean {
  for (let node: Element | null = element; node !== null; node = node.parentElement) {
    if (node.localName === 'comments' || wordsOf(node).some((word) => COMMENTS.has(word))) return true;
  }
  return false;
}

function childrenOf(element: Element): Element[] {
  const children: Element[] = [];
  for (let child = element.firstElementChild; child !== null; child = child.nextElementSibling) children.push(child);
  return children;
}

function countText(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 32) count++;
  return count;
}

/**
 * Text statistics of every element under `root`, bottom-up in one walk. `excluded` elements
 * count as empty.
 */
function measure(root: Element, excluded: ReadonlySet<Element>): Map<Element, Stats> {
  const stats = new Map<Element, Stats>();
  // Each block's own text: text whose nearest block ancestor it is (inline children included).
  const own = new Map<Element, { text: number; links: number }>();
  const order: Array<{ element: Element; block: Element; inLink: boolean }> = [];
  const stack: Array<{ element: Element; block: Element; inLink: boolean }> = [{ element: root, block: root, inLink: false }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    order.push(entry);
    const { element } = entry;
    const block = BLOCKS.has(element.localName) ? element : entry.block;
    const inLink = entry.inLink || element.localName === 'a';
    for (let child = element.firstChild; child !== null; child = child.nextSibling) {
      if (child.nodeType === 3) {
        const count = countText((child as Text).data);
        if (count === 0) continue;
        const tally = own.get(block) ?? { text: 0, links: 0 };
        tally.text += count;
        if (inLink) tally.links += count;
        own.set(block, tally);
      } else if (child.nodeType === 1) {
        const next = child as Element;
        if (SKIPPED.has(next.localName) || excluded.has(next) || isHidden(next)) continue;
        stack.push({ element: next, block, inLink });
      }
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const { element } = order[i]!;
    const mine = own.get(element);
    const total: Stats = { text: 0, links: 0, good: 0 };
    if (mine) {
      total.text = mine.text;
      total.links = mine.links;
      if (mine.text - mine.links >= MIN_GOOD_TEXT && mine.links <= mine.text * MAX_GOOD_LINK_DENSITY) total.good = mine.text;
    }
    for (const child of childrenOf(element)) {
      const inner = stats.get(child);
      if (!inner) continue;
      total.text += inner.text;
      total.links += inner.links;
      total.good += inner.good;
    }
    stats.set(element, total);
  }
  return stats;
}

function isFurniture(element: Element, words: readonly string[]): boolean {
  const role = element.getAttribute('role');
  if (role !== null && FURNITURE_ROLES.has(role.toLowerCase())) return true;
  return FURNITURE_ELEMENTS.has(element.localName) || words.some((word) => FURNITURE.has(word));
}

/**
 * The page furniture under `root`: elements marked as navigation, sharing, related links, ads
 * and the like (by element, ARIA role, or a whole word of their class or id) that hold less
 * than half of `root`'s article text, so that a wrapper named `content-with-sidebar` or
 * `ad_body` around the article stays; and reader comments that hold less than most of it.
 */
function furnitureUnder(root: Element, stats: Map<Element, Stats>): Set<Element> {
  const found = new Set<Element>();
  const whole = stats.get(root)?.good ?? 0;
  const stack = childrenOf(root);
  while (stack.length > 0) {
    const element = stack.pop()!;
    const mine = stats.get(element);
    if (!mine) continue;
    const words = wordsOf(element);
    const comments = words.some((word) => COMMENTS.has(word)) || element.localName === 'comments';
    if ((comments && mine.good < whole * 0.8) || (isFurniture(element, words) && mine.good < whole * 0.5)) {
      found.add(element);
      continue;
    }
    stack.push(...childrenOf(element));
  }
  return found;
}

/**
 * For text that an extractor has already chosen: which elements under `root` to leave out.
 * Page furniture by its own marks (element, ARIA role, class or id word), such as an `<aside>`,
 * a share box or a byline box, and boxes that are mostly links, when they hold under a fifth of
 * the text (a section named "sharing" in a guide to sharing stays); reader comments when they
 * hold less than most of it; and, where the root holds several `<article>` elements, the small
 * ones without the headline (teasers).
 */
export function furnitureIn(root: Element): (element: Element) => boolean {
  const whole = countText(root.textContent ?? '');
  const headline = root.querySelector('h1');
  return (element) => {
    const words = wordsOf(element);
    const comments = words.some((word) => COMMENTS.has(word));
    const furniture = isFurniture(element, words);
    const teaser = element.localName === 'article' && headline !== null && !element.contains(headline);
    if (!comments && !furniture && !teaser && !BLOCKS.has(element.localName)) return false;
    const text = countText(element.textContent ?? '');
    if (comments) return text < whole * 0.8;
    if (furniture || teaser) return text < whole * 0.2;
    if (text === 0 || text >= whole * 0.2) return false;
    let links = 0;
    for (const link of element.querySelectorAll('a')) links += countText(link.textContent ?? '');
    return links > text * 0.5;
  };
}

export interface ScoredContent {
  root: Element;
  /** The page furniture found around and inside the root (see `furnitureUnder`). */
  furniture: ReadonlySet<Element>;
  /** Elements under the root to leave out of the text. */
  drop: (element: Element) => boolean;
  /** Characters of article text in the root. */
  good: number;
  linkDensity: number;
}

/**
 * The element that holds the article, found by text statistics: page furniture is set aside
 * first, then the element with the most article text net of the other text it carries (menus,
 * link lists, short lines) wins, so the container of the story beats both a teaser and the whole
 * page. Inside it, furniture and link lists are left out. Reads the DOM; changes nothing.
 *
 * @example
 * scoredContent(parsePage(html).body)?.root.localName // 'article'
 */
export function scoredContent(body: Element): ScoredContent | null {
  const first = measure(body, new Set());
  const furniture = furnitureUnder(body, first);
  const stats = measure(body, furniture);
  let best: Element | null = null;
  let bestScore = 0;
  for (const [element, mine] of stats) {
    if (mine.good === 0) continue;
    const words = wordsOf(element);
    let score = mine.good - (mine.text - mine.good);
    const name = element.localName;
    if (name === 'article' || name === 'main' || element.getAttribute('role') === 'main' || /articleBody/i.test(element.getAttribute('itemprop') ?? '')) score *= 1.1;
    else if (words.some((word) => CONTENT_WORDS.has(word))) score *= 1.05;
    if (score > bestScore) {
      best = element;
      bestScore = score;
    }
  }
  if (best === null) return null;
  const inner = measure(best, new Set());
  const dropped = furnitureUnder(best, inner);
  const drop = (element: Element): boolean => {
    if (dropped.has(element) || furniture.has(element)) return true;
    const mine = inner.get(element);
    // Lists and boxes that are mostly links: menus, tag lists, related headlines.
    return mine !== undefined && BLOCKS.has(element.localName) && mine.text > 0 && mine.links > mine.text * 0.5 && mine.good < 200;
  };
  const mine = stats.get(best)!;
  return { root: best, furniture: new Set([...furniture, ...dropped]), drop, good: mine.good, linkDensity: mine.text === 0 ? 0 : mine.links / mine.text };
}
