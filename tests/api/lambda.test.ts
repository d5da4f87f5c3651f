// The Lambda adapter: handle(app) from hono/aws-lambda, fed events built by hand in the shapes
// a Lambda function URL (payload 2.0) and an API Gateway REST proxy integration (1.0) send.
// The routes themselves are tested in routes.test.ts; here an in-memory reader is enough.
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app.ts';
import type { DocumentReader, StoredDocument, StoredSummary } from '../../shared/store/index.ts';

const document: StoredDocument = {
  id: 'd0123456789abcdef01234567',
  schemaVersion: 1,
  sourceKey: 'news/tram routes.txt',
  format: 'article',
  title: 'River trams get new routes',
  authors: ['Ana Lima', 'Bo Chen'],
  publishedAt: '2024-05-01',
  imageCredit: null,
  url: 'https://example.com/trams',
  site: 'example.com',
  language: 'en',
  tags: [],
  body: 'Two new routes open in June.\n\n<script>alert(1)</script> stays text.',
  excerpt: 'Two new routes open in June.',
  wordCount: 9,
  readingTimeMinutes: 1,
  contentHash: 'ab'.repeat(32),
  sourceBytes: 120,
  encoding: 'utf-8',
  ingestedAt: '2024-06-01T00:00:00.000Z',
};
const { body: _body, ...summary } = document;

const seen: unknown[] = [];
const reader: DocumentReader = {
  getDocument: async (id) => (id === document.id ? document : null),
  getDocumentsByUrl: async () => [],
  listDocuments: async (query) => {
    seen.push(query);
    return { items: query.site === 'example.com' ? [summary as StoredSummary] : [], next: null };
  },
  listFailures: async () => ({ items: [], next: null }),
};

const handler = handle(
  createApp({ reader, config: { cursorSecret: 'lambda-test-secret-123', corsOrigins: ['https://app.example'] }, logger: { error: () => {} } }),
);

const lambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'docflow-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:docflow-api',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/docflow-api',
  logStreamName: '2024/06/01/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 10_000,
} as Context;

interface LambdaResult {
  statusCode: number;
  body: string;
  isBase64Encoded: boolean;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
}

// hono's own event types differ from @types/aws-lambda (which follows what AWS sends) in small
// ways (null versus undefined), so the events are cast once, here.
async function invoke(event: APIGatewayProxyEventV2 | APIGatewayProxyEvent): Promise<LambdaResult> {
  return (await handler(event as unknown as LambdaEvent, lambdaContext)) as LambdaResult;
}

/** A function URL request (payload format 2.0), as Lambda delivers it. */
function functionUrlEvent(method: string, rawPath: string, rawQueryString = '', headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: {
      'x-amzn-tls-cipher-suite': 'TLS_AES_128_GCM_SHA256',
      'x-amzn-tls-version': 'TLSv1.3',
      'x-amzn-trace-id': 'Root=1-66500000-0123456789abcdef01234567',
      'x-forwarded-proto': 'https',
      host: 'abcdefghij.lambda-url.us-east-1.on.aws',
      'x-forwarded-port': '443',
      'x-forwarded-for': '203.0.113.7',
      accept: 'application/json',
      'user-agent': 'curl/8.5.0',
      ...headers,
    },
    ...(rawQueryString !== ''
      ? { queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) }
      : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghij',
      domainName: 'abcdefghij.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abcdefghij',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'f1e2d3c4-0000-4000-8000-000000000001',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jun/2024:12:00:00 +0000',
      timeEpoch: 1717243200000,
    },
    isBase64Encoded: false,
  };
}

/** An API Gateway REST API proxy request (`/{proxy+}` on stage `prod`), as Lambda delivers it. */
function restEvent(
  method: string,
  path: string,
  query: Record<string, string[]> | null = null,
  headers: Record<string, string> = {},
): APIGatewayProxyEvent {
  const allHeaders: Record<string, string> = {
    Accept: 'application/json',
    Host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'User-Agent': 'curl/8.5.0',
    'X-Amzn-Trace-Id': 'Root=1-66500000-abcdef0123456789abcdef01',
    'X-Forwarded-For': '203.0.113.7',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...headers,
  };
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: allHeaders,
    multiValueHeaders: Object.fromEntries(Object.entries(allHeaders).map(([k, v]) => [k, [v]])),
    queryStringParameters: query === null ? null : Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v.at(-1)!])),
    multiValueQueryStringParameters: query,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      extendedRequestId: 'Yk1a2Fb3IAMF8kA=',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.7',
        user: null,
        userAgent: 'curl/8.5.0',
        userArn: null,
      },
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId: '0f1e2d3c-aaaa-4bbb-8ccc-000000000002',
      requestTime: '01/Jun/2024:12:00:00 +0000',
      requestTimeEpoch: 1717243200000,
      resourceId: 'a1b2c3',
      resourcePath: '/{proxy+}',
      stage: 'prod',
    },
    body: null,
    isBase64Encoded: false,
  };
}

describe('Lambda function URL (payload 2.0)', () => {
  it('answers GET /documents/{id} with the document, its headers and the Lambda request id', async () => {
    const result = await invoke(functionUrlEvent('GET', `/documents/${document.id}`));
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    expect(result.headers).toEqual(
      expect.objectContaining({
        'content-type': 'application/json',
        'cache-control': 'public, max-age=60',
        etag: expect.stringMatching(/^"[\w-]+"$/),
        'x-request-id': lambdaContext.awsRequestId,
        'x-content-type-options': 'nosniff',
      }),
    );
    expect(JSON.parse(result.body)).toEqual(document);
  });

  it('reads the raw query string', async () => {
    seen.length = 0;
    const result = await invoke(functionUrlEvent('GET', '/documents', 'site=Example.com&limit=5'));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ items: [summary], nextCursor: null });
    expect(seen).toEqual([{ site: 'example.com', limit: 5, after: null }]);
  });

  it('answers a bad parameter with a problem, as text', async () => {
    const result = await invoke(functionUrlEvent('GET', '/documents', 'limit=0'));
    expect(result.statusCode).toBe(400);
    expect(result.isBase64Encoded).toBe(false);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.body)).toEqual(expect.objectContaining({ status: 400, requestId: lambdaContext.awsRequestId }));
  });

  it('answers a conditional GET with 304 and an empty body', async () => {
    const first = await invoke(functionUrlEvent('GET', `/documents/${document.id}`));
    const etag = first.headers!.etag as string;
    const result = await invoke(functionUrlEvent('GET', `/documents/${document.id}`, '', { 'if-none-match': etag }));
    expect(result.statusCode).toBe(304);
    expect(result.body).toBe('');
    expect(result.headers?.etag).toBe(etag);
  });

  it('answers a CORS preflight for an allowed origin', async () => {
    const result = await invoke(functionUrlEvent('OPTIONS', '/documents', '', { origin: 'https://app.example', 'access-control-request-method': 'GET' }));
    expect(result.statusCode).toBe(204);
    expect(result.headers?.['access-control-allow-origin']).toBe('https://app.example');
  });
});

describe('API Gateway REST proxy (payload 1.0)', () => {
  it('answers GET /documents/{id} under a stage, with multi-value headers', async () => {
    const result = await invoke(restEvent('GET', `/documents/${document.id}`));
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    expect(result.multiValueHeaders).toEqual(
      expect.objectContaining({
        'content-type': ['application/json'],
        etag: [expect.stringMatching(/^"[\w-]+"$/)],
        'x-request-id': [lambdaContext.awsRequestId],
      }),
    );
    const body = JSON.parse(result.body) as StoredDocument;
    expect(body.body).toBe(document.body);
  });

  it('reads multi-value query parameters, and refuses a repeated one', async () => {
    seen.length = 0;
    const ok = await invoke(restEvent('GET', '/documents', { site: ['example.com'], limit: ['2'] }));
    expect(ok.statusCode).toBe(200);
    expect(seen).toEqual([{ site: 'example.com', limit: 2, after: null }]);

    const repeated = await invoke(restEvent('GET', '/documents', { site: ['a.example', 'b.example'] }));
    expect(repeated.statusCode).toBe(400);
    expect(JSON.parse(repeated.body).invalidParams).toEqual([{ name: 'site', reason: 'must be given at most once' }]);
  });

  it('answers an unknown id with 404 and a wrong method with 405', async () => {
    const missing = await invoke(restEvent('GET', '/documents/d000000000000000000000000'));
    expect(missing.statusCode).toBe(404);
    expect(missing.multiValueHeaders?.['content-type']).toEqual(['application/problem+json']);

    const wrong = await invoke(restEvent('DELETE', `/documents/${document.id}`));
    expect(wrong.statusCode).toBe(405);
    expect(wrong.multiValueHeaders?.allow).toEqual(['GET, HEAD, OPTIONS']);
  });

  it('serves /health', async () => {
    const result = await invoke(restEvent('GET', '/health'));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: 'ok' });
  });
});
