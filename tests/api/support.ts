// Assertions shared by the api suites.
import { expect } from 'vitest';
import type { Problem } from '../../functions/api/problem.ts';

/** Asserts the RFC 9457 shape every error has, and returns the body. */
export async function expectProblem(response: Response, status: number, type?: string): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('cache-control')).toBe('no-store');
  const text = await response.text();
  // Never an internal: no stack frames, no file paths, no SDK names.
  expect(text).not.toMatch(/\bat .+:\d+:\d+|\.ts\b|node_modules|Exception/);
  const body = JSON.parse(text) as Problem;
  expect(body).toEqual(
    expect.objectContaining({
      type: type ?? expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      requestId: response.headers.get('x-request-id'),
    }),
  );
  expect(body.requestId).toMatch(/^[\w=-]+$/);
  return body;
}

export const INVALID_PARAMETER = 'urn:docflow:problem:invalid-parameter';
export const INVALID_CURSOR = 'urn:docflow:problem:invalid-cursor';

export interface PageBody<T> {
  items: T[];
  nextCursor: string | null;
}

/** Follows `nextCursor` from `path` to the end; returns every item and the page sizes. */
export async function walk<T>(
  request: (path: string) => Response | Promise<Response>,
  path: string,
): Promise<{ items: T[]; pages: number[] }> {
  const items: T[] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 200; guard++) {
    const separator = path.includes('?') ? '&' : '?';
    const response = await request(cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as PageBody<T>;
    items.push(...body.items);
    pages.push(body.items.length);
    if (body.nextCursor === null) return { items, pages };
    cursor = body.nextCursor;
  }
  throw new Error(`Pagination of ${path} did not end.`);
}
