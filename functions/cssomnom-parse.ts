/**
 * Stands in for `cssomnom/parse` in the Lambda bundles. linkedom imports it only to build
 * `HTMLStyleElement.sheet`, which nothing in this project reads; the real module is a fifth of
 * the parser bundle and of its cold-start import. Reading `.sheet` in a bundle fails loudly.
 */
export function parse(): never {
  throw new Error('CSS style sheets are not parsed in the docflow Lambda bundles (see infra/bundling.ts).');
}
