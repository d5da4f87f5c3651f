// Property-based: whatever query string or path segment a client sends, the API answers with a
// 2xx, 304 or 4xx (as a problem), never a 5xx. Runs against the real table, so a value DynamoDB
// would refuse (an oversized key, invalid UTF-8) shows up here as the 500 it would cause.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../functions/api/app.ts';
import { seedTable, type CapturedLog, type SeededTable } from './fixtures.ts';

let table: SeededTable;
let app: ApiApp;
const logs: CapturedLog[] = [];
let validCursor = '';
const statuses = new Map<number, number>();

beforeAll(async () => {
  table = await seedTable({ withBig: false });
  app = table.app({}, logs);
  const page = (await (await app.request('/documents?limit=3')).json()) as { nextCursor: string };
  validCursor = page.nextCursor;
});

afterAll(async () => {
  await table?.stop();
});

const PARAMETERS = ['site', 'author', 'from', 'to', 'url', 'limit', 'cursor'];

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 3000 }),
);
const dateLike = fc.oneof(
  fc.date({ noInvalidDate: true, min: new Date('0001-01-01'), max: new Date('9999-12-31') }).map((d) => d.toISOString()),
  fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: -1, max: 14 }), fc.integer({ min: -1, max: 40 })).map(
    ([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
  ),
  fc.constantFrom('2023-02-08T10:00+14:00', '0000-01-01T00:00+01:00', '9999-12-31T23:59-12:00', '2024-02-29', '2023'),
);
const value = fc.oneof(
  anyText,
  dateLike,
  fc.integer({ min: -1000, max: 100000 }).map(String),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constant(''),
  fc.constant('x'.repeat(5000)),
  fc.constant(validCursor).map(() => validCursor),
  fc.constant(null).map(() => validCursor.slice(0, -3) + 'AAA'),
);
const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PARAMETERS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) });

// Plausible values for each parameter, so that many requests pass validation and reach the table.
const plausible: Record<string, fc.Arbitrary<string>> = {
  site: fc.oneof(fc.constantFrom('alpha.example', 'WWW.Beta.Example', 'gamma.example'), fc.domain()),
  author: fc.oneof(fc.constantFrom('Ana Lima', 'bo  chen', 'ＡＮＡ ＬＩＭＡ'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 })),
  from: dateLike,
  to: dateLike,
  url: fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.constant('https://www.alpha.example/news/0?utm_source=x')),
  limit: fc.integer({ min: 1, max: 100 }).map(String),
  cursor: fc.constant(null).map(() => validCursor),
};
const pair = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PARAMETERS).chain((key) => fc.tuple(fc.constant(key), plausible[key]!)) },
  { weight: 1, arbitrary: fc.tuple(name, value) },
);

// Encoded the way a browser would, or raw (unescaped '%', '&', '+', '=' and invalid escapes).
const encoded = fc.array(pair, { maxLength: 4 }).map((pairs) =>
  pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
);
const raw = fc.oneof(
  fc.string({ unit: fc.constantFrom('%', 'E', 'D', 'A', '0', '8', 'F', '&', '=', '+', 's', 'i', 't', 'e', ';', '#'), maxLength: 40 }),
  fc.string({ maxLength: 200 }),
);
const queryString = fc.oneof({ weight: 3, arbitrary: encoded }, { weight: 1, arbitrary: raw });

async function expectNoServerError(path: string, method = 'GET'): Promise<void> {
  let response: Response;
  try {
    response = await app.request(path, { method });
  } catch {
    // `new Request` refused the URL itself: no request reached the app.
    return;
  }
  const text = await response.text();
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  expect(response.status, `${method} ${path} → ${response.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (response.status >= 400 && method !== 'HEAD') {
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(text)).toEqual(expect.objectContaining({ status: response.status, type: expect.any(String) }));
  }
}

describe('no client input gives a 5xx', () => {
  it('random query strings on /documents and /failures', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/documents', '/documents', '/documents', '/failures', '/health'), queryString, async (path, query) => {
        await expectNoServerError(`${path}?${query}`);
      }),
      { numRuns: 400 },
    );
    expect(logs).toEqual([]);
    // The generators are worth something only if many requests get past validation.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(80);
  });

  it('random path segments under /documents and at the root', async () => {
    const segment = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }).map(encodeURIComponent),
      fc.string({ maxLength: 300 }),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,140}$/),
      fc.string({ unit: fc.constantFrom('%', '2', 'F', 'E', '0', '.', '/', 'd'), maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/documents/', '/', '/failures/', '/documents/d1/'),
        segment,
        fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE'),
        async (prefix, part, method) => {
          await expectNoServerError(`${prefix}${part}`, method);
        },
      ),
      { numRuns: 300 },
    );
    expect(logs).toEqual([]);
  });
});
