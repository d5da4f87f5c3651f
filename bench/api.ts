// Read API throughput: `npm run bench:api`. Loads >= 1,000 documents built from seeds/ into
// dynalite (through the store), serves the app with @hono/node-server next to a bare node:http
// server that makes the same table calls, and drives both with autocannon on loopback:
//   - GET /documents/{id} (rotating ids): one GetItem; bare = GetItem + JSON.stringify
//   - GET /documents?limit=20: 8 shard Queries; bare = the same store.listDocuments call
// Prints req/s, p50/p99 latency, the server process's CPU time per request, and ours/bare.
// Then the same pair against an in-memory reader, which takes the table out and shows what the
// framework itself costs per request. On a small shared machine req/s moves with whatever else
// runs; CPU per request is the steadier figure.
//
// Three processes, so that no two of them share an event loop: s3rver + dynalite (local/'s
// emulator process), the two HTTP servers (this script with the `serve` role), and autocannon
// (this process).
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { createApp } from '../functions/api/app.ts';
import { startEmulatorProcess } from '../local/emulator-host.ts';
import { ensureTable, localDynamoClient, localS3Client } from '../local/emulators.ts';
import { createS3BodyStore } from '../shared/bodies.ts';
import { normalizeDocument, type NormalizedDocument } from '../shared/index.ts';
import {
  createDynamoStore,
  DOC_SK,
  documentPk,
  type DocumentReader,
  type DocumentStore,
  type StoredDocument,
  type StoredSummary,
} from '../shared/store/index.ts';

const DOCS = Number(process.env.BENCH_DOCS ?? 1000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const MEMORY_DURATION = Number(process.env.BENCH_MEMORY_DURATION ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const TABLE = 'documents';
const BODIES = 'bodies';
const CURSOR_SECRET = 'bench-cursor-secret-0123456789';
const SCRIPT = fileURLToPath(import.meta.url);

interface ServeConfig {
  dynamodbEndpoint: string;
  s3Endpoint: string;
}

interface Ports {
  ours: number;
  bare: number;
  oursMemory: number;
  bareMemory: number;
}

// ---- corpus -------------------------------------------------------------------------------

function seedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'bad') return [];
    return statSync(path).isDirectory() ? seedFiles(path) : [path];
  });
}

/** `count` documents: every good seed, again and again, each variant with its own key and text. */
function corpus(count: number): NormalizedDocument[] {
  const seeds = seedFiles('seeds').map((path) => ({ key: relative('seeds', path), text: readFileSync(path, 'utf8') }));
  return Array.from({ length: count }, (_, i) => {
    const seed = seeds[i % seeds.length]!;
    const text = seed.text.replace(/(\. )/, `. Update ${i}: `);
    return normalizeDocument(new TextEncoder().encode(text), { key: `bench/${i}/${seed.key}` });
  });
}

async function load(store: DocumentStore, documents: NormalizedDocument[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < documents.length) {
      const document = documents[next++]!;
      await store.putDocument(document, {
        bucket: 'documents',
        key: document.sourceKey!,
        sequencer: '0A',
        eventTime: '2024-06-01T00:00:00.000Z',
        eventId: `bench-${document.id}`,
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

// ---- the servers (child process) ----------------------------------------------------------

function storeOn(config: ServeConfig): DocumentStore {
  return createDynamoStore({
    client: localDynamoClient(config.dynamodbEndpoint),
    tableName: TABLE,
    bodies: createS3BodyStore({ s3: localS3Client(config.s3Endpoint), bucket: BODIES }),
  });
}

/** A reader with no I/O: the documents as the store would return them. */
function memoryReader(documents: NormalizedDocument[]): DocumentReader {
  const stored: StoredDocument[] = documents.map((d) => ({ ...d, ingestedAt: '2024-06-01T00:00:00.000Z' }));
  const byId = new Map(stored.map((d) => [d.id, d]));
  const page: StoredSummary[] = stored.slice(0, 20).map(({ body: _body, ...summary }) => summary);
  return {
    getDocument: async (id) => byId.get(id) ?? null,
    getDocumentsByUrl: async () => [],
    listDocuments: async () => ({ items: page, next: '1#2024-01-01#d0' }),
    listFailures: async () => ({ items: [], next: null }),
  };
}

function listenOurs(reader: DocumentReader): Promise<number> {
  const app = createApp({
    reader,
    config: { cursorSecret: CURSOR_SECRET, corsOrigins: ['*'] },
    logger: { error: (message, attributes) => console.error(message, attributes) },
  });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    void server;
  });
}

/**
 * The floor: node:http, a path split, the same table call, JSON.stringify. No validation, no
 * headers beyond Content-Type, no error format.
 */
function listenBare(
  getDocument: (id: string) => Promise<unknown>,
  listDocuments: () => Promise<{ items: unknown[]; next: string | null }>,
): Promise<number> {
  const server: Server = createServer((request, response) => {
    const url = request.url ?? '/';
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const work = url.startsWith('/documents/')
      ? getDocument(url.slice('/documents/'.length)).then((item) => (item ? send(200, item) : send(404, {})))
      : listDocuments().then((page) => send(200, { items: page.items, nextCursor: page.next }));
    work.catch(() => send(500, {}));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function serveRole(): Promise<void> {
  const config = JSON.parse(process.argv[3]!) as ServeConfig;
  const store = storeOn(config);
  const bareStore = storeOn(config);
  const raw = DynamoDBDocumentClient.from(localDynamoClient(config.dynamodbEndpoint));
  const memory = memoryReader(corpus(DOCS));

  const ports: Ports = {
    ours: await listenOurs(store),
    bare: await listenBare(
      async (id) => (await raw.send(new GetCommand({ TableName: TABLE, Key: { pk: documentPk(id), sk: DOC_SK } }))).Item,
      () => bareStore.listDocuments({ limit: 20 }),
    ),
    oursMemory: await listenOurs(memory),
    bareMemory: await listenBare(memory.getDocument, () => memory.listDocuments({ limit: 20 })),
  };
  process.send?.({ ports });
  // The driver asks for this process's CPU time around each run: only one server is driven at
  // a time, so the difference is that server's cost.
  process.on('message', (message) => {
    if (message === 'cpu') {
      const usage = process.cpuUsage();
      process.send?.({ cpuMs: (usage.user + usage.system) / 1000 });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

// ---- the driver (this process) ------------------------------------------------------------

interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of the server process per request, in ms. */
  cpuPerRequest: number;
  requests: number;
  cpuMs: number;
  seconds: number;
  non2xx: number;
  errors: number;
}

type Path = string | ((i: number) => string);

async function drive(server: ChildProcess, port: number, path: Path, duration: number): Promise<Measurement> {
  let i = 0;
  const cpuBefore = await cpuOf(server);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: typeof path === 'string' ? path : path(i++) }),
      },
    ],
  });
  const cpuMs = (await cpuOf(server)) - cpuBefore;
  return {
    rps: result.requests.total / duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequest: result.requests.total > 0 ? cpuMs / result.requests.total : 0,
    requests: result.requests.total,
    cpuMs,
    seconds: duration,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function cpuOf(server: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    server.once('message', (message: { cpuMs: number }) => resolve(message.cpuMs));
    server.send('cpu');
  });
}

/** Rounds of one server as one run: throughput and CPU over all of them, median percentiles (of the rounds). */
function combine(rounds: Measurement[]): Measurement {
  const sum = (pick: (m: Measurement) => number) => rounds.reduce((total, m) => total + pick(m), 0);
  const median = (pick: (m: Measurement) => number) => {
    const sorted = rounds.map(pick).sort((a, b) => a - b);
    const middle = sorted.length / 2;
    return sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const requests = sum((m) => m.requests);
  const cpuMs = sum((m) => m.cpuMs);
  const seconds = sum((m) => m.seconds);
  return {
    rps: requests / seconds,
    p50: median((m) => m.p50),
    p99: median((m) => m.p99),
    cpuPerRequest: requests > 0 ? cpuMs / requests : 0,
    requests,
    cpuMs,
    seconds,
    non2xx: sum((m) => m.non2xx),
    errors: sum((m) => m.errors),
  };
}

function row(label: string, m: Measurement): string {
  const faults = m.non2xx + m.errors > 0 ? `  (${m.non2xx} non-2xx, ${m.errors} errors)` : '';
  return `  ${label.padEnd(6)} ${m.rps.toFixed(0).padStart(7)} req/s   p50 ${m.p50.toFixed(1).padStart(5)} ms   p99 ${m.p99.toFixed(1).padStart(5)} ms   server CPU ${m.cpuPerRequest.toFixed(3)} ms/req${faults}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const s3Directory = await mkdtemp(join(tmpdir(), 'bench-api-s3-'));
  const emulators = await startEmulatorProcess(
    { s3Port: 0, s3Directory, buckets: ['documents', BODIES], dynamodbPort: 0, dynamodbDirectory: null },
    () => {},
  );
  let server: ChildProcess | undefined;
  try {
    await ensureTable(localDynamoClient(emulators.dynamodbEndpoint), TABLE);
    const documents = corpus(DOCS);
    const config: ServeConfig = { dynamodbEndpoint: emulators.dynamodbEndpoint, s3Endpoint: emulators.s3Endpoint };
    await load(storeOn(config), documents);
    const ids = documents.map((d) => d.id);
    console.log(`Loaded ${documents.length} documents (${new Set(ids).size} ids) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);

    server = fork(SCRIPT, ['serve', JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ports = await new Promise<Ports>((resolve, reject) => {
      server!.once('message', (message: { ports: Ports }) => resolve(message.ports));
      server!.once('exit', (code) => reject(new Error(`The server process exited (code ${code}).`)));
    });

    const scenarios = [
      { name: `GET /documents/{id}  (rotating over ${ids.length} ids)`, path: (i: number) => `/documents/${ids[i % ids.length]}` },
      { name: 'GET /documents?limit=20', path: '/documents?limit=20' },
    ];
    const summary: Record<string, { ours: Measurement; bare: Measurement; ratio: number }> = {};
    for (const [setting, oursPort, barePort, duration, warmUp] of [
      ['dynalite', ports.ours, ports.bare, DURATION, 3],
      ['in-memory reader (framework cost only)', ports.oursMemory, ports.bareMemory, MEMORY_DURATION, 1],
    ] as const) {
      console.log(`\n${setting}: ${CONNECTIONS} connections, ${duration} s each, loopback`);
      for (const scenario of scenarios) {
        const run = (port: number, seconds: number) => drive(server!, port, scenario.path, seconds);
        // Warm-up: the JIT (the SDK's code paths above all), connection pools, dynalite's caches.
        await run(oursPort, warmUp);
        await run(barePort, warmUp);
        // Short rounds, alternating which server goes first (A-B, B-A, ...), so that changes in
        // the machine's load while the bench runs hit both alike.
        const oursRounds: Measurement[] = [];
        const bareRounds: Measurement[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const seconds = duration / ROUNDS;
          if (round % 2 === 0) {
            oursRounds.push(await run(oursPort, seconds));
            bareRounds.push(await run(barePort, seconds));
          } else {
            bareRounds.push(await run(barePort, seconds));
            oursRounds.push(await run(oursPort, seconds));
          }
        }
        const ours = combine(oursRounds);
        const bare = combine(bareRounds);
        const ratio = ours.rps / bare.rps;
        summary[`${setting} | ${scenario.name}`] = { ours, bare, ratio };
        console.log(`${scenario.name}`);
        console.log(row('ours', ours));
        console.log(row('bare', bare));
        console.log(
          `  ours/bare throughput ${ratio.toFixed(2)}   server CPU per request ours/bare ${(ours.cpuPerRequest / bare.cpuPerRequest).toFixed(2)}`,
        );
      }
    }
    console.log(`\nTotal ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    if (process.env.BENCH_JSON) console.log(JSON.stringify(summary));
  } finally {
    server?.kill();
    await emulators.stop();
    await rm(s3Directory, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'serve') {
  void serveRole();
} else {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
