// Every route of the read API through app.request(), against a real dynalite table (and s3rver
// for a body too big for an item) seeded through the store's write API.
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedDocument } from '../../shared/document.ts';
import { documentPk, DOC_SK, type StoredSummary } from '../../shared/store/index.ts';
import type { ApiApp } from '../../functions/api/app.ts';
import { BIG_BODY_BYTES, seedTable, type CapturedLog, type SeededTable } from './fixtures.ts';
import { expectProblem, INVALID_CURSOR, INVALID_PARAMETER, walk, type PageBody } from './support.ts';

let table: SeededTable;
let app: ApiApp;
const get = async (path: string, headers: Record<string, string> = {}) => await app.request(path, { headers });
const ids = (items: { id: string }[]) => items.map((item) => item.id);
const expectedIds = (filter: (d: NormalizedDocument) => boolean = () => true) => table.documents.filter(filter).map((d) => d.id);
const day = (d: NormalizedDocument) => d.publishedAt?.slice(0, 10) ?? null;

beforeAll(async () => {
  table = await seedTable();
  app = table.app();
});

afterAll(async () => {
  await table?.stop();
});

describe('GET /health', () => {
  it('answers 200 {"status":"ok"} and is never cached', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('GET /documents', () => {
  it('returns the 20 newest summaries by default, without bodies, and a cursor', async () => {
    const response = await get('/documents');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=10');
    const body = (await response.json()) as PageBody<StoredSummary & { body?: string }>;
    expect(ids(body.items)).toEqual(expectedIds().slice(0, 20));
    expect(typeof body.nextCursor).toBe('string');
    for (const item of body.items) {
      expect(item).not.toHaveProperty('body');
      expect(item.ingestedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    }
    const first = table.documents[0]!;
    const { body: _body, ...summary } = first;
    expect(body.items[0]).toEqual({ ...summary, ingestedAt: expect.any(String) });
  });

  it('puts undated documents last', async () => {
    const { items } = await walk<StoredSummary>(get, '/documents?limit=100');
    const firstUndated = items.findIndex((item) => item.publishedAt === null);
    expect(firstUndated).toBeGreaterThan(0);
    expect(items.slice(firstUndated).every((item) => item.publishedAt === null)).toBe(true);
  });

  it('walks every page without duplicates or gaps', async () => {
    const { items, pages } = await walk<StoredSummary>(get, '/documents?limit=7');
    expect(ids(items)).toEqual(expectedIds());
    expect(new Set(ids(items)).size).toBe(items.length);
    expect(pages.slice(0, -1).every((size) => size === 7)).toBe(true);
  });

  it('accepts limit 1 and 100', async () => {
    const one = (await (await get('/documents?limit=1')).json()) as PageBody<StoredSummary>;
    expect(ids(one.items)).toEqual(expectedIds().slice(0, 1));
    const hundred = (await (await get('/documents?limit=100')).json()) as PageBody<StoredSummary>;
    expect(ids(hundred.items)).toEqual(expectedIds());
    expect(hundred.nextCursor).toBeNull();
  });

  it('filters by site, ignoring case and www.', async () => {
    const { items } = await walk<StoredSummary>(get, '/documents?site=WWW.Alpha.Example&limit=4');
    expect(ids(items)).toEqual(expectedIds((d) => d.site === 'alpha.example'));
    expect(items.length).toBeGreaterThan(10);
  });

  it('filters by author, listing a document under each of its authors', async () => {
    const { items } = await walk<StoredSummary>(get, '/documents?author=ana%20LIMA&limit=5');
    expect(ids(items)).toEqual(expectedIds((d) => d.authors.includes('Ana Lima')));
    const cy = (await (await get('/documents?author=Cy+Dee&limit=100')).json()) as PageBody<StoredSummary>;
    expect(ids(cy.items)).toEqual(expectedIds((d) => d.authors.includes('Cy Dee')));
    expect(cy.items.every((item) => item.authors.length === 3)).toBe(true);
  });

  it('combines site and author', async () => {
    const { items } = await walk<StoredSummary>(get, '/documents?site=beta.example&author=Bo%20Chen&limit=2');
    expect(ids(items)).toEqual(expectedIds((d) => d.site === 'beta.example' && d.authors.includes('Bo Chen')));
    expect(items.length).toBeGreaterThan(2);
  });

  it('filters by an inclusive date range and leaves undated documents out', async () => {
    const { items } = await walk<StoredSummary>(get, '/documents?from=2022-03-01&to=2022-12-22&limit=3');
    const expected = expectedIds((d) => day(d) !== null && day(d)! >= '2022-03-01' && day(d)! <= '2022-12-22');
    expect(ids(items)).toEqual(expected);
    // Both ends are inclusive: documents dated exactly on the bounds are there.
    expect(items.some((item) => item.publishedAt === '2022-12-22')).toBe(true);
  });

  it('reads a month as a prefix and a full ISO time with its zone', async () => {
    const month = (await (await get('/documents?from=2023-02&to=2023-02&limit=100')).json()) as PageBody<StoredSummary>;
    expect(ids(month.items)).toEqual(expectedIds((d) => d.publishedAt?.startsWith('2023-02') === true));
    expect(month.items.length).toBeGreaterThan(0);

    // 2023-02-08T03:30:00.000Z is stored; 05:30+02:00 is the same instant, 05:29+02:00 a minute earlier.
    const at = async (query: string) => (await (await get(`/documents?limit=100&${query}`)).json()) as PageBody<StoredSummary>;
    const stored = '2023-02-08T03:30:00.000Z';
    expect(table.documents.some((d) => d.publishedAt === stored)).toBe(true);
    expect(ids((await at('from=2023-02-08T05%3A30%3A00%2B02%3A00&to=2023-02-08T05:30:00%2B02:00')).items)).toEqual(
      expectedIds((d) => d.publishedAt === stored),
    );
    expect((await at('to=2023-02-08T05:29:00%2B02:00&from=2023-02-08T03:29Z')).items).toEqual([]);
  });

  it('finds documents by URL, whatever tracking parameters and fragment the URL carries', async () => {
    const target = table.documents.find((d) => d.url === 'https://www.beta.example/news/4')!;
    const url = encodeURIComponent('https://WWW.beta.example/news/4/?utm_campaign=x&fbclid=y#comments');
    const body = (await (await get(`/documents?url=${url}`)).json()) as PageBody<StoredSummary>;
    expect(ids(body.items)).toEqual([target.id]);
    expect(body.nextCursor).toBeNull();
  });

  it('lists every document of a shared URL, newest first, paged and filtered like any listing', async () => {
    const shared = encodeURIComponent(`${table.sharedUrl}&utm_source=news`);
    const both = expectedIds((d) => d.url === table.sharedUrl);
    expect(both).toHaveLength(2);
    const { items, pages } = await walk<StoredSummary>(get, `/documents?url=${shared}&limit=1`);
    expect(ids(items)).toEqual(both);
    expect(pages).toEqual([1, 1]);
    const dated = (await (await get(`/documents?url=${shared}&to=2022-08-09`)).json()) as PageBody<StoredSummary>;
    expect(dated.items.map((item) => item.publishedAt)).toEqual(['2022-08-09']);
    const otherSite = (await (await get(`/documents?url=${shared}&site=beta.example`)).json()) as PageBody<StoredSummary>;
    expect(otherSite.items).toEqual([]);
    const author = (await (await get(`/documents?url=${shared}&author=eve%20shared`)).json()) as PageBody<StoredSummary>;
    expect(ids(author.items)).toEqual(both);
  });

  it('answers an unknown URL with an empty page', async () => {
    const body = (await (await get('/documents?url=https%3A%2F%2Fnowhere.example%2Fx')).json()) as PageBody<StoredSummary>;
    expect(body).toEqual({ items: [], nextCursor: null });
  });
});

describe('GET /documents/{id}', () => {
  it('returns the full document with its body and an ETag', async () => {
    const document = table.documents.find((d) => d.site === 'gamma.example')!;
    const response = await get(`/documents/${document.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await response.json()).toEqual({ ...document, ingestedAt: expect.any(String) });
  });

  it('serves a body kept in S3 in full', async () => {
    // The item holds a reference, not the body; the object is in the bodies bucket.
    const raw = DynamoDBDocumentClient.from(table.emulators.dynamodbClient());
    const { Item } = await raw.send(
      new GetCommand({ TableName: table.emulators.tableName, Key: { pk: documentPk(table.big.id), sk: DOC_SK } }),
    );
    expect(Item?.body).toBeUndefined();
    expect(Item?.bodyRef).toEqual(expect.objectContaining({ bucket: table.emulators.bodiesBucket }));
    const objects = await table.emulators.s3Client().send(new ListObjectsV2Command({ Bucket: table.emulators.bodiesBucket }));
    expect(objects.KeyCount).toBe(1);

    const response = await get(`/documents/${table.big.id}`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as NormalizedDocument;
    expect(Buffer.byteLength(document.body)).toBeGreaterThan(BIG_BODY_BYTES);
    expect(document.body).toBe(table.big.body);
  });

  it('answers If-None-Match with the current ETag by 304 without a body', async () => {
    const id = table.documents[3]!.id;
    const first = await get(`/documents/${id}`);
    const etag = first.headers.get('etag')!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await get(`/documents/${id}`, { 'If-None-Match': header });
      expect(response.status).toBe(304);
      expect(response.headers.get('etag')).toBe(etag);
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
      expect(await response.text()).toBe('');
    }
    const stale = await get(`/documents/${id}`, { 'If-None-Match': '"stale"' });
    expect(stale.status).toBe(200);
  });

  it('changes the ETag when a new version is stored', async () => {
    const { store } = table;
    const original = table.documents.find((d) => d.authors.length === 0 && d.publishedAt !== null)!;
    const before = (await get(`/documents/${original.id}`)).headers.get('etag');
    await store.putDocument({ ...original, title: `${original.title} (updated)` }, {
      bucket: 'documents',
      key: original.sourceKey!,
      sequencer: '0B',
      eventTime: '2024-06-02T00:00:00.000Z',
      eventId: 'update',
    });
    const after = await get(`/documents/${original.id}`, { 'If-None-Match': before! });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before);
    expect(((await after.json()) as NormalizedDocument).title).toBe(`${original.title} (updated)`);
  });

  it('answers an unknown id with a 404 problem', async () => {
    const problem = await expectProblem(await get('/documents/d000000000000000000000000'), 404, 'about:blank');
    expect(problem.title).toBe('Not Found');
    expect(problem.detail).toContain('d000000000000000000000000');
  });

  it('answers a failed object\'s id with 404: failures are not documents', async () => {
    await expectProblem(await get(`/documents/${table.failures[0]!.id}`), 404);
  });
});

describe('GET /failures', () => {
  it('lists failures newest first with key, code, message and failedAt', async () => {
    const response = await get('/failures?limit=5');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as PageBody<Record<string, string>>;
    expect(body.items).toEqual(
      table.failures.slice(0, 5).map((failure) => ({
        id: failure.id,
        key: failure.key,
        code: failure.code,
        message: failure.message,
        failedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      })),
    );
    const times = body.items.map((item) => item.failedAt!);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('walks every page without duplicates or gaps', async () => {
    const { items, pages } = await walk<{ id: string }>(get, '/failures?limit=10');
    expect(ids(items)).toEqual(table.failures.map((failure) => failure.id));
    expect(pages).toEqual([10, 10, 3]);
  });
});

describe('invalid parameters', () => {
  const cases: [string, string, string][] = [
    ['limit 0', '/documents?limit=0', 'limit'],
    ['limit 101', '/documents?limit=101', 'limit'],
    ['limit not a number', '/documents?limit=ten', 'limit'],
    ['limit a fraction', '/documents?limit=1.5', 'limit'],
    ['limit negative', '/documents?limit=-1', 'limit'],
    ['limit on failures', '/failures?limit=1000', 'limit'],
    ['an impossible date', '/documents?from=2023-02-30', 'from'],
    ['a date in words', '/documents?to=yesterday', 'to'],
    ['a time without a zone', '/documents?from=2023-02-08T10:00', 'from'],
    ['an out-of-range time', '/documents?to=2023-02-08T24:00Z', 'to'],
    ['an unknown parameter', '/documents?sites=alpha.example', 'sites'],
    ['an unknown parameter on failures', '/failures?site=alpha.example', 'site'],
    ['an unknown parameter on a document', `/documents/d000000000000000000000000?fields=title`, 'fields'],
    ['an unknown parameter on health', '/health?verbose=1', 'verbose'],
    ['an unknown parameter on openapi.json', '/openapi.json?format=yaml', 'format'],
    ['an empty value', '/documents?site=', 'site'],
    ['a blank value', '/documents?author=%20%20', 'author'],
    ['a repeated parameter', '/documents?site=a.example&site=b.example', 'site'],
    ['a control character', '/documents?author=Ana%00Lima', 'author'],
    ['a URL that is not http(s)', '/documents?url=ftp%3A%2F%2Fexample.com%2Fa', 'url'],
    ['a relative URL', '/documents?url=%2Fnews%2F4', 'url'],
    ['a site that is too long', `/documents?site=${'a'.repeat(254)}`, 'site'],
    ['an id with other characters', '/documents/not%20an%20id', 'id'],
    ['an id that is too long', `/documents/${'d'.repeat(129)}`, 'id'],
  ];

  it.each(cases)('%s → 400 invalid-parameter naming the parameter', async (_title, path, name) => {
    const problem = await expectProblem(await get(path), 400, INVALID_PARAMETER);
    expect(problem.title).toBe('Invalid request parameter');
    expect(problem.invalidParams?.map((p) => p.name)).toContain(name);
    expect(problem.detail).toContain(`"${name}"`);
  });

  it('lists every invalid parameter at once', async () => {
    const problem = await expectProblem(await get('/documents?limit=0&from=soon&colour=red'), 400, INVALID_PARAMETER);
    expect(problem.invalidParams?.map((p) => p.name).sort()).toEqual(['colour', 'from', 'limit']);
  });

  it('refuses from after to', async () => {
    for (const query of ['from=2023-03-01&to=2023-02-28', 'from=2023-03&to=2023-02', 'from=2023-02-08T10:00Z&to=2023-02-07']) {
      const problem = await expectProblem(await get(`/documents?${query}`), 400, INVALID_PARAMETER);
      expect(problem.invalidParams).toEqual([{ name: 'from', reason: expect.stringContaining('after "to"') }]);
    }
    // A time inside the day that `to` names is not after it.
    expect((await get('/documents?from=2023-02-08T10:00Z&to=2023-02-08')).status).toBe(200);
  });
});

describe('cursors', () => {
  async function cursorOf(path: string): Promise<string> {
    const body = (await (await get(path)).json()) as PageBody<unknown>;
    expect(body.nextCursor).not.toBeNull();
    return body.nextCursor!;
  }

  it('refuses a malformed cursor', async () => {
    for (const cursor of ['abc', 'not+base64', '%00', 'A'.repeat(2000)]) {
      const problem = await expectProblem(await get(`/documents?cursor=${cursor}`), 400, INVALID_CURSOR);
      expect(problem.title).toBe('Invalid cursor');
    }
    await expectProblem(await get('/documents?cursor='), 400, INVALID_PARAMETER);
  });

  it('refuses a cursor with any character changed', async () => {
    const cursor = await cursorOf('/documents?limit=2');
    for (const index of [0, 5, 20, 45, cursor.length - 2]) {
      const char = cursor[index] === 'A' ? 'B' : 'A';
      const tampered = cursor.slice(0, index) + char + cursor.slice(index + 1);
      await expectProblem(await get(`/documents?limit=2&cursor=${tampered}`), 400, INVALID_CURSOR);
    }
  });

  it('refuses a cursor signed with another secret', async () => {
    const cursor = await cursorOf('/documents?limit=2');
    const other = table.app({ cursorSecret: 'another-secret-of-enough-length' });
    await expectProblem(await other.request(`/documents?limit=2&cursor=${cursor}`), 400, INVALID_CURSOR);
  });

  it('refuses a cursor used with other filters, but not with another limit or spelling', async () => {
    const cursor = await cursorOf('/documents?site=alpha.example&limit=2');
    const problem = await expectProblem(await get(`/documents?site=beta.example&cursor=${cursor}`), 400, INVALID_CURSOR);
    expect(problem.detail).toContain('other filters');
    await expectProblem(await get(`/documents?cursor=${cursor}`), 400, INVALID_CURSOR);
    await expectProblem(await get(`/documents?site=alpha.example&author=Ana%20Lima&cursor=${cursor}`), 400, INVALID_CURSOR);
    // The same listing: another page size and another spelling of the same site are fine.
    expect((await get(`/documents?site=WWW.ALPHA.example&limit=5&cursor=${cursor}`)).status).toBe(200);
  });

  it('refuses a failures cursor on documents and the other way round', async () => {
    const failures = await cursorOf('/failures?limit=2');
    const documents = await cursorOf('/documents?limit=2');
    await expectProblem(await get(`/documents?cursor=${failures}`), 400, INVALID_CURSOR);
    await expectProblem(await get(`/failures?cursor=${documents}`), 400, INVALID_CURSOR);
  });
});

describe('routing errors', () => {
  it('answers an unknown path with a 404 problem', async () => {
    for (const path of ['/', '/nope', '/documents/d1/extra', '/documents/', '/Documents']) {
      const problem = await expectProblem(await get(path), 404, 'about:blank');
      expect(problem.title).toBe('Not Found');
    }
  });

  it('answers other methods on known paths with 405 and Allow', async () => {
    for (const [method, path] of [
      ['POST', '/documents'],
      ['DELETE', '/documents/d000000000000000000000000'],
      ['PUT', '/health'],
      ['PATCH', '/failures'],
      ['POST', '/openapi.json'],
    ] as const) {
      const response = await app.request(path, { method });
      const problem = await expectProblem(response, 405, 'about:blank');
      expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect(problem.detail).toContain(method);
    }
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await app.request('/documents?limit=1', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});

describe('server faults', () => {
  it('answers 500 as a problem without internals, and logs the fault with the request id', async () => {
    const logs: CapturedLog[] = [];
    const { createApp } = await import('../../functions/api/app.ts');
    const failing = createApp({
      reader: {
        ...table.store,
        getDocument: async () => {
          throw new Error('ValidationException: secret table detail at /var/task/index.js:1:2');
        },
      },
      config: { cursorSecret: 'x'.repeat(16), corsOrigins: ['*'] },
      logger: { error: (message, attributes) => logs.push({ message, attributes }) },
    });
    const response = await failing.request('/documents/d000000000000000000000000', { headers: { 'X-Request-Id': 'trace-123' } });
    const problem = await expectProblem(response, 500, 'about:blank');
    expect(problem.requestId).toBe('trace-123');
    expect(JSON.stringify(problem)).not.toContain('secret table detail');
    expect(logs).toEqual([
      {
        message: 'Request failed',
        attributes: expect.objectContaining({
          requestId: 'trace-123',
          method: 'GET',
          path: '/documents/d000000000000000000000000',
          error: expect.objectContaining({ message: expect.stringContaining('secret table detail'), stack: expect.any(String) }),
        }),
      },
    ]);
  });
});

describe('store unavailable', () => {
  it('answers 503 with Retry-After when DynamoDB throttles, as the store reports it', async () => {
    const { createApp } = await import('../../functions/api/app.ts');
    const { ProvisionedThroughputExceededException } = await import('@aws-sdk/client-dynamodb');
    const { toStoreError } = await import('../../shared/store/errors.ts');
    const throttled = createApp({
      reader: {
        ...table.store,
        listDocuments: async () => {
          throw toStoreError(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
        },
      },
      config: { cursorSecret: 'x'.repeat(16), corsOrigins: ['*'] },
      logger: { error: () => undefined },
    });
    const response = await throttled.request('/documents');
    await expectProblem(response, 503, 'about:blank');
    expect(response.headers.get('retry-after')).toBe('1');
  });
});

describe('headers', () => {
  it('gives every response a request id, and keeps one the client sent', async () => {
    const generated = await get('/health');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await get('/documents/nope!', { 'X-Request-Id': 'client-abc-1' });
    expect(kept.headers.get('x-request-id')).toBe('client-abc-1');
    expect(((await kept.json()) as { requestId: string }).requestId).toBe('client-abc-1');
  });

  it('sets security headers that keep JSON from ever rendering as a page', async () => {
    for (const path of ['/documents?limit=1', `/documents/${table.documents[0]!.id}`, '/nope']) {
      const response = await get(path);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-type')).toMatch(/^application\/(problem\+)?json/);
    }
  });

  it('answers a CORS preflight from any origin by default', async () => {
    const response = await app.request('/documents', {
      method: 'OPTIONS',
      headers: { Origin: 'https://dashboard.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,HEAD,OPTIONS');
    expect(response.headers.get('access-control-max-age')).toBe('600');
  });

  it('allows only the configured origins', async () => {
    const strict = table.app({ corsOrigins: ['https://dashboard.example', 'http://localhost:5173'] });
    const preflight = (origin: string) =>
      strict.request(`/documents/${table.documents[0]!.id}`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
      });
    const allowed = await preflight('http://localhost:5173');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('If-None-Match,X-Request-Id,X-Api-Key,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();

    const read = await strict.request('/documents?limit=1', { headers: { Origin: 'https://dashboard.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBe('https://dashboard.example');
    expect(read.headers.get('access-control-expose-headers')).toBe('ETag,X-Request-Id');
    expect(read.headers.get('vary')).toContain('Origin');
    // Errors carry CORS headers too, so a browser can read the problem.
    const error = await strict.request('/documents?limit=0', { headers: { Origin: 'https://dashboard.example' } });
    expect(error.headers.get('access-control-allow-origin')).toBe('https://dashboard.example');
  });

  it('answers OPTIONS on an unknown path with 404', async () => {
    const response = await app.request('/nope', {
      method: 'OPTIONS',
      headers: { Origin: 'https://dashboard.example', 'Access-Control-Request-Method': 'GET' },
    });
    await expectProblem(response, 404);
  });
});

describe('GET /openapi.json and /docs', () => {
  interface OpenApi {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[]; responses: Record<string, unknown> }>>;
    components: { schemas: Record<string, unknown> };
  }

  it('describes every route as OpenAPI 3', async () => {
    const response = await get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await response.json()) as OpenApi;
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.any(String) }));

    // Every GET route the app serves is described, with Hono's :param as OpenAPI's {param}.
    const served = app.routes
      .filter((route) => route.method === 'GET' && !route.path.includes('*'))
      .map((route) => route.path.replace(/:(\w+)/g, '{$1}'));
    expect(new Set(served)).toEqual(new Set(['/health', '/documents', '/documents/{id}', '/failures', '/openapi.json', '/docs']));
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(served)].sort());

    for (const [path, operations] of Object.entries(doc.paths)) {
      expect(Object.keys(operations)).toEqual(['get']);
      const operation = operations.get!;
      expect(Object.keys(operation.responses)).toContain('200');
      // Every {param} of the path is declared as a required path parameter.
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        expect(operation.parameters).toContainEqual(expect.objectContaining({ name, in: 'path', required: true }));
      }
    }
    const listing = doc.paths['/documents']!.get!;
    expect(listing.parameters?.map((p) => p.name).sort()).toEqual(['author', 'cursor', 'from', 'limit', 'site', 'to', 'url']);
    expect(Object.keys(doc.paths['/documents/{id}']!.get!.responses).sort()).toEqual(['200', '304', '400', '401', '403', '404', '500']);
  });

  it('has no dangling $ref', async () => {
    const doc = (await (await get('/openapi.json')).json()) as OpenApi;
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Document', 'DocumentSummary', 'DocumentPage', 'Failure', 'FailurePage', 'Problem']),
    );
  });

  it('serves the interactive reference page for the description', async () => {
    const response = await get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('content-security-policy')).toContain('https://cdn.jsdelivr.net');
    const html = await response.text();
    expect(html).toContain('"url": "openapi.json"');
    expect(html).toContain('https://cdn.jsdelivr.net/npm/@scalar/api-reference@');
  });
});
