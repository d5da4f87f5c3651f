import { createRoute, z } from '@hono/zod-openapi';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';
import {
  DocumentIdParamsSchema,
  DocumentPageSchema,
  DocumentSchema,
  FailurePageSchema,
  HealthSchema,
  ListDocumentsQuerySchema,
  ListFailuresQuerySchema,
  NoQuerySchema,
  ProblemSchema,
} from './schemas.ts';

/** The route definitions: paths, parameters and responses, shared by the router and /openapi.json. */

function problem(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
}

const requestIdHeader = {
  'X-Request-Id': { description: 'Identifies this request in the logs.', schema: { type: 'string' as const } },
};
/** Name of the API key scheme in /openapi.json. */
export const API_KEY_SCHEME = 'ApiKey';
/** For routes that answer without a key in the app (API Gateway may still ask for one). */
const KEY_OPTIONAL: Record<string, string[]>[] = [{}, { [API_KEY_SCHEME]: [] }];
const UNAUTHENTICATED = problem('No API key was sent (the `WWW-Authenticate` header names the header to send it in).');
const FORBIDDEN = problem('The API key is not valid.');
/** Every route that reads stored data answers these when a key is required. */
const REFUSED = { 401: UNAUTHENTICATED, 403: FORBIDDEN };
const INVALID = problem('A parameter is unknown, repeated, empty or invalid, or the cursor cannot be used.');
const FAULT = problem('A server fault; the problem carries the request id.');

export const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness',
  description:
    'Answers without touching the table: the function runs and its configuration loaded. Needs no key in the app; deployed with `apiAuth=apiKey` or `iam`, API Gateway asks for credentials here too.',
  tags: ['Service'],
  security: KEY_OPTIONAL,
  request: { query: NoQuerySchema },
  responses: {
    200: { description: 'Alive.', headers: requestIdHeader, content: { 'application/json': { schema: HealthSchema } } },
    400: INVALID,
  },
});

export const listDocumentsRoute = createRoute({
  method: 'get',
  path: '/documents',
  summary: 'List documents',
  description:
    'Documents without their bodies, newest first by `publishedAt` (undated documents last), optionally filtered. Filters combine with AND. Page with `cursor`.',
  tags: ['Documents'],
  request: { query: ListDocumentsQuerySchema },
  responses: {
    200: {
      description: 'One page of summaries.',
      headers: requestIdHeader,
      content: { 'application/json': { schema: DocumentPageSchema } },
    },
    400: INVALID,
    ...REFUSED,
    500: FAULT,
  },
});

export const getDocumentRoute = createRoute({
  method: 'get',
  path: '/documents/{id}',
  summary: 'Get one document',
  description:
    'The full document with its body. Carries an `ETag`; send it back in `If-None-Match` to get a 304 when the document has not changed.',
  tags: ['Documents'],
  request: { params: DocumentIdParamsSchema, query: NoQuerySchema },
  responses: {
    200: {
      description: 'The document.',
      headers: {
        ...requestIdHeader,
        ETag: { description: 'Changes whenever a new version of the document is stored.', schema: { type: 'string' } },
      },
      content: { 'application/json': { schema: DocumentSchema } },
    },
    304: { description: 'Not modified: the `If-None-Match` ETag is still current.' },
    400: INVALID,
    ...REFUSED,
    404: problem('No document has this id (it never existed, failed to parse, or was deleted).'),
    500: FAULT,
  },
});

export const listFailuresRoute = createRoute({
  method: 'get',
  path: '/failures',
  summary: 'List failed ingestions',
  description: 'Objects that could not become documents, newest first, with a machine-readable code and a sentence.',
  tags: ['Failures'],
  request: { query: ListFailuresQuerySchema },
  responses: {
    200: {
      description: 'One page of failures.',
      headers: requestIdHeader,
      content: { 'application/json': { schema: FailurePageSchema } },
    },
    400: INVALID,
    ...REFUSED,
    500: FAULT,
  },
});

/** Served by hand (not validated), registered only so that /openapi.json lists them. */
export const openApiRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  summary: 'This description',
  tags: ['Service'],
  security: KEY_OPTIONAL,
  responses: {
    ...REFUSED,
    200: {
      description: 'The OpenAPI 3 document of this API.',
      content: { 'application/json': { schema: z.object({}).passthrough().openapi({ type: 'object' }) } },
    },
  },
});

export const docsRoute = createRoute({
  method: 'get',
  path: '/docs',
  summary: 'Interactive reference',
  tags: ['Service'],
  security: KEY_OPTIONAL,
  responses: {
    ...REFUSED,
    200: { description: 'An HTML page that renders /openapi.json.', content: { 'text/html': { schema: z.string() } } },
  },
});
