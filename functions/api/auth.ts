import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { API_KEY_HEADER, ProblemError } from './problem.ts';

/** Paths that answer without a key whatever the settings: liveness must not need a secret. */
const ALWAYS_OPEN = new Set(['/health']);
/** Paths that describe the API (no stored data): open unless `publicDocs` is off. */
const DOCS_PATHS = new Set(['/openapi.json', '/docs']);

export interface ApiKeyOptions {
  /** The one key accepted in the `x-api-key` header. */
  readonly key: string;
  /**
   * Whether `/docs` and `/openapi.json` answer without a key.
   *
   * @default true
   */
  readonly publicDocs?: boolean;
}

/**
 * Requires the API key on every request except CORS preflights (browsers never send
 * credentials on them), `/health` and, when `publicDocs` is on, the reference pages. It runs
 * before routing, so that a client without the key learns nothing about which paths or ids
 * exist: every refused request gets the same 401 (no key) or 403 (a wrong one).
 *
 * The deployed API never needs this: API Gateway checks the key before the function runs.
 *
 * @example
 * app.use(requireApiKey({ key: process.env.API_KEY!, publicDocs: false }));
 */
export function requireApiKey(options: ApiKeyOptions): MiddlewareHandler {
  if (options.key.trim() === '') throw new RangeError('The API key must not be empty.');
  const expected = digest(options.key);
  const publicDocs = options.publicDocs ?? true;
  return async (c, next) => {
    const path = c.req.path;
    if (c.req.method === 'OPTIONS' || ALWAYS_OPEN.has(path) || (publicDocs && DOCS_PATHS.has(path))) return next();
    const sent = c.req.header(API_KEY_HEADER);
    if (sent === undefined || sent === '') throw ProblemError.missingCredentials();
    // Compared as digests: equal lengths for timingSafeEqual, and no early exit on a prefix.
    if (!timingSafeEqual(digest(sent), expected)) throw ProblemError.invalidCredentials();
    await next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
