// The app's own API key check (the embedded stack's `--api-key`): every route without a key, with
// a wrong one and with the right one, against the real seeded table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../functions/api/app.ts';
import { requireApiKey } from '../../functions/api/auth.ts';
import { seedTable, type SeededTable } from './fixtures.ts';
import { expectProblem } from './support.ts';

const KEY = 'k3y-for-the-auth-tests-0123456789';

let table: SeededTable;
let app: ApiApp;
let closedDocs: ApiApp;

beforeAll(async () => {
  table = await seedTable();
  app = table.app({ apiKey: KEY });
  closedDocs = table.app({ apiKey: KEY, publicDocs: false });
});

afterAll(async () => {
  await table?.stop();
});

/** Every path that reads stored data, and what the right key gets there. */
const dataRoutes = (): [string, number][] => [
  ['/documents', 200],
  ['/documents?site=alpha.example&limit=3', 200],
  [`/documents/${table.documents[0]!.id}`, 200],
  ['/documents/d000000000000000000000000', 404],
  ['/documents?limit=0', 400],
  ['/failures', 200],
];

describe('with an API key set', () => {
  it('answers 401 problem+json with WWW-Authenticate on every data route without a key', async () => {
    for (const [path] of dataRoutes()) {
      for (const method of ['GET', 'HEAD'] as const) {
        const response = await app.request(path, { method });
        expect(response.status, `${method} ${path}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('ApiKey header="x-api-key"');
        if (method === 'GET') await expectProblem(response, 401, 'about:blank');
      }
    }
  });

  it('answers 403 problem+json on every data route with a wrong key, and never echoes it', async () => {
    for (const [path] of dataRoutes()) {
      for (const wrong of ['nope', KEY.slice(0, -1), `${KEY}x`, KEY.toUpperCase()]) {
        const response = await app.request(path, { headers: { 'x-api-key': wrong } });
        expect(response.headers.get('www-authenticate')).toBeNull();
        const body = await expectProblem(response, 403, 'about:blank');
        expect(JSON.stringify(body)).not.toContain(wrong);
      }
    }
  });

  it('answers every data route as usual with the right key', async () => {
    for (const [path, status] of dataRoutes()) {
      const response = await app.request(path, { headers: { 'x-api-key': KEY } });
      expect(response.status, path).toBe(status);
    }
  });

  it('gives no hint of what exists: unknown paths, ids and methods get the same 401 and 403', async () => {
    const answers = await Promise.all(
      ['/documents/d000000000000000000000000', `/documents/${table.documents[0]!.id}`, '/nope', '/documents/x/y'].map(async (path) => {
        const missing = await app.request(path);
        const wrong = await app.request(path, { headers: { 'x-api-key': 'wrong' } });
        const post = await app.request(path, { method: 'POST' });
        return [missing.status, (await missing.json()).detail, wrong.status, (await wrong.json()).detail, post.status];
      }),
    );
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]).toEqual([401, expect.any(String), 403, expect.any(String), 401]);
  });

  it('keeps /health open, with or without a key', async () => {
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/health', { headers: { 'x-api-key': 'wrong' } })).status).toBe(200);
  });

  it('keeps /openapi.json and /docs open by default, and closes them with publicDocs off', async () => {
    for (const path of ['/openapi.json', '/docs']) {
      expect((await app.request(path)).status, path).toBe(200);
      await expectProblem(await closedDocs.request(path), 401);
      await expectProblem(await closedDocs.request(path, { headers: { 'x-api-key': 'wrong' } }), 403);
      expect((await closedDocs.request(path, { headers: { 'x-api-key': KEY } })).status, path).toBe(200);
    }
  });

  it('answers CORS preflights without a key, allowing the x-api-key and Authorization headers', async () => {
    const response = await app.request('/documents', {
      method: 'OPTIONS',
      headers: { Origin: 'https://dashboard.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-api-key' },
    });
    expect(response.status).toBe(204);
    const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
    expect(allowed).toEqual(expect.arrayContaining(['x-api-key', 'authorization']));
  });

  it('puts CORS headers on the 401, so a browser page can read why it was refused', async () => {
    const response = await app.request('/documents', { headers: { Origin: 'https://dashboard.example' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('declares the key scheme and the 401 and 403 answers in /openapi.json', async () => {
    const spec = (await (await app.request('/openapi.json')).json()) as {
      security: unknown;
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, { get: { responses: Record<string, unknown>; security?: unknown } }>;
    };
    expect(spec.components.securitySchemes.ApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(spec.security).toEqual([{ ApiKey: [] }]);
    for (const path of ['/documents', '/documents/{id}', '/failures']) {
      expect(Object.keys(spec.paths[path]!.get.responses)).toEqual(expect.arrayContaining(['401', '403']));
      expect(spec.paths[path]!.get.security).toBeUndefined();
    }
    expect(spec.paths['/health']!.get.security).toEqual([{}, { ApiKey: [] }]);
  });
});

describe('without an API key set', () => {
  it('answers every data route without asking for one', async () => {
    const open = table.app();
    for (const [path, status] of dataRoutes()) expect((await open.request(path)).status, path).toBe(status);
  });
});

describe('requireApiKey', () => {
  it('refuses an empty key at build time', () => {
    expect(() => requireApiKey({ key: ' ' })).toThrow(/must not be empty/);
  });
});

describe('CORS with no origin allowed', () => {
  it('lets no other origin read or preflight, and still answers same-origin requests', async () => {
    const sameOriginOnly = table.app({ corsOrigins: [] });
    const preflight = await sameOriginOnly.request('/documents', {
      method: 'OPTIONS',
      headers: { Origin: 'https://dashboard.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const read = await sameOriginOnly.request('/documents?limit=1', { headers: { Origin: 'https://dashboard.example' } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rotating the cursor secret without downtime', () => {
  it('keeps a listing that started before the rotation going through the grace period, and not after', async () => {
    const OLD = 'cursor-secret-before-rotation-01';
    const NEW = 'cursor-secret-after-rotation-234';
    const first = (await (await table.app({ cursorSecret: OLD }).request('/documents?limit=5')).json()) as { nextCursor: string };
    const next = `/documents?limit=5&cursor=${encodeURIComponent(first.nextCursor)}`;

    const during = table.app({ cursorSecret: NEW, cursorSecretPrevious: { secret: OLD, until: new Date(Date.now() + 3_600_000) } });
    const page = await during.request(next);
    expect(page.status).toBe(200);
    const { nextCursor } = (await page.json()) as { nextCursor: string };
    // Cursors handed out during the grace period are signed with the new secret.
    expect((await table.app({ cursorSecret: NEW }).request(`/documents?limit=5&cursor=${encodeURIComponent(nextCursor)}`)).status).toBe(200);

    const ended = table.app({ cursorSecret: NEW, cursorSecretPrevious: { secret: OLD, until: new Date(Date.now() - 1) } });
    await expectProblem(await ended.request(next), 400, 'urn:docflow:problem:invalid-cursor');
  });
});
