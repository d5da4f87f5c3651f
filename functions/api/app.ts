import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { Context, MiddlewareHandler } from 'hono';
import type { LambdaContext } from 'hono/aws-lambda';
import { HTTPException } from 'hono/http-exception';
import { requestId, type RequestIdVariables } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { ZodError } from 'zod';
import { CursorError, createCursorSigner, type QueryFingerprint } from '../../shared/cursor.ts';
import { StoreUnavailableError } from '../../shared/store/errors.ts';
import type { DocumentReader } from '../../shared/store/index.ts';
import { requireApiKey } from './auth.ts';
import type { AppConfig } from './config.ts';
import { corsFor } from './cors.ts';
import { documentEtag, ifNoneMatchMatches } from './etag.ts';
import { documentFilters, documentsFingerprint, failuresFingerprint, listDocuments } from './listing.ts';
import { API_KEY_HEADER, PROBLEM_TYPES, ProblemError, sendProblem, statusPhrase, type InvalidParam } from './problem.ts';
import {
  API_KEY_SCHEME,
  docsRoute,
  getDocumentRoute,
  healthRoute,
  listDocumentsRoute,
  listFailuresRoute,
  openApiRoute,
} from './routes.ts';
import { DEFAULT_LIMIT } from './schemas.ts';

/** Where the app reports server faults. Powertools' `Logger` fits as it is. */
export interface ApiLogger {
  error(message: string, attributes: Record<string, unknown>): void;
}

/** What {@link createApp} needs. */
export interface AppDependencies {
  /** The table's read side: `createDynamoStore(...)` in every deployment. */
  readonly reader: DocumentReader;
  readonly config: AppConfig;
  readonly logger: ApiLogger;
}

/** Hono environment of the app: the request id, and what `hono/aws-lambda` passes on Lambda. */
export interface ApiEnv {
  Variables: RequestIdVariables;
  Bindings: { lambdaContext?: LambdaContext };
}

/** The app {@link createApp} builds. */
export type ApiApp = OpenAPIHono<ApiEnv>;

/** The pinned Scalar bundle the /docs page loads (the package's default is an unpinned "latest"). */
export const SCALAR_CDN = 'https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.72.1';

const CACHE = {
  /** Lists change as documents arrive: a short shared cache absorbs bursts of identical requests. */
  documents: 'public, max-age=10',
  /** One document: cache briefly, then revalidate with If-None-Match (cheap 304). */
  document: 'public, max-age=60',
  /** Failures are what an operator watches while fixing them: never stale. */
  failures: 'no-store',
  health: 'no-store',
  openapi: 'public, max-age=300',
  docs: 'public, max-age=300',
} as const;

const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'] as const;
const ROUTE_PATHS = ['/health', '/documents', '/documents/:id', '/failures', '/openapi.json', '/docs'] as const;

// For JSON responses, the headers OWASP's REST guidance asks for (HTML-only ones left out):
// nothing may be framed, sniffed or run, whatever a stored body contains.
const API_HEADERS = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  // A public read API: browsers on other origins may read it (CORS decides which).
  crossOriginResourcePolicy: 'cross-origin',
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  xFrameOptions: 'DENY',
});
// The reference page runs Scalar's bundle from the CDN and an inline bootstrap script; it
// shows no stored data, only /openapi.json.
const DOCS_HEADERS = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", "'unsafe-inline'", 'https://cdn.jsdelivr.net'],
    styleSrc: ["'self'", "'unsafe-inline'", 'https:'],
    fontSrc: ["'self'", 'data:', 'https:'],
    imgSrc: ["'self'", 'data:', 'https:'],
    connectSrc: ["'self'", 'https:'],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  crossOriginResourcePolicy: 'same-origin',
  xFrameOptions: 'DENY',
});

/**
 * Builds the read API: one Hono app, the same on Lambda (`handle(app)` from hono/aws-lambda),
 * in the embedded stack (`serve({ fetch: app.fetch })` from @hono/node-server) and in tests
 * (`app.request(path)`). It reads the table only through `reader`, never scans, and answers
 * every error as `application/problem+json`.
 *
 * @example
 * const app = createApp({
 *   reader: createDynamoStore({ client, tableName, bodies }),
 *   config: { cursorSecret: process.env.CURSOR_SECRET!, corsOrigins: ['*'] },
 *   logger: new Logger({ serviceName: 'api' }),
 * });
 * const response = await app.request('/documents?site=example.com&limit=5');
 */
export function createApp(deps: AppDependencies): ApiApp {
  const { reader, config, logger } = deps;
  const cursors = createCursorSigner(config.cursorSecret, config.cursorSecretPrevious ? { previous: config.cursorSecretPrevious } : {});
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: rejectInvalid });

  // Middleware: request id first, so every response (errors included) carries it.
  app.use(requestId({ generator: (c) => c.env?.lambdaContext?.awsRequestId ?? crypto.randomUUID() }));
  app.use((c, next) => (c.req.path === '/docs' ? DOCS_HEADERS(c, next) : API_HEADERS(c, next)));
  // CORS headers go on every response, errors and 404s included, so a browser can read them.
  const cors = corsFor(config.corsOrigins);
  app.use((c, next) => (c.req.method === 'OPTIONS' ? next() : cors.headers(c, next)));
  // Preflights only on real routes, so that OPTIONS elsewhere is a 404 like any other method.
  app.on('OPTIONS', [...ROUTE_PATHS], cors.preflight);
  // After CORS, so that a browser can read the 401; before routing, so that it hides what exists.
  if (config.apiKey !== undefined) app.use(requireApiKey({ key: config.apiKey, publicDocs: config.publicDocs ?? true }));
  app.openAPIRegistry.registerComponent('securitySchemes', API_KEY_SCHEME, {
    type: 'apiKey',
    in: 'header',
    name: API_KEY_HEADER,
    description:
      'The API key (`ingest api-key` prints it). Deployed with `apiAuth=iam`, requests are signed with SigV4 instead; with `apiAuth=none`, and in the embedded stack started without a key, none is needed.',
  });

  /** The position inside a cursor, or null without one; a bad cursor is a 400. */
  const positionOf = (cursor: string | undefined, query: QueryFingerprint): string | null => {
    if (cursor === undefined) return null;
    try {
      return cursors.verify(cursor, query);
    } catch (error) {
      if (error instanceof CursorError) throw ProblemError.invalidCursor(error.message, error);
      throw error;
    }
  };

  app.openapi(healthRoute, (c) => {
    c.header('Cache-Control', CACHE.health);
    return c.json({ status: 'ok' as const }, 200);
  });

  app.openapi(listDocumentsRoute, async (c) => {
    const { limit = DEFAULT_LIMIT, cursor, ...params } = c.req.valid('query');
    const filters = documentFilters(params);
    const fingerprint = documentsFingerprint(filters);
    const page = await listDocuments(reader, filters, limit, positionOf(cursor, fingerprint));
    c.header('Cache-Control', CACHE.documents);
    return c.json({ items: page.items, nextCursor: page.next === null ? null : cursors.sign(page.next, fingerprint) }, 200);
  });

  app.openapi(getDocumentRoute, async (c) => {
    const { id } = c.req.valid('param');
    const document = await reader.getDocument(id);
    if (document === null) throw ProblemError.notFound(`No document has the id "${id}".`);
    const etag = documentEtag(document);
    c.header('ETag', etag);
    c.header('Cache-Control', CACHE.document);
    if (ifNoneMatchMatches(c.req.header('If-None-Match'), etag)) return c.body(null, 304);
    return c.json(document, 200);
  });

  app.openapi(listFailuresRoute, async (c) => {
    const { limit = DEFAULT_LIMIT, cursor } = c.req.valid('query');
    const fingerprint = failuresFingerprint();
    const page = await reader.listFailures({ limit, after: positionOf(cursor, fingerprint) });
    c.header('Cache-Control', CACHE.failures);
    return c.json(
      {
        items: page.items.map((failure) => ({
          id: failure.id,
          key: failure.sourceKey,
          code: failure.code,
          message: failure.message,
          failedAt: failure.failedAt,
        })),
        nextCursor: page.next === null ? null : cursors.sign(page.next, fingerprint),
      },
      200,
    );
  });

  // Served by hand; registered so that the description lists them too.
  app.openAPIRegistry.registerPath(openApiRoute);
  app.openAPIRegistry.registerPath(docsRoute);
  let openApiDocument: string | undefined;
  app.get(openApiRoute.path, rejectQuery, (c) => {
    // Built on first use, not at cold start: most invocations never ask for it.
    openApiDocument ??= JSON.stringify(
      app.getOpenAPIDocument({
        openapi: '3.0.3',
        info: {
          title: 'docflow read API',
          version: '1.0.0',
          description:
            'Normalized documents and failed ingestions, read from the documents table. Errors are `application/problem+json` (RFC 9457).',
        },
        security: [{ [API_KEY_SCHEME]: [] }],
        tags: [
          { name: 'Documents', description: 'Normalized documents.' },
          { name: 'Failures', description: 'Objects that could not be normalized.' },
          { name: 'Service', description: 'Health and this description.' },
        ],
      }),
    );
    return c.body(openApiDocument, 200, { 'Content-Type': 'application/json', 'Cache-Control': CACHE.openapi });
  });
  // Relative, so the page also finds the description under an API Gateway stage prefix.
  app.get(docsRoute.path, rejectQuery, cacheFor(CACHE.docs), Scalar({ url: 'openapi.json', pageTitle: 'docflow API', cdn: SCALAR_CDN }));

  // Any other method on a known path: 405 with Allow.
  for (const path of ROUTE_PATHS) {
    app.all(path, (c) => {
      throw ProblemError.methodNotAllowed(c.req.method, c.req.path, READ_METHODS);
    });
  }

  app.notFound((c) =>
    sendProblem(c, {
      type: PROBLEM_TYPES.blank,
      title: statusPhrase(404),
      status: 404,
      detail: 'There is no endpoint at this path; /openapi.json lists them.',
      requestId: requestIdOf(c),
    }),
  );

  app.onError((error, c) => {
    if (error instanceof ProblemError) {
      return sendProblem(c, { ...error.problem, requestId: requestIdOf(c) }, error.headers);
    }
    // Hono's own client errors (a malformed request it could not read, ...): their status, our format.
    if (error instanceof HTTPException && error.status < 500) {
      return sendProblem(c, {
        type: PROBLEM_TYPES.blank,
        title: statusPhrase(error.status),
        status: error.status,
        detail: error.message || statusPhrase(error.status),
        requestId: requestIdOf(c),
      });
    }
    // The table is throttled or down: the client may retry, and it is not a bug of ours.
    if (error instanceof StoreUnavailableError) {
      logger.error('Store unavailable', { requestId: requestIdOf(c), method: c.req.method, path: c.req.path, error: errorAttributes(error) });
      return sendProblem(
        c,
        {
          type: PROBLEM_TYPES.blank,
          title: statusPhrase(503),
          status: 503,
          detail: 'The document store is busy. Retry after the number of seconds in Retry-After.',
          requestId: requestIdOf(c),
        },
        { 'Retry-After': '1' },
      );
    }
    // Everything else is ours to fix: log it in full, answer without internals.
    logger.error('Request failed', {
      requestId: requestIdOf(c),
      method: c.req.method,
      path: c.req.path,
      error: errorAttributes(error),
    });
    return sendProblem(c, {
      type: PROBLEM_TYPES.blank,
      title: statusPhrase(500),
      status: 500,
      detail: 'The server failed to answer this request. It has been logged; quote the request id when reporting it.',
      requestId: requestIdOf(c),
    });
  });

  return app;
}

// ---- helpers -----------------------------------------------------------------------------

/** The default validation hook: any zod failure of a request part becomes one 400 problem. */
const rejectInvalid: Hook<unknown, ApiEnv, string, void> = (result) => {
  if (!result.success) throw ProblemError.invalidParams(invalidParamsOf(result.error, result.target));
};

/** For routes served by hand: the same rule as the validated ones, no query parameters. */
const rejectQuery: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const names = Object.keys(c.req.queries());
  if (names.length > 0) throw ProblemError.invalidParams(names.map((name) => ({ name, reason: UNKNOWN_PARAMETER })));
  await next();
};

/** Sets Cache-Control on a response a handler we do not own builds. */
function cacheFor(value: string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    await next();
    c.res.headers.set('Cache-Control', value);
  };
}

const UNKNOWN_PARAMETER = 'is not a parameter of this endpoint (see /openapi.json)';

/** One entry per parameter (its first issue), in the order the issues came. */
export function invalidParamsOf(error: ZodError, target: string): InvalidParam[] {
  const byName = new Map<string, string>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) if (!byName.has(key)) byName.set(key, UNKNOWN_PARAMETER);
      continue;
    }
    const name = issue.path.length > 0 ? issue.path.map(String).join('.') : target;
    if (!byName.has(name)) byName.set(name, issue.message);
  }
  return [...byName].map(([name, reason]) => ({ name, reason }));
}

function requestIdOf(c: Context<ApiEnv>): string {
  // Unset only if a middleware before request-id failed, which none does.
  return c.get('requestId') ?? 'unknown';
}

function errorAttributes(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  return { name: error.name, message: error.message, stack: error.stack };
}
