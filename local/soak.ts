// The soak: many uploads, re-uploads and deletes through the embedded stack while things go
// wrong (transient S3 and DynamoDB errors inside the parser's SDK clients, duplicate and
// shuffled deliveries, the parser process killed mid-batch, a persistent outage for a few
// objects), then a redrive of the dead-letter queue, then a check that the table matches the
// bucket exactly. `npm run soak` runs it at full size; tests/integration/soak.test.ts small.
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_DOCUMENT_BYTES } from '../shared/document.ts';
import { DocumentError } from '../shared/errors.ts';
import { documentIdForKey, normalizeDocument } from '../shared/index.ts';
import { authorEntriesOf, DOC_SK, type Item } from '../shared/store/index.ts';
import { localDynamoClient, localS3Client } from './emulators.ts';
import type { FaultKind, FaultService } from './faults.ts';
import { startParserProcess, type ParserProcess } from './parser-host.ts';
import type { ParserReply } from './parser-process.ts';
import { seededRandom } from './random.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from './stack.ts';

export interface SoakOptions {
  /** PutObject calls (deletes come on top). */
  uploads: number;
  /** Share of the parser's SDK calls that meet a transient error. @default 0.05 */
  faultRate?: number;
  /** Share of S3 notifications delivered twice. @default 0.10 */
  duplicateRate?: number;
  /** Times the parser process is SIGKILLed mid-batch. @default 3 */
  kills?: number;
  /**
   * Objects whose every read fails (S3 500) until the main phase is over: their messages end
   * in the dead-letter queue, and the redrive has to bring them home. @default uploads / 1000, at least 1
   */
  outageKeys?: number;
  /** Share of uploads that are bad documents (failure records). @default 0.08 */
  badRate?: number;
  /** Share of uploads with a body too large for an item (stored in the bodies bucket). @default 0.002, at least 1 */
  largeRate?: number;
  /** @default 1500 */
  visibilityTimeoutMs?: number;
  /** @default 10 */
  maxReceiveCount?: number;
  /**
   * Batches the runner works on at once. The SDK's backoff (1 s base for throttling) makes most
   * batches wait for one slow record, so more batches in flight hide that latency. @default 16
   */
  concurrency?: number;
  /** @default 10 */
  batchSize?: number;
  /** @default 50 */
  maxBatchingWindowMs?: number;
  /** S3 requests of the uploader at once. @default 16 */
  uploadConcurrency?: number;
  /** Seeds the plan and every random choice. @default 1 */
  seed?: number;
  /** Everything, start to finish, or the run fails. @default 290000 */
  timeLimitMs?: number;
  /** Progress lines. @default none */
  log?: (line: string) => void;
  /** Aborting ends every wait at once; the run then stops cleanly and reports what it has. */
  signal?: AbortSignal;
}

export interface FaultCount {
  service: FaultService;
  kind: FaultKind;
  /** Attempts that failed with it. */
  injected: number;
  /** Calls that still failed with it after the SDK's retries: what the queue had to retry. */
  surfaced: number;
}

export interface SoakReport {
  ok: boolean;
  /** Why not ok, and examples. */
  problems: string[];
  elapsedMs: number;
  phases: { startMs: number; uploadMs: number; drainMs: number; redriveMs: number; verifyMs: number };
  plan: { keys: number; uploads: number; deletes: number; badUploads: number; largeUploads: number; reuploadedKeys: number; deletedKeys: number; recreatedKeys: number; outageKeys: number };
  /** What the table holds against the bucket. */
  liveObjects: number;
  documents: number;
  failures: number;
  tombstones: number;
  missing: number;
  extra: number;
  stale: number;
  /** Live objects that differ from what the plan uploaded (the workload itself went wrong). */
  bucketMismatch: number;
  /** Author index entries a current document needs but the table lacks. */
  indexMissing: number;
  /** Author index entries no current document implies (left by a kill; reads ignore them). */
  indexOrphans: number;
  /** Documents whose bodyRef points at no object. */
  bodiesMissing: number;
  /** Objects in the bodies bucket that no document points at (left by a kill; only storage). */
  bodyOrphans: number;
  notifications: { sent: number; duplicated: number };
  deliveries: { invocations: number; records: number; redelivered: number; failedRecords: number };
  writes: { written: number; duplicate: number; stale: number };
  faults: FaultCount[];
  outage: { injected: number; surfaced: number };
  kills: number;
  /** Invocations in flight when the parser was killed, and their records. */
  killedInvocations: number;
  killedRecords: number;
  parserProcesses: number;
  /** Dead letters before the redrive, those of outage keys among them, and how many were redriven. */
  deadLettered: number;
  deadLetteredOutage: number;
  redriven: number;
  redriveRounds: number;
  deadAfterRedrive: number;
}

// ---- the workload ------------------------------------------------------------------------

type Op = { kind: 'put'; body: Uint8Array; contentType?: string; sort: 'good' | 'bad' | 'large' } | { kind: 'delete' };
interface KeyPlan {
  key: string;
  ops: Op[];
}

interface Sample {
  name: string;
  bytes: Uint8Array;
  contentType?: string;
}

const SEEDS = fileURLToPath(new URL('../seeds/', import.meta.url));

function seedFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? seedFiles(path) : [path];
    });
}

const CONTENT_TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', json: 'application/json', md: 'text/markdown' };

/** The good seeds, and bad documents of every kind: the seeds' own and some built here. */
function samples(): { good: Sample[]; bad: Sample[] } {
  const good: Sample[] = [];
  const bad: Sample[] = [];
  for (const path of seedFiles(SEEDS)) {
    const name = path.slice(SEEDS.length);
    const bytes = new Uint8Array(readFileSync(path));
    if (name.startsWith('bad/')) bad.push({ name: name.slice(4), bytes });
    else good.push({ name, bytes });
  }
  const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
  bad.push(
    { name: 'unclosed-front-matter.md', bytes: utf8('---\ntitle: Never closed\nauthor: Nobody\n\nThe body never starts.\n') },
    { name: 'no-body.json', bytes: utf8('{"title":"Only a title"}') },
    { name: 'deep.html', bytes: utf8(`<!doctype html><html><body>${'<div>'.repeat(1_200)}deep${'</div>'.repeat(1_200)}</body></html>`) },
    { name: 'title-only.txt', bytes: utf8('Just a title\n') },
    { name: 'latin1-undeclared.txt', bytes: new Uint8Array(Buffer.from('Café society\n\nThe café reopened, said the naïve owner.\n', 'latin1')) },
  );
  return { good, bad };
}

/** A good document's bytes, made unique by `variant` (so every upload has its own content hash). */
function goodBody(sample: Sample, variant: number): Uint8Array {
  const text = Buffer.from(sample.bytes).toString('utf8');
  const marked = text.includes('. ') ? text.replace('. ', `. Update ${variant}: `) : `${text}\n\nUpdate ${variant}.`;
  return new Uint8Array(Buffer.from(marked, 'utf8'));
}

/** An article of about 420 KB: too large for an item, so its body goes to the bodies bucket. */
function largeBody(variant: number): Uint8Array {
  const paragraph = `Paragraph of a very long report, revision ${variant}, with enough words to fill a line or two of text.`;
  const paragraphs = Array.from({ length: 4_000 }, (_, i) => `${paragraph} Section ${i}.`);
  const text = `## A very long report ${variant}\n\nBy Long Form Desk\n\nJune 8, 2021\n\n${paragraphs.join('\n\n')}\n\n## Original url:\n\nhttps://example.com/long/${variant}`;
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/** Keys whose names need encoding in an event (space, plus, percent, non-ASCII), now and then. */
function keyFor(index: number, name: string): string {
  const slot = String(index).padStart(5, '0');
  return index % 9 === 4 ? `soak/${slot}/red flower+café 100% ${name}` : `soak/${slot}/${name}`;
}

interface Plan {
  keys: KeyPlan[];
  /** Every op in the order it is issued: [key index, op index]. A key's ops keep their order. */
  schedule: Array<[number, number]>;
  outageKeys: string[];
  summary: SoakReport['plan'];
}

function buildPlan(options: Required<Pick<SoakOptions, 'uploads' | 'badRate' | 'largeRate' | 'outageKeys'>>, random: () => number): Plan {
  const { good, bad } = samples();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  let variant = 0;
  let uploads = 0;
  let badUploads = 0;
  let largeUploads = 0;
  const largeWanted = Math.max(1, Math.round(options.uploads * options.largeRate));
  const put = (): Op => {
    uploads++;
    variant++;
    // The large ones are spread over the run, not all at the start.
    if (largeUploads < largeWanted && random() < (largeWanted - largeUploads) / Math.max(1, options.uploads - uploads + 1)) {
      largeUploads++;
      return { kind: 'put', body: largeBody(variant), sort: 'large' };
    }
    if (random() < options.badRate) {
      badUploads++;
      const sample = pick(bad);
      return { kind: 'put', body: sample.bytes, sort: 'bad' };
    }
    if (random() < 0.03) {
      // Declared windows-1252: good. (The same bytes undeclared are among the bad ones.)
      const text = `Café society ${variant}\n\nThe café reopened on Monday, said the naïve owner, ${variant} days late.\n`;
      return { kind: 'put', body: new Uint8Array(Buffer.from(text, 'latin1')), contentType: 'text/plain; charset=windows-1252', sort: 'good' };
    }
    const sample = pick(good);
    const extension = sample.name.split('.').pop() ?? '';
    const contentType = CONTENT_TYPES[extension];
    return { kind: 'put', body: goodBody(sample, variant), ...(contentType !== undefined && random() < 0.5 ? { contentType } : {}), sort: 'good' };
  };
  const del = (): Op => ({ kind: 'delete' });

  const keys: KeyPlan[] = [];
  let reuploadedKeys = 0;
  let deletedKeys = 0;
  let recreatedKeys = 0;
  while (uploads < options.uploads) {
    const r = random();
    let ops: Op[];
    if (r < 0.55) ops = [put()];
    else if (r < 0.75) {
      reuploadedKeys++;
      ops = Array.from({ length: 2 + Math.floor(random() * 3) }, put);
    } else if (r < 0.85) {
      deletedKeys++;
      ops = [put(), del()];
    } else if (r < 0.95) {
      recreatedKeys++;
      ops = [put(), del(), put()];
    } else {
      reuploadedKeys++;
      deletedKeys++;
      ops = random() < 0.5 ? [put(), put(), del()] : [put(), del(), put(), put()];
    }
    const name = pick(good).name.split('/').pop()!;
    keys.push({ key: keyFor(keys.length, name), ops });
  }

  // Issue order: every op gets a random time; a key's ops take its times in ascending order.
  const timed: Array<{ t: number; key: number; op: number }> = [];
  keys.forEach((plan, key) => {
    const times = plan.ops.map(() => random()).sort((a, b) => a - b);
    times.forEach((t, op) => timed.push({ t, key, op }));
  });
  timed.sort((a, b) => a.t - b.t);

  // Outage keys: ones that stay live, so that without the redrive they would be missing.
  const liveKeys = keys.filter((plan) => plan.ops.at(-1)?.kind === 'put').map((plan) => plan.key);
  const outageKeys: string[] = [];
  for (let i = 0; i < options.outageKeys && liveKeys.length > 0; i++) outageKeys.push(liveKeys.splice(Math.floor(random() * liveKeys.length), 1)[0]!);

  const deletes = keys.reduce((sum, plan) => sum + plan.ops.filter((op) => op.kind === 'delete').length, 0);
  return {
    keys,
    schedule: timed.map(({ key, op }) => [key, op]),
    outageKeys,
    summary: { keys: keys.length, uploads, deletes, badUploads, largeUploads, reuploadedKeys, deletedKeys, recreatedKeys, outageKeys: outageKeys.length },
  };
}

// ---- the run -----------------------------------------------------------------------------

/**
 * Runs the soak and returns its report; `report.ok` is false on any mismatch. Starts and stops
 * its own embedded stack (free ports, in memory) and parser process.
 *
 * @example
 * const report = await runSoak({ uploads: 300, kills: 1 });
 * console.log(formatReport(report));
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const timeLimitMs = options.timeLimitMs ?? 290_000;
  const deadline = started + timeLimitMs;
  const left = () => (options.signal?.aborted ? 0 : Math.max(0, deadline - performance.now()));
  // Kept for the check at the end (12 s for 5,000 uploads).
  const reserveMs = Math.min(30_000, timeLimitMs * 0.15);
  const faultRate = options.faultRate ?? 0.05;
  const killsWanted = options.kills ?? 3;
  const plan = buildPlan(
    {
      uploads: options.uploads,
      badRate: options.badRate ?? 0.08,
      largeRate: options.largeRate ?? 0.002,
      outageKeys: options.outageKeys ?? Math.max(1, Math.round(options.uploads / 1000)),
    },
    random,
  );
  const problems: string[] = [];
  const phases = { startMs: 0, uploadMs: 0, drainMs: 0, redriveMs: 0, verifyMs: 0 };
  const faults = new Map<string, FaultCount>();
  const outage = { injected: 0, surfaced: 0 };
  const writes = { written: 0, duplicate: 0, stale: 0 };
  const deliveries = { invocations: 0, records: 0, redelivered: 0, failedRecords: 0 };
  let kills = 0;
  let killedInvocations = 0;
  let killedRecords = 0;
  let writesSeen = 0;
  let killArmed = false;
  const opsTotal = plan.summary.uploads + plan.summary.deletes;
  // Kill number i once the parser has made this many writes: spread over the run.
  const killAt = Array.from({ length: killsWanted }, (_, i) => Math.floor((opsTotal * 0.8 * (i + 1)) / (killsWanted + 1)));
  log(
    `plan: ${plan.summary.keys} keys, ${plan.summary.uploads} uploads (${plan.summary.badUploads} bad, ${plan.summary.largeUploads} large), ${plan.summary.deletes} deletes; ` +
      `faults ${(faultRate * 100).toFixed(1)}% of SDK calls, duplicates ${((options.duplicateRate ?? 0.1) * 100).toFixed(0)}%, ${killsWanted} kills, ${plan.outageKeys.length} outage keys`,
  );

  let parser: ParserProcess | undefined;
  let stack: LocalStack | undefined;
  let s3: S3Client | undefined;
  let dynamo: ReturnType<typeof localDynamoClient> | undefined;

  const onReply = (reply: ParserReply): void => {
    if (reply.type === 'fault') {
      if (reply.outage) {
        if (reply.surfaced) outage.surfaced++;
        else outage.injected++;
        return;
      }
      const name = `${reply.service} ${reply.kind}`;
      const count = faults.get(name) ?? { service: reply.service, kind: reply.kind, injected: 0, surfaced: 0 };
      if (reply.surfaced) count.surfaced++;
      else count.injected++;
      faults.set(name, count);
    } else if (reply.type === 'write') {
      writes[reply.outcome]++;
      writesSeen++;
      if (kills < killsWanted && writesSeen >= killAt[kills]!) killArmed = true;
      // Mid-batch: this invocation has written something and still has records to go.
      const invocation = reply.id === null ? undefined : parser?.inFlight.get(reply.id);
      if (killArmed && parser && invocation && invocation.writes < invocation.records) {
        const inFlight = [...parser.inFlight.values()];
        if (parser.kill()) {
          killArmed = false;
          kills++;
          killedInvocations += inFlight.length;
          killedRecords += inFlight.reduce((sum, i) => sum + i.records, 0);
          log(`  killed the parser process mid-batch (${kills}/${killsWanted}) at ${(elapsed() / 1000).toFixed(1)} s, ${inFlight.length} invocations in flight`);
        }
      }
    }
  };

  try {
    stack = await startLocalStack({
      dataDir: null,
      ...FREE_PORTS,
      visibilityTimeoutMs: options.visibilityTimeoutMs ?? 1_500,
      maxReceiveCount: options.maxReceiveCount ?? 10,
      batchSize: options.batchSize ?? 10,
      maxBatchingWindowMs: options.maxBatchingWindowMs ?? 50,
      concurrency: options.concurrency ?? 16,
      logLevel: 'ERROR',
      shuffleDelivery: true,
      duplicateNotificationRate: options.duplicateRate ?? 0.1,
      random,
      // The parser runs in its own process, started below once the stack's endpoints are known.
      wrapHandler: () => async (event) => {
        if (!parser) throw new Error('The parser process is not running.');
        deliveries.invocations++;
        deliveries.records += event.Records.length;
        for (const record of event.Records) if (Number(record.attributes.ApproximateReceiveCount) > 1) deliveries.redelivered++;
        const response = await parser.handler(event);
        deliveries.failedRecords += response.batchItemFailures.length;
        return response;
      },
    });
    parser = await startParserProcess({
      config: {
        s3Endpoint: stack.s3Endpoint,
        dynamodbEndpoint: stack.dynamodbEndpoint,
        bucket: stack.bucket,
        bodiesBucket: stack.bodiesBucket,
        tableName: stack.tableName,
        maxDocumentBytes: MAX_DOCUMENT_BYTES,
        inlineBodyLimitBytes: 350_000,
        faults: { rate: faultRate, seed, outageKeys: plan.outageKeys },
      },
      invokeTimeoutMs: 60_000,
      onReply,
    });
    s3 = localS3Client(stack.s3Endpoint);
    dynamo = localDynamoClient(stack.dynamodbEndpoint);
    phases.startMs = elapsed();
    log(`stack and parser process up in ${(phases.startMs / 1000).toFixed(1)} s`);

    // Upload, re-upload and delete, each key's operations in order, keys interleaved.
    const uploadStart = performance.now();
    const bucket = stack.bucket;
    const client = s3;
    const limit = pLimit(options.uploadConcurrency ?? 16);
    const tails = new Map<number, Promise<void>>();
    let done = 0;
    let failedOps = 0;
    const all: Promise<void>[] = [];
    for (const [keyIndex, opIndex] of plan.schedule) {
      const keyPlan = plan.keys[keyIndex]!;
      const op = keyPlan.ops[opIndex]!;
      const run = async (): Promise<void> => {
        if (left() === 0) throw new Error('out of time');
        if (op.kind === 'put') {
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: keyPlan.key, Body: op.body, ...(op.contentType ? { ContentType: op.contentType } : {}) }));
        } else {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyPlan.key }));
        }
        done++;
        if (done % 1000 === 0) log(`  ${done}/${opsTotal} S3 operations at ${(elapsed() / 1000).toFixed(1)} s`);
      };
      const tail = (tails.get(keyIndex) ?? Promise.resolve()).then(() => limit(run)).catch(() => {
        failedOps++;
      });
      tails.set(keyIndex, tail);
      all.push(tail);
    }
    await Promise.all(all);
    if (failedOps > 0) problems.push(`${failedOps} S3 operations of the workload failed`);
    // Every operation notifies once; wait until the bridge has queued them all.
    for (let waited = 0; stack.notifications.sent < done && waited < 30_000 && left() > 0; waited += 20) await sleep(20);
    if (stack.notifications.sent < done) problems.push(`only ${stack.notifications.sent} of ${done} S3 changes were notified`);
    phases.uploadMs = performance.now() - uploadStart;
    log(`uploads done in ${(phases.uploadMs / 1000).toFixed(1)} s; waiting for the queue to drain`);

    // Drain; a kill still owed happens now, at the next mid-batch write.
    const drainStart = performance.now();
    if (kills < killsWanted) killArmed = true;
    const drained = await waitDrained(stack, () => left() - reserveMs);
    phases.drainMs = performance.now() - drainStart;
    if (!drained) problems.push(`the queue did not drain in time (${JSON.stringify(stack.queue.depth())})`);
    log(`drained in ${(phases.drainMs / 1000).toFixed(1)} s: ${JSON.stringify(stack.queue.depth())}`);
    killArmed = false;

    // The outage is over: redrive the dead-letter queue as `ingest redrive` does, until empty.
    const redriveStart = performance.now();
    parser.heal();
    const outageSet = new Set(plan.outageKeys);
    const dead = stack.queue.deadLetters();
    const deadLettered = dead.length;
    const deadLetteredOutage = dead.filter((message) => outageSet.has(keyOfMessage(message.body))).length;
    let redriven = 0;
    let redriveRounds = 0;
    while (stack.queue.depth().dead > 0 && redriveRounds < 5 && left() > reserveMs) {
      redriveRounds++;
      const response = await fetch(`${stack.controlUrl}/queues/dead-letter/redrive`, { method: 'POST' });
      const { moved } = (await response.json()) as { moved: number };
      redriven += moved;
      log(`  redrive ${redriveRounds}: ${moved} messages back on the queue`);
      if (!(await waitDrained(stack, () => left() - reserveMs))) {
        problems.push('the queue did not drain in time after the redrive');
        break;
      }
    }
    const deadAfterRedrive = stack.queue.depth().dead;
    if (deadAfterRedrive > 0) problems.push(`${deadAfterRedrive} messages are still dead-lettered after the redrive`);
    phases.redriveMs = performance.now() - redriveStart;

    // Stop the runner before checking: nothing may change the table while it is read.
    await stack.runner.stop();

    const verifyStart = performance.now();
    const verified = await verify(stack, client, dynamo, plan, problems);
    phases.verifyMs = performance.now() - verifyStart;
    if (killsWanted > 0 && kills === 0) problems.push('the parser process was never killed');
    if (kills < killsWanted) log(`note: ${kills} of ${killsWanted} kills happened`);

    const report: SoakReport = {
      ok: false,
      problems,
      elapsedMs: 0,
      phases,
      plan: plan.summary,
      ...verified,
      notifications: { sent: stack.notifications.sent, duplicated: stack.notifications.duplicated },
      deliveries,
      writes,
      faults: [...faults.values()].sort((a, b) => `${a.service} ${a.kind}`.localeCompare(`${b.service} ${b.kind}`)),
      outage,
      kills,
      killedInvocations,
      killedRecords,
      parserProcesses: parser.generation,
      deadLettered,
      deadLetteredOutage,
      redriven,
      redriveRounds,
      deadAfterRedrive,
    };
    report.elapsedMs = elapsed();
    if (report.elapsedMs > timeLimitMs) problems.push(`the soak took ${(report.elapsedMs / 1000).toFixed(1)} s, more than ${timeLimitMs / 1000} s`);
    report.ok = problems.length === 0;
    return report;
  } finally {
    s3?.destroy();
    dynamo?.destroy();
    // The stack first (its runner waits for the batches in flight, which need the parser).
    await stack?.stop().catch((error: unknown) => log(`stopping the stack failed: ${String(error)}`));
    await parser?.stop();
  }
}

/** Waits until nothing is queued or in flight (dead letters aside); false when out of time. */
async function waitDrained(stack: LocalStack, timeLeft: () => number): Promise<boolean> {
  // In slices, so that an abort (timeLeft() = 0) ends the wait within a second.
  while (timeLeft() > 0) {
    try {
      await stack.drained(Math.min(1_000, timeLeft()));
      return true;
    } catch {
      // not yet
    }
  }
  return false;
}

/** The decoded object key of a queued S3 notification, or '' when it has none. */
function keyOfMessage(body: string): string {
  try {
    const key = (JSON.parse(body) as { Records?: Array<{ s3?: { object?: { key?: string } } }> }).Records?.[0]?.s3?.object?.key;
    return key === undefined ? '' : decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return '';
  }
}

type Expected = { state: 'document'; contentHash: string; body: string } | { state: 'failed'; code: string };

/** What the parser must have made of these bytes: the same call it makes. */
function expectedFor(key: string, bytes: Uint8Array, contentType: string | undefined): Expected {
  try {
    const document = normalizeDocument(bytes, { key, maxBytes: MAX_DOCUMENT_BYTES, ...(contentType !== undefined ? { contentType } : {}) });
    return { state: 'document', contentHash: document.contentHash, body: document.body };
  } catch (error) {
    if (error instanceof DocumentError) return { state: 'failed', code: error.code };
    throw error;
  }
}

type Verified = Pick<
  SoakReport,
  'liveObjects' | 'documents' | 'failures' | 'tombstones' | 'missing' | 'extra' | 'stale' | 'bucketMismatch' | 'indexMissing' | 'indexOrphans' | 'bodiesMissing' | 'bodyOrphans'
>;

/**
 * Compares the table with the bucket. Reads every live object and Scans the table (fine here:
 * this is a check, not a request path).
 */
async function verify(stack: LocalStack, s3: S3Client, dynamoClient: ReturnType<typeof localDynamoClient>, plan: Plan, problems: string[]): Promise<Verified> {
  const examples = new Map<string, string[]>();
  const note = (kind: string, example: string): void => {
    const list = examples.get(kind) ?? [];
    if (list.length < 3) list.push(example);
    examples.set(kind, list);
  };

  // The bucket: every live object with its bytes and content type.
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  const limit = pLimit(16);
  const live = new Map<string, { bytes: Uint8Array; contentType: string | undefined }>();
  await Promise.all(
    keys.map((key) =>
      limit(async () => {
        const object = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
        live.set(key, { bytes: await object.Body!.transformToByteArray(), contentType: object.ContentType });
      }),
    ),
  );

  // The bucket against the plan: the workload did what it meant to.
  let bucketMismatch = 0;
  const planned = new Map<string, Uint8Array>();
  for (const keyPlan of plan.keys) {
    const last = keyPlan.ops.at(-1);
    if (last?.kind === 'put') planned.set(keyPlan.key, last.body);
  }
  for (const [key, body] of planned) {
    const object = live.get(key);
    if (!object || Buffer.compare(Buffer.from(object.bytes), Buffer.from(body)) !== 0) {
      bucketMismatch++;
      note('bucket', key);
    }
  }
  for (const key of live.keys()) {
    if (!planned.has(key)) {
      bucketMismatch++;
      note('bucket', key);
    }
  }

  // The table, all of it.
  const db = DynamoDBDocumentClient.from(dynamoClient);
  const states = new Map<string, Item>();
  const authorEntries = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: stack.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      if (item.sk === DOC_SK) states.set(String(item.id), item);
      else if (String(item.pk).startsWith('AUTHOR#')) authorEntries.add(`${String(item.pk)}\u0000${String(item.sk)}\u0000${String(item.id)}`);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);

  let documents = 0;
  let failures = 0;
  let missing = 0;
  let stale = 0;
  let bodiesMissing = 0;
  const liveIds = new Set<string>();
  const wantedEntries = new Set<string>();
  const referencedBodies = new Set<string>();
  for (const [key, object] of live) {
    const id = documentIdForKey(key);
    liveIds.add(id);
    const expected = expectedFor(key, object.bytes, object.contentType);
    const item = states.get(id);
    if (!item || item.state === 'deleted') {
      missing++;
      note('missing', `${key} (${item ? 'tombstone' : 'no item'}; expected ${expected.state})`);
      continue;
    }
    if (item.sourceKey !== key) {
      stale++;
      note('stale', `${key}: item says sourceKey ${String(item.sourceKey)}`);
      continue;
    }
    if (expected.state === 'failed') {
      if (item.state === 'failed' && item.code === expected.code) failures++;
      else {
        stale++;
        note('stale', `${key}: expected failure ${expected.code}, found ${String(item.state)} ${String(item.code ?? item.contentHash)}`);
      }
      continue;
    }
    if (item.state !== 'document' || item.contentHash !== expected.contentHash) {
      stale++;
      note('stale', `${key}: expected document ${expected.contentHash.slice(0, 12)}, found ${String(item.state)} ${String(item.contentHash ?? item.code).slice(0, 12)}`);
      continue;
    }
    // The body as readers get it: inline, or from the bodies bucket.
    let body: string | null = typeof item.body === 'string' ? item.body : null;
    if (body === null) {
      const ref = item.bodyRef as { bucket: string; key: string } | undefined;
      if (ref) referencedBodies.add(ref.key);
      const document = await stack.store.getDocument(id).catch(() => null);
      if (!document) {
        bodiesMissing++;
        note('bodies', `${key}: bodyRef ${ref?.key ?? '(none)'}`);
        continue;
      }
      body = document.body;
    }
    if (body !== expected.body) {
      stale++;
      note('stale', `${key}: the body differs`);
      continue;
    }
    documents++;
    for (const entry of authorEntriesOf(item)) wantedEntries.add(`${String(entry.pk)}\u0000${String(entry.sk)}\u0000${String(entry.id)}`);
  }

  let extra = 0;
  let tombstones = 0;
  for (const [id, item] of states) {
    if (item.state === 'deleted') tombstones++;
    else if (!liveIds.has(id)) {
      extra++;
      note('extra', `${String(item.sourceKey)} (${String(item.state)})`);
    }
  }
  let indexMissing = 0;
  for (const entry of wantedEntries) {
    if (!authorEntries.has(entry)) {
      indexMissing++;
      note('index', entry.replaceAll('\u0000', ' '));
    }
  }
  let indexOrphans = 0;
  for (const entry of authorEntries) if (!wantedEntries.has(entry)) indexOrphans++;

  let bodyOrphans = 0;
  token = undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3.send(new ListObjectsV2Command({ Bucket: stack.bodiesBucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key !== undefined && !referencedBodies.has(object.Key)) bodyOrphans++;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);

  const counts = { missing, extra, stale, bucketMismatch, indexMissing, bodiesMissing };
  for (const [name, count] of Object.entries(counts)) if (count > 0) problems.push(`${name}: ${count}`);
  for (const [kind, list] of examples) problems.push(`e.g. ${kind}: ${list.join('; ')}`);
  return { liveObjects: live.size, documents, failures, tombstones, missing, extra, stale, bucketMismatch, indexMissing, indexOrphans, bodiesMissing, bodyOrphans };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The report as aligned lines for a terminal. */
export function formatReport(report: SoakReport): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const p = report.plan;
  const rows: Array<[string, string | number]> = [
    ['result', report.ok ? 'OK: the table matches the bucket' : 'MISMATCH'],
    ['elapsed', `${s(report.elapsedMs)} (start ${s(report.phases.startMs)}, uploads ${s(report.phases.uploadMs)}, drain ${s(report.phases.drainMs)}, redrive ${s(report.phases.redriveMs)}, verify ${s(report.phases.verifyMs)})`],
    ['workload', `${p.uploads} uploads (${p.badUploads} bad, ${p.largeUploads} large) and ${p.deletes} deletes over ${p.keys} keys; ${p.reuploadedKeys} re-uploaded, ${p.deletedKeys} deleted, ${p.recreatedKeys} deleted then re-created`],
    ['live objects', report.liveObjects],
    ['documents', report.documents],
    ['failures', report.failures],
    ['tombstones', report.tombstones],
    ['missing', report.missing],
    ['extra', report.extra],
    ['stale', report.stale],
    ['bucket vs plan mismatches', report.bucketMismatch],
    ['author index: missing / orphan', `${report.indexMissing} / ${report.indexOrphans}`],
    ['large bodies: missing / orphan', `${report.bodiesMissing} / ${report.bodyOrphans}`],
    ['notifications', `${report.notifications.sent} (+${report.notifications.duplicated} duplicates delivered)`],
    ['deliveries', `${report.deliveries.records} records in ${report.deliveries.invocations} invocations; ${report.deliveries.redelivered} redelivered; ${report.deliveries.failedRecords} reported failed`],
    ['store writes', `${report.writes.written} written, ${report.writes.duplicate} duplicate, ${report.writes.stale} stale`],
  ];
  for (const fault of report.faults) rows.push([`fault ${fault.service} ${fault.kind}`, `${fault.injected} injected, ${fault.surfaced} surfaced after SDK retries`]);
  const injected = report.faults.reduce((sum, f) => sum + f.injected, 0);
  const surfaced = report.faults.reduce((sum, f) => sum + f.surfaced, 0);
  rows.push(['faults total', `${injected} injected, ${surfaced} surfaced (${injected - surfaced} absorbed by SDK retries)`]);
  rows.push(['outage (S3 500 on every read)', `${p.outageKeys} keys: ${report.outage.injected} injected, ${report.outage.surfaced} surfaced`]);
  rows.push(['parser kills (SIGKILL mid-batch)', `${report.kills}: ${report.killedInvocations} invocations / ${report.killedRecords} records in flight; ${report.parserProcesses} parser processes`]);
  rows.push(['dead-lettered', `${report.deadLettered} (${report.deadLetteredOutage} of outage keys)`]);
  rows.push(['redriven', `${report.redriven} in ${report.redriveRounds} rounds; ${report.deadAfterRedrive} left`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  if (!report.ok) lines.push('', ...report.problems.map((problem) => `  ! ${problem}`));
  return lines.join('\n');
}
