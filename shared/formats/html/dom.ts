import { Parser } from 'htmlparser2';
import { parseHTML } from 'linkedom';
import { DocumentError } from '../../errors.ts';

// Real pages nest a few dozen levels (at most 40 among the 625 pages of the quality benchmark);
// the extractors' cost grows with the square of the depth. Chromium's parser stops at 512 too.
export const MAX_DEPTH = 512;

// Elements a browser puts in <head> when they come before any body content.
const HEAD_ELEMENTS = new Set(['base', 'basefont', 'bgsound', 'link', 'meta', 'noscript', 'script', 'style', 'template', 'title']);
const EMPTY_PAGE = '<!doctype html><html><head></head><body></body></html>';

/**
 * Parses a page or a fragment into a DOM document (linkedom) with the `<html>`, `<head>` and
 * `<body>` a browser would imply: htmlparser2 builds none of them, and a fragment such as
 * `<p>..</p>` would otherwise have no body. Elements that belong in the head and come before any
 * content go there; everything else goes to the body.
 *
 * Returns the document and how deep its elements nest.
 *
 * @throws {DocumentError} `too_complex` when elements nest more than MAX_DEPTH deep.
 * @example
 * parsePage('<title>T</title><p>Hello</p>').document.body.textContent // 'Hello'
 */
export function parsePage(html: string): { document: Document; depth: number } {
  const { document } = parseHTML(EMPTY_PAGE) as unknown as { document: Document };
  const root = document.documentElement;
  const head = document.head;
  const body = document.body;
  // The open elements; html, head and body stand for the page's own.
  const open: Node[] = [];
  let inBody = false;
  let depth = 0;
  const copyAttributes = (target: Element, attributes: Record<string, string>): void => {
    for (const [name, value] of Object.entries(attributes)) {
      if (!target.hasAttribute(name)) safeSetAttribute(target, name, value);
    }
  };
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (open.length >= MAX_DEPTH) {
          throw new DocumentError('too_complex', `The HTML is nested more than ${MAX_DEPTH} elements deep.`);
        }
        if (name === 'html') {
          copyAttributes(root, attributes);
          open.push(root);
          return;
        }
        if (name === 'head' && !inBody) {
          open.push(head);
          return;
        }
        if (name === 'body') {
          copyAttributes(body, attributes);
          inBody = true;
          open.push(body);
          return;
        }
        let parent = open.at(-1);
        if (parent === undefined || parent === root) {
          if (!inBody && HEAD_ELEMENTS.has(name)) parent = head;
          else {
            parent = body;
            inBody = true;
          }
        } else if (parent === head && !HEAD_ELEMENTS.has(name)) {
          parent = body;
          inBody = true;
        }
        if (open.length >= depth) depth = open.length + 1;
        const element = document.createElement(name);
        for (const [key, value] of Object.entries(attributes)) safeSetAttribute(element, key, value);
        parent.appendChild(element);
        open.push(element);
      },
      ontext(text) {
        let parent = open.at(-1);
        if (parent === undefined || parent === root || parent === head) {
          if (!/\S/.test(text)) return;
          parent = body;
          inBody = true;
        }
        const last = parent.lastChild;
        if (last !== null && last.nodeType === 3) (last as Text).data += text;
        else parent.appendChild(document.createTextNode(text));
      },
      onclosetag() {
        open.pop();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return { document, depth };
}

/** Sets an attribute, skipping names the DOM refuses (`<p 1a="x">` parses, but is no name). */
function safeSetAttribute(element: Element, name: string, value: string): void {
  try {
    element.setAttribute(name, value);
  } catch {
    // Not an attribute name a browser would keep either.
  }
}
