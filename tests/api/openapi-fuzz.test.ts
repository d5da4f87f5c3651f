// A property-based fuzz of every endpoint and parameter, DRIVEN BY the app's own OpenAPI document:
// it fetches /openapi.json from createApp, walks its paths, operations and parameter schemas, and
// generates valid and invalid values per schema (type, pattern, bounds, example), values harvested
// from earlier responses (ids, cursors, sites...), repeated and unknown parameters, other methods,
// and extra or altered path segments. Against a real table (dynalite + s3rver, seeded through the
// store): no request may get a 5xx, every 4xx must be application/problem+json, and every 200 JSON
// body must carry the required fields of its response schema. A new route or parameter is fuzzed
// without touching this file; the coverage check at the end fails if one is never exercised.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../functions/api/app.ts';
import { seedTable, type CapturedLog, type SeededTable } from './fixtures.ts';

// ---- the parts of OpenAPI 3.0 read here -------------------------------------------------------

interface SchemaObject {
  type?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  required?: string[];
  properties?: Record<string, SchemaObject>;
  $ref?: string;
}
interface ParameterObject {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: SchemaObject;
}
interface OperationObject {
  parameters?: ParameterObject[];
  responses: Record<string, { content?: Record<string, { schema?: SchemaObject }> }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, SchemaObject> };
}

interface Operation {
  readonly method: string;
  /** The OpenAPI path template, `/documents/{id}`. */
  readonly template: string;
  readonly query: readonly ParameterObject[];
  readonly path: readonly ParameterObject[];
  readonly operation: OperationObject;
}

// ---- state ------------------------------------------------------------------------------------

let table: SeededTable;
let app: ApiApp;
let spec: OpenApiDocument;
let operations: Operation[] = [];
const logs: CapturedLog[] = [];
/** Values seen in 200 responses, by the parameter name they can feed (id, site, url, author, cursor...). */
const harvested = new Map<string, Set<string>>();
const statuses = new Map<number, number>();
/** `<METHOD> <template> <param>` -> [valid values sent, invalid values sent]. */
const coverage = new Map<string, { valid: number; invalid: number }>();
let requests = 0;

/** encodeURIComponent, except that a lone surrogate goes out as U+FFFD (UTF-8 cannot carry it) instead of throwing. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((byte) => (/[A-Za-z0-9_.!~*'()-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  }
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function resolve(schema: SchemaObject | undefined): SchemaObject | undefined {
  if (!schema?.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  return spec.components?.schemas?.[name];
}

function harvest(value: unknown): void {
  // Walk the JSON of a 200: a field feeds the parameter of the same name (or its singular for arrays).
  const stack: Array<[string, unknown]> = [['', value]];
  while (stack.length > 0) {
    const [name, item] = stack.pop()!;
    if (Array.isArray(item)) {
      for (const element of item.slice(0, 50)) stack.push([name.endsWith('s') ? name.slice(0, -1) : name, element]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) stack.push([key, child]);
    } else if (typeof item === 'string' && item !== '' && name !== '') {
      const target = name === 'nextCursor' ? 'cursor' : name === 'publishedAt' ? 'date' : name;
      const pool = harvested.get(target) ?? new Set<string>();
      if (pool.size < 200) pool.add(item);
      harvested.set(target, pool);
    }
  }
}

function harvestedFor(name: string): string[] {
  const pool = harvested.get(name) ?? (name === 'from' || name === 'to' ? harvested.get('date') : undefined);
  return pool ? [...pool] : [];
}

// ---- value generators from a parameter's schema -----------------------------------------------

/** Same shape as the example, other characters: digits stay digits, letters letters. */
function reshaped(example: string): fc.Arbitrary<string> {
  return fc
    .array(fc.nat({ max: 1_000_000 }), { minLength: example.length, maxLength: example.length })
    .map((noise) =>
      [...example]
        .map((char, i) => {
          const n = noise[i] ?? 0;
          if (/[0-9]/.test(char)) return String(n % 10);
          if (/[a-z]/.test(char)) return n % 3 === 0 ? char : String.fromCharCode(97 + (n % 26));
          if (/[A-Z]/.test(char)) return n % 3 === 0 ? char : String.fromCharCode(65 + (n % 26));
          return char;
        })
        .join(''),
    );
}

/** Values the schema accepts (or that are built from real data / the example, and probably valid). */
function validValues(parameter: ParameterObject): fc.Arbitrary<string> {
  const schema = parameter.schema ?? {};
  const options: fc.Arbitrary<string>[] = [];
  if (schema.enum) options.push(fc.constantFrom(...schema.enum.map(String)));
  if (schema.type === 'integer' || schema.type === 'number') {
    const min = schema.minimum ?? -1_000_000;
    const max = schema.maximum ?? 1_000_000;
    options.push(fc.integer({ min, max }).map(String));
    options.push(fc.constantFrom(String(min), String(max)));
  } else {
    if (schema.pattern) options.push(fc.stringMatching(new RegExp(schema.pattern)));
    if (typeof schema.example === 'string') options.push(fc.constant(schema.example), reshaped(schema.example));
    if (!schema.pattern && options.length === 0) options.push(fc.string({ minLength: schema.minLength ?? 1, maxLength: 40 }).filter((s) => s.trim() !== ''));
  }
  if (schema.default !== undefined) options.push(fc.constant(String(schema.default)));
  // Real values from earlier responses: a live cursor, an existing id, a stored site or author.
  options.push(
    fc.constant(null).chain(() => {
      const pool = harvestedFor(parameter.name);
      return pool.length > 0 ? fc.constantFrom(...pool) : options[0]!;
    }),
  );
  return fc.oneof(...options);
}

const CONTROL_AND_BROKEN = fc.constantFrom('\u0000', '\u0007', '\r\n', '\u001b[31m', '\ud800', '\udfff', '\u202e', '\ufeff', '%', '%zz', '%ED%A0%80', '%00', '..', '../../etc/passwd', "' OR 1=1 --", '{"$ne":null}', '<script>alert(1)</script>', '${jndi:ldap://x}', '\u{1F600}');

/** Values the schema refuses, or that no handler expects. */
function invalidValues(parameter: ParameterObject): fc.Arbitrary<string> {
  const schema = parameter.schema ?? {};
  const options: fc.Arbitrary<string>[] = [
    fc.constant(''),
    fc.constantFrom(' ', '\t'),
    CONTROL_AND_BROKEN,
    fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
    fc.integer({ min: 300, max: 20_000 }).map((n) => 'x'.repeat(n)),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map((s) => s.repeat(40)),
  ];
  if (schema.type === 'integer' || schema.type === 'number') {
    const min = schema.minimum ?? 0;
    const max = schema.maximum ?? 1_000_000;
    options.push(
      fc.integer({ min: -1_000_000, max: min - 1 }).map(String),
      fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }).map(String),
      fc.double({ noNaN: false }).map(String),
      fc.constantFrom('1e3', '0x10', '+5', '-0', '5.0', '١٢', 'NaN', 'Infinity', '9'.repeat(400), ' 5', '5 '),
    );
  }
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    options.push(fc.string({ unit: 'binary', minLength: 0, maxLength: 200 }).filter((s) => !pattern.test(s)));
  }
  if (typeof schema.example === 'string') {
    const example = schema.example;
    options.push(
      fc.nat({ max: Math.max(0, example.length - 1) }).map((n) => example.slice(0, n)),
      fc.tuple(fc.nat({ max: example.length }), CONTROL_AND_BROKEN).map(([n, bad]) => example.slice(0, n) + bad + example.slice(n)),
    );
  }
  // A real value, tampered with (a cursor with one character changed, an id with a suffix).
  options.push(
    fc.constant(null).chain(() => {
      const pool = harvestedFor(parameter.name);
      if (pool.length === 0) return fc.constant('%');
      return fc.tuple(fc.constantFrom(...pool), fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(([value, at, char]) => {
        const i = at % Math.max(1, value.length);
        return value.slice(0, i) + char + value.slice(i + 1);
      });
    }),
  );
  return fc.oneof(...options);
}

interface Sent {
  readonly name: string;
  readonly value: string;
  readonly valid: boolean;
}

/** A value for one parameter, marked valid or invalid (for the coverage count). */
function parameterValue(parameter: ParameterObject): fc.Arbitrary<Sent> {
  return fc.oneof(
    { weight: 3, arbitrary: validValues(parameter).map((value) => ({ name: parameter.name, value, valid: true })) },
    { weight: 2, arbitrary: invalidValues(parameter).map((value) => ({ name: parameter.name, value, valid: false })) },
  );
}

const unknownName = fc.oneof(
  fc.constantFrom('q', 'filter', 'sort', 'page', 'offset', 'LIMIT', 'Site', 'id', '__proto__', 'constructor', 'limit[]', 'site.x', ''),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
);

/** One request against one operation: a URL, a method, maybe an If-None-Match. */
interface FuzzRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly sent: Sent[];
  /** The URL is the operation's own path (no extra or altered segment). */
  readonly exact: boolean;
}

function requestFor(op: Operation): fc.Arbitrary<FuzzRequest> {
  const queryParams = op.query.map((parameter) =>
    fc.oneof({ weight: 2, arbitrary: fc.constant<Sent[]>([]) }, { weight: 2, arbitrary: parameterValue(parameter).map((s) => [s]) }, {
      // Repeated: the second occurrence turns the value into a list.
      weight: 1,
      arbitrary: fc.tuple(parameterValue(parameter), validValues(parameter)).map(([a, b]) => [a, { name: parameter.name, value: b, valid: false }]),
    }),
  );
  const pathParams = op.path.map((parameter) => parameterValue(parameter));
  const extras = fc.array(fc.tuple(unknownName, fc.string({ maxLength: 20 })), { maxLength: 2 });
  const suffix = fc.oneof(
    { weight: 8, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('/', '//', '/extra', '/..', '/%2e%2e', '/%2F', '.json', '?', '#frag', ';x=1') },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => '/' + encode(s)) },
  );
  const method = fc.oneof(
    { weight: 10, arbitrary: fc.constant(op.method.toUpperCase()) },
    { weight: 3, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH') },
  );
  const raw = fc.boolean();
  const ifNoneMatch = fc.option(fc.oneof(fc.constant('*'), fc.string({ maxLength: 40 }).map((s) => `"${s}"`), fc.string({ maxLength: 40 })), { freq: 5 });
  return fc.record({ query: fc.tuple(...queryParams), path: fc.tuple(...pathParams), extras, suffix, method, raw, ifNoneMatch }).map(
    ({ query, path, extras: extraPairs, suffix: tail, method: verb, raw: unencoded, ifNoneMatch: etag }) => {
      const sent = [...query.flat(), ...path];
      let url = op.template;
      for (const value of path) url = url.replace(`{${value.name}}`, encode(value.value));
      const pairs: Array<[string, string]> = [...query.flat().map((s): [string, string] => [s.name, s.value]), ...extraPairs];
      // Mostly encoded as a browser would; sometimes raw, with unescaped '%', '&', '+', '#'.
      const escape = unencoded ? (s: string) => s.replace(/[\s?#]/g, encode) : encode;
      const queryString = pairs.map(([k, v]) => `${escape(k)}=${escape(v)}`).join('&');
      url += tail + (queryString ? `?${queryString}` : '');
      const headers: Record<string, string> = etag === null ? {} : { 'If-None-Match': etag };
      return { method: verb, url, headers, sent, exact: tail === '' };
    },
  );
}

// ---- the check every response must pass ---------------------------------------------------------

async function send(op: Operation, request: FuzzRequest): Promise<void> {
  let response: Response;
  try {
    response = await app.request(request.url, { method: request.method, headers: request.headers });
  } catch (error) {
    // `new Request` refused the URL or a header itself: nothing reached the app.
    if (error instanceof TypeError) return;
    throw error;
  }
  requests++;
  for (const s of request.sent) {
    const entry = coverage.get(`${op.method} ${op.template} ${s.name}`);
    if (entry) entry[s.valid ? 'valid' : 'invalid']++;
  }
  const text = await response.text();
  const status = response.status;
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const what = `${request.method} ${request.url} -> ${status} ${text.slice(0, 300)}`;
  expect(status, what).toBeLessThan(500);
  const type = response.headers.get('content-type');
  if (status >= 400) {
    expect(type, what).toBe('application/problem+json');
    if (request.method !== 'HEAD') {
      const problem = JSON.parse(text) as Record<string, unknown>;
      expect(problem, what).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
      // Never an internal: no stack frame, no source path.
      expect(text, what).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|Exception/);
    }
    return;
  }
  if (status === 200 && request.method === 'GET' && type?.startsWith('application/json')) {
    const body = JSON.parse(text) as Record<string, unknown>;
    // The operation's own 200 schema (with a path suffix, the request may have reached another route).
    const schema = resolve(op.operation.responses['200']?.content?.['application/json']?.schema);
    if (schema?.required && request.exact) {
      for (const field of schema.required) expect(body, `${what}: missing ${field}`).toHaveProperty([field]);
    }
    harvest(body);
  }
}

// ---- setup --------------------------------------------------------------------------------------

beforeAll(async () => {
  table = await seedTable({ withBig: false });
  app = table.app({}, logs);
  const response = await app.request('/openapi.json');
  expect(response.status).toBe(200);
  spec = (await response.json()) as OpenApiDocument;
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      const parameters = operation.parameters ?? [];
      const op: Operation = {
        method,
        template,
        operation,
        query: parameters.filter((p) => p.in === 'query'),
        path: parameters.filter((p) => p.in === 'path'),
      };
      operations.push(op);
      for (const parameter of parameters) coverage.set(`${method} ${template} ${parameter.name}`, { valid: 0, invalid: 0 });
    }
  }
  // Prime the pools with real values: a first page of every parameterless GET.
  for (const op of operations) if (op.method === 'get' && op.path.length === 0) await send(op, { method: 'GET', url: `${op.template}?limit=5`, headers: {}, sent: [], exact: true });
  for (const op of operations) if (op.method === 'get' && op.path.length === 0) await send(op, { method: 'GET', url: op.template, headers: {}, sent: [], exact: true });
});

afterAll(async () => {
  await table?.stop();
});

describe('OpenAPI-driven fuzz', () => {
  it('finds every operation and parameter in the generated document', () => {
    expect(spec.openapi).toMatch(/^3\./);
    const found = operations.map((op) => `${op.method.toUpperCase()} ${op.template}`).sort();
    expect(found).toEqual(['GET /docs', 'GET /documents', 'GET /documents/{id}', 'GET /failures', 'GET /health', 'GET /openapi.json']);
    expect([...coverage.keys()].sort()).toEqual(
      ['author', 'cursor', 'from', 'limit', 'site', 'to', 'url'].map((p) => `get /documents ${p}`).concat(['get /documents/{id} id', 'get /failures cursor', 'get /failures limit']).sort(),
    );
  });

  it('random requests across every operation: no 5xx, every 4xx a problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => fc.constantFrom(...operations).chain((op) => requestFor(op).map((request) => ({ op, request })))),
        async ({ op, request }) => send(op, request),
      ),
      { numRuns: 300 },
    );
  });

  it('each parameter on its own, valid and invalid: no 5xx, every 4xx a problem', async () => {
    for (const op of operations) {
      for (const parameter of [...op.query, ...op.path]) {
        const others = op.path.filter((p) => p !== parameter);
        await fc.assert(
          fc.asyncProperty(parameterValue(parameter), fc.tuple(...others.map((p) => validValues(p))), async (sent, otherValues) => {
            let url = op.template;
            others.forEach((p, i) => (url = url.replace(`{${p.name}}`, encode(otherValues[i]!))));
            if (parameter.in === 'path') url = url.replace(`{${parameter.name}}`, encode(sent.value));
            else url += `?${encode(parameter.name)}=${encode(sent.value)}`;
            await send(op, { method: op.method.toUpperCase(), url, headers: {}, sent: [sent], exact: true });
          }),
          { numRuns: 30 },
        );
      }
    }
  });

  it('exercised every parameter with valid and invalid values, reached the table, logged no fault', () => {
    const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ');
    console.info(`openapi fuzz: ${requests} requests over ${operations.length} operations; statuses ${summary}`);
    for (const [key, counts] of coverage) {
      expect(counts.valid, `${key} valid`).toBeGreaterThan(5);
      expect(counts.invalid, `${key} invalid`).toBeGreaterThan(5);
    }
    // Many requests must get past validation, or the fuzz only tests the validator.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    expect(logs).toEqual([]);
  });
});
