import { collapse } from '../../text.ts';

// Elements whose text is never article text.
export const SKIPPED = new Set([
  'head', 'script', 'style', 'noscript', 'template', 'nav', 'form', 'iframe', 'frame', 'frameset', 'object', 'embed', 'svg',
  'math', 'canvas', 'button', 'select', 'textarea', 'input', 'menu', 'dialog', 'audio', 'video', 'picture', 'img', 'map', 'title',
]);
export const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'main', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'table', 'thead', 'tbody',
  'tfoot', 'tr', 'td', 'th', 'caption', 'figure', 'figcaption', 'address', 'details', 'summary', 'hr', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'body', 'center', 'header', 'footer', 'aside',
]);

const ELEMENT = 1;
const TEXT = 3;

/** Whether an element is hidden from readers (`hidden`, `aria-hidden`, `display: none`). */
export function isHidden(element: Element): boolean {
  if (element.hasAttribute('hidden') || element.getAttribute('aria-hidden') === 'true') return true;
  const style = element.getAttribute('style');
  return style !== null && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(style);
}

function headingLevel(name: string): number {
  return name.length === 2 && name[0] === 'h' && name[1]! >= '1' && name[1]! <= '6' ? Number(name[1]) : 0;
}

/**
 * The text blocks of an element, as paragraphs: headings as `## `, list items as `- `, quotes as
 * `> `, whitespace collapsed. `drop` says which elements (besides scripts, forms, media and
 * hidden ones) to leave out with everything inside them.
 *
 * @example
 * blocksOf(parsePage('<h2>Outlook</h2><p>Rain.</p>').body) // ['## Outlook', 'Rain.']
 */
export function blocksOf(root: Element, drop: (element: Element) => boolean = () => false): string[] {
  const paragraphs: string[] = [];
  let buffer = '';
  let prefix = '';
  let quoteDepth = 0;
  const flush = (): void => {
    const text = collapse(buffer);
    if (text !== '') paragraphs.push((quoteDepth > 0 ? '> ' : '') + prefix + text);
    buffer = '';
  };
  // Entries are nodes to enter, or closers to run when an element's children are done.
  const stack: Array<Node | (() => void)> = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'function') {
      item();
      continue;
    }
    if (item.nodeType === TEXT) {
      buffer += (item as Text).data;
      continue;
    }
    if (item.nodeType !== ELEMENT) continue;
    const element = item as Element;
    const name = element.localName;
    if (SKIPPED.has(name) || isHidden(element) || (element !== root && drop(element))) continue;
    if (name === 'br') {
      buffer += ' ';
      continue;
    }
    if (BLOCKS.has(name)) {
      flush();
      const outer = prefix;
      const level = headingLevel(name);
      if (name === 'li') prefix = '- ';
      else if (level > 0) prefix = `${'#'.repeat(level)} `;
      else if (name === 'blockquote') quoteDepth++;
      stack.push(() => {
        flush();
        prefix = outer;
        if (name === 'blockquote') quoteDepth--;
      });
    }
    const children: Node[] = [];
    for (let child = element.firstChild; child !== null; child = child.nextSibling) children.push(child);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  flush();
  return paragraphs;
}
