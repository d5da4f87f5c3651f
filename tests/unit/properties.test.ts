import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_ERROR_CODES, DOCUMENT_FORMATS, DocumentError, normalizeDocument } from '../../shared/index.ts';

function seedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? seedFiles(path) : [path];
  });
}

const seeds = seedFiles('seeds').map((path) => new Uint8Array(readFileSync(path)));
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Runs the normalizer and asserts its one promise: a valid document or a DocumentError. */
function check(bytes: Uint8Array, key?: string): void {
  let doc;
  try {
    doc = normalizeDocument(bytes, key === undefined ? {} : { key });
  } catch (error) {
    expect(error).toBeInstanceOf(DocumentError);
    expect(DOCUMENT_ERROR_CODES).toContain((error as DocumentError).code);
    expect((error as DocumentError).message.length).toBeGreaterThan(10);
    return;
  }
  expect(DOCUMENT_FORMATS).toContain(doc.format);
  expect(typeof doc.title).toBe('string');
  expect(doc.body.length).toBeGreaterThan(0);
  expect(doc.body).not.toMatch(/\r|\ufeff|\n\n\n|[\u0000-\u0008]/);
  expect(doc.body).toBe(doc.body.normalize('NFC'));
  expect(doc.authors.every((a) => typeof a === 'string' && a.length > 0)).toBe(true);
  if (doc.publishedAt !== null) expect(doc.publishedAt).toMatch(doc.publishedAt.length === 10 ? ISO_DAY : ISO_TIME);
  if (doc.url !== null) expect(doc.url).toMatch(/^https?:\/\//);
  expect(doc.wordCount).toBeGreaterThanOrEqual(0);
  expect(doc.contentHash).toMatch(/^[0-9a-f]{64}$/);
  expect(() => JSON.stringify(doc)).not.toThrow();
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.nat({ max: 400 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'grapheme', maxLength: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.nat({ max: 400 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Array.from(input);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    if (m.kind === 'flip') bytes[at] = m.value;
    else if (m.kind === 'cut') bytes.splice(at, m.length);
    else if (m.kind === 'insert') bytes.splice(at, 0, ...new TextEncoder().encode(m.text));
    else bytes.splice(at, 0, ...bytes.slice(at, at + m.length));
  }
  return Uint8Array.from(bytes);
}

describe('normalizer properties', () => {
  it('gives a valid document or a DocumentError for random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), fc.option(fc.string()), (bytes, key) => check(bytes, key ?? undefined)), {
      numRuns: 1500,
    });
  });

  it('gives a valid document or a DocumentError for random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (text) => check(new TextEncoder().encode(text))), { numRuns: 1500 });
  });

  it('gives a valid document or a DocumentError for mutated seed documents', () => {
    expect(seeds.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, mutations) => check(mutate(seed, mutations))),
      { numRuns: 1500 },
    );
  });

  it('is deterministic: the same bytes and key give the same document', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { maxLength: 3 }), (seed, mutations) => {
        const bytes = mutate(seed, mutations);
        const run = (): unknown => {
          try {
            return normalizeDocument(bytes, { key: 'k' });
          } catch (error) {
            return (error as DocumentError).code;
          }
        };
        expect(run()).toEqual(run());
      }),
      { numRuns: 300 },
    );
  });
});
