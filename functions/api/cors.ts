import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * What browsers on other origins may do: read, revalidate, authenticate (an API key, or a
 * SigV4 signature with its date and session token), and see the ETag and request id.
 */
const ALLOW_METHODS = ['GET', 'HEAD', 'OPTIONS'];
const ALLOW_HEADERS = ['If-None-Match', 'X-Request-Id', 'X-Api-Key', 'Authorization', 'X-Amz-Date', 'X-Amz-Security-Token', 'X-Amz-Content-Sha256'];
const EXPOSE_HEADERS = ['ETag', 'X-Request-Id'];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the configured origins (`['*']` for any, `[]` for none), in two parts:
 * - `preflight`, hono/cors itself, mounted as the OPTIONS handler of each route;
 * - `headers`, the same response headers for every other request, errors included. It sets
 *   them before the handler runs: hono/cors writes them into `c.res` first, which makes Hono
 *   rebuild every response around a stream afterwards and, on @hono/node-server, costs about
 *   half the throughput of a cheap request (measured with bench/api.ts).
 *
 * @example
 * const { preflight, headers } = corsFor(['https://app.example.com']);
 * app.use(headers);
 * app.on('OPTIONS', '/documents', preflight);
 */
export function corsFor(origins: readonly string[]): { preflight: MiddlewareHandler; headers: MiddlewareHandler } {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  const preflight = cors({
    origin: anyOrigin ? '*' : [...origins],
    allowMethods: ALLOW_METHODS,
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  const exposed = EXPOSE_HEADERS.join(',');
  const headers: MiddlewareHandler = async (c, next) => {
    if (anyOrigin) {
      c.header('Access-Control-Allow-Origin', '*');
    } else {
      const origin = c.req.header('Origin');
      if (origin !== undefined && allowed.has(origin)) c.header('Access-Control-Allow-Origin', origin);
      // The answer depends on the Origin: shared caches must keep one copy per origin.
      c.header('Vary', 'Origin', { append: true });
    }
    c.header('Access-Control-Expose-Headers', exposed);
    await next();
  };
  return { preflight, headers };
}
