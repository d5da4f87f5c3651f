// A bounded load test of the read API: `npm run bench:load`. On loopback only.
//
// The embedded stack (s3rver + dynalite in their child process, the real Hono app served by
// @hono/node-server) runs in a child of this script with the `serve` role, and is loaded with
// LOAD_DOCS (10,000) documents. They are written straight through the stack's store
// (`stack.store.putDocument(document, event)`, the parser's own write path: the object item, the
// index attributes and the author entries) rather than uploaded through S3 and the queue, which
// would take minutes here; the pipeline itself is measured by `npm run bench:ingest`. The
// documents are the seeds of `seeds/` normalized by `normalizeDocument`, each variant with its own
// key and text, then given a publication date spread over 2019-2024 and one extra author from a
// pool of 40, so that date-range and author filters select real subsets.
//
// This process then runs autocannon (programmatic) with LOAD_CONNECTIONS (50) connections for
// LOAD_DURATION (60) seconds, LOAD_RUNS (3) times, each connection cycling through a mix of
// requests: GET /documents/{id} (1 in 20 for an id that does not exist: a deliberate 404, counted
// apart), GET /documents?limit=20, filtered lists (site, author, from/to, site + from/to), and the
// next page of each list through its nextCursor. Any other status that is not 2xx/3xx, any
// connection error or timeout, is an error. Prints requests/s, p50, p99 and errors per run and
// the median of the runs; exits 1 if any run had an error.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pLimit from 'p-limit';
import { FREE_PORTS, startLocalStack } from '../local/stack.ts';
import { normalizeDocument, type NormalizedDocument } from '../shared/index.ts';
import { seedFiles } from './corpus.ts';

const DOCS = Number(process.env.LOAD_DOCS ?? 10_000);
const DURATION = Number(process.env.LOAD_DURATION ?? 60);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
const RUNS = Number(process.env.LOAD_RUNS ?? 3);
// Client timeout per request: API Gateway's own integration limit is 29 s, so a slower answer
// would be a 504 there. autocannon's default (10 s) is shorter than what a 2-core machine running
// dynalite under 50 connections sometimes takes; a request over this limit is an error here.
const TIMEOUT_S = Number(process.env.LOAD_TIMEOUT ?? 30);
const SCRIPT = fileURLToPath(import.meta.url);
const AUTHOR_POOL = Array.from({ length: 40 }, (_, i) => `Load Author ${String.fromCharCode(65 + (i % 26))}${i}`);

/** What the server process tells this one once the table is loaded. */
interface Loaded {
  apiUrl: string;
  ids: string[];
  sites: string[];
  authors: string[];
  loadMs: number;
  docs: number;
}

// ---- the server role ------------------------------------------------------------------------------

function corpus(count: number): NormalizedDocument[] {
  const seeds = seedFiles('seeds').map((path) => ({ key: relative('seeds', path), text: readFileSync(path, 'utf8') }));
  const start = Date.UTC(2019, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const seed = seeds[i % seeds.length]!;
    const text = seed.text.replace(/(\. )/, `. Update ${i}: `);
    const document = normalizeDocument(new TextEncoder().encode(text), { key: `load/${i}/${seed.key}` });
    // Spread over the 2,191 days of 2019-2024 (a deterministic scatter), every 5th with a full timestamp.
    const day = new Date(start + ((i * 7_919) % 2_191) * 86_400_000 + (i % 86_400) * 1_000);
    const iso = day.toISOString();
    return {
      ...document,
      publishedAt: i % 5 === 0 ? iso : iso.slice(0, 10),
      authors: [...document.authors, AUTHOR_POOL[i % AUTHOR_POOL.length]!],
    };
  });
}

async function serve(): Promise<void> {
  const stack = await startLocalStack({ dataDir: null, ...FREE_PORTS, logLevel: 'SILENT' });
  const started = Date.now();
  const documents = corpus(DOCS);
  const limit = pLimit(16);
  await Promise.all(
    documents.map((document, i) =>
      limit(() =>
        stack.store.putDocument(document, {
          bucket: stack.bucket,
          key: document.sourceKey!,
          sequencer: (i + 1).toString(16).toUpperCase().padStart(16, '0'),
          eventTime: new Date().toISOString(),
          eventId: `load|ObjectCreated:Put|${i}`,
        }),
      ),
    ),
  );
  const loaded: Loaded = {
    apiUrl: stack.apiUrl,
    ids: documents.map((d) => d.id),
    sites: [...new Set(documents.map((d) => d.site).filter((s): s is string => s !== null))],
    authors: [...new Set(documents.flatMap((d) => d.authors))],
    loadMs: Date.now() - started,
    docs: documents.length,
  };
  process.send?.(loaded);
  process.on('message', async (message) => {
    if (message === 'stop') {
      // Let the requests autocannon left in flight finish before the table goes away.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await stack.stop();
      process.exit(0);
    }
  });
}

// ---- the load role --------------------------------------------------------------------------------

interface RunResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  /** Every error: connection errors and timeouts, and unexpected statuses. */
  errors: number;
  timeouts: number;
  badStatuses: number;
  deliberate404: number;
  byKind: Record<string, number>;
  errorSamples: string[];
}

interface Context {
  expect404?: boolean;
  kind?: string;
  lastList?: { base: string; cursor: string | null };
  path?: string;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function randomRange(): string {
  const from = 2019 + Math.floor(Math.random() * 6);
  const month = 1 + Math.floor(Math.random() * 12);
  const fromValue = `${from}-${String(month).padStart(2, '0')}`;
  const to = Math.min(2024, from + Math.floor(Math.random() * 2));
  return `from=${fromValue}&to=${to}`;
}

async function run(loaded: Loaded): Promise<RunResult> {
  const counts = { deliberate404: 0, errors: 0 };
  const byKind: Record<string, number> = {};
  const errorSamples: string[] = [];
  const list = (kind: string, query: () => string): autocannon.Request => ({
    method: 'GET',
    setupRequest: (request, context: Context) => {
      const base = `/documents?${query()}limit=20`;
      context.kind = kind;
      context.expect404 = false;
      context.lastList = { base, cursor: null };
      context.path = base;
      return { ...request, path: base };
    },
    onResponse: (status, body, context: Context) => {
      record(status, context);
      if (status === 200 && context.lastList) context.lastList.cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor;
    },
  });
  const next = (kind: string): autocannon.Request => ({
    method: 'GET',
    setupRequest: (request, context: Context) => {
      const last = context.lastList;
      // No next page (or the previous list failed): read the first page again.
      const path = last === undefined ? '/documents?limit=20' : last.cursor === null ? last.base : `${last.base}&cursor=${encodeURIComponent(last.cursor)}`;
      context.kind = last?.cursor ? kind : `${kind} (first page again)`;
      context.expect404 = false;
      context.path = path;
      return { ...request, path };
    },
    onResponse: (status, body, context: Context) => {
      record(status, context);
      if (status === 200 && context.lastList) context.lastList.cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor;
    },
  });
  const byId: autocannon.Request = {
    method: 'GET',
    setupRequest: (request, context: Context) => {
      const unknown = Math.random() < 0.05;
      const id = unknown ? `d${randomBytes(12).toString('hex')}` : pick(loaded.ids);
      context.kind = unknown ? 'GET /documents/{unknown id}' : 'GET /documents/{id}';
      context.expect404 = unknown;
      context.path = `/documents/${id}`;
      return { ...request, path: context.path };
    },
    onResponse: (status, _body, context: Context) => record(status, context),
  };
  function record(status: number, context: Context): void {
    const kind = context.kind ?? '?';
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    if (status === 404 && context.expect404) counts.deliberate404++;
    else if (status >= 400) {
      counts.errors++;
      if (errorSamples.length < 5) errorSamples.push(`${status} ${context.path}`);
    }
  }
  const result = await autocannon({
    url: loaded.apiUrl,
    connections: CONNECTIONS,
    duration: DURATION,
    timeout: TIMEOUT_S,
    requests: [
      byId,
      list('GET /documents', () => ''),
      next('next page of GET /documents'),
      list('GET /documents?site', () => `site=${encodeURIComponent(pick(loaded.sites))}&`),
      next('next page of ?site'),
      byId,
      list('GET /documents?author', () => `author=${encodeURIComponent(pick(loaded.authors))}&`),
      next('next page of ?author'),
      list('GET /documents?from&to', () => `${randomRange()}&`),
      next('next page of ?from&to'),
      byId,
      list('GET /documents?site&from&to', () => `site=${encodeURIComponent(pick(loaded.sites))}&${randomRange()}&`),
    ],
  });
  return {
    rps: result.requests.total / DURATION,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    // Connection errors (timeouts included) plus every unexpected status.
    errors: result.errors + counts.errors,
    timeouts: result.timeouts,
    badStatuses: counts.errors,
    deliberate404: counts.deliberate404,
    byKind,
    errorSamples,
  };
}

/**
 * CPU seconds (user + system) of the server process and, separately, of its descendants (the
 * s3rver + dynalite process), from /proc; null where there is no /proc.
 */
function cpuOf(rootPid: number): { api: number; emulators: number } | null {
  if (!existsSync('/proc/self/stat')) return null;
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), from "state" on.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // The process ended while we looked.
    }
  }
  let emulators = 0;
  for (const [pid, seconds] of cpu) {
    for (let parent = parents.get(pid); parent !== undefined && parent > 1; parent = parents.get(parent)) {
      if (parent === rootPid) {
        emulators += seconds;
        break;
      }
    }
  }
  return { api: cpu.get(rootPid) ?? 0, emulators };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main(): Promise<void> {
  console.log(`node ${process.version}; ${DOCS} documents; ${CONNECTIONS} connections x ${DURATION} s, ${RUNS} runs; client timeout ${TIMEOUT_S} s`);
  const server: ChildProcess = fork(SCRIPT, ['serve'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const loaded = await new Promise<Loaded>((resolve, reject) => {
    server.once('message', (message) => resolve(message as Loaded));
    server.once('exit', (code) => reject(new Error(`The server process exited (${code}) before it was ready.`)));
  });
  console.log(
    `loaded ${loaded.docs} documents through the store in ${(loaded.loadMs / 1000).toFixed(1)} s (${Math.round(loaded.docs / (loaded.loadMs / 1000))} docs/s); ${loaded.sites.length} sites, ${loaded.authors.length} authors`,
  );
  const results: RunResult[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const before = cpuOf(server.pid!);
      const result = await run(loaded);
      const after = cpuOf(server.pid!);
      results.push(result);
      console.log(
        `run ${i + 1}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms, ${result.requests} requests, errors ${result.errors} (timeouts ${result.timeouts}, bad statuses ${result.badStatuses}), deliberate 404s ${result.deliberate404}`,
      );
      if (before && after && result.requests > 0) {
        const per = (seconds: number) => ((seconds * 1000) / result.requests).toFixed(2);
        console.log(`  CPU per request: API process ${per(after.api - before.api)} ms, s3rver + dynalite process ${per(after.emulators - before.emulators)} ms`);
      }
      if (result.errorSamples.length > 0) console.log(`  error samples: ${result.errorSamples.join('; ')}`);
    }
  } finally {
    server.send('stop');
  }
  const mix = results[0]!.byKind;
  console.log('request mix (run 1):');
  for (const [kind, count] of Object.entries(mix).sort(([, a], [, b]) => b - a)) console.log(`  ${kind.padEnd(44)} ${count}`);
  console.log(
    `median of ${results.length}: ${median(results.map((r) => r.rps)).toFixed(0)} req/s, p50 ${median(results.map((r) => r.p50))} ms, p99 ${median(results.map((r) => r.p99))} ms, errors ${median(results.map((r) => r.errors))} (total ${results.reduce((sum, r) => sum + r.errors, 0)})`,
  );
  if (results.some((r) => r.errors > 0)) process.exitCode = 1;
}

if (process.argv[2] === 'serve') {
  await serve();
} else {
  await main();
}
