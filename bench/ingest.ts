// Pipeline throughput: `npm run bench:ingest`. Pushes documents through the embedded stack
// (upload -> S3 event -> queue -> parser -> DynamoDB) and prints documents/s from the first
// upload until every document is readable, beside a floor measured in the same run: the same
// S3 GetObject and DynamoDB PutItem calls for every object (the document item and its author
// entries, built before the clock starts), at the same concurrency, with no parsing and no
// queueing. The floor has no uploads: they are part of the pipeline's cost, not the floor's.
//
// The stack runs in memory, as in the tests. Each round pushes a fresh set of documents and
// then measures the floor on them, so that both see the same table and bucket sizes; the
// rounds' ratios are paired, and their median is the figure to quote. An unmeasured warm-up
// round (BENCH_WARMUP_DOCS, as many documents as a round by default) comes first. Uploads are signed PUTs
// from a lean client (bench/signed-put.ts) so the load generator takes little of the CPU the
// pipeline runs on; BENCH_UPLOADER=sdk uploads through the AWS SDK's S3 client instead.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { localDynamoClient, localS3Client } from '../local/emulators.ts';
import { FREE_PORTS, startLocalStack } from '../local/stack.ts';
import { documentIdForKey, normalizeDocument } from '../shared/index.ts';
import { authorEntriesOf, documentItem, type Item } from '../shared/store/index.ts';
import { buildCorpus, median, type CorpusItem } from './corpus.ts';
import { signedPut } from './signed-put.ts';

const DOCS = Number(process.env.BENCH_DOCS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_DOCS = Number(process.env.BENCH_WARMUP_DOCS ?? DOCS);
const UPLOAD_CONCURRENCY = Number(process.env.BENCH_UPLOAD_CONCURRENCY ?? 32);
const RUNNER_CONCURRENCY = Number(process.env.BENCH_RUNNER_CONCURRENCY ?? 4);
const UPLOADER = process.env.BENCH_UPLOADER === 'sdk' ? 'sdk' : 'signed';
const BATCH_SIZE = 10;

const stack = await startLocalStack({
  dataDir: null,
  ...FREE_PORTS,
  batchSize: BATCH_SIZE,
  maxBatchingWindowMs: 50,
  concurrency: RUNNER_CONCURRENCY,
  logLevel: 'ERROR',
});
const s3 = localS3Client(stack.s3Endpoint);
const dynamo = DynamoDBDocumentClient.from(localDynamoClient(stack.dynamodbEndpoint), { marshallOptions: { removeUndefinedValues: true } });
const uploader = signedPut(stack.s3Endpoint);
const upload = (item: CorpusItem): Promise<unknown> =>
  UPLOADER === 'sdk'
    ? s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: item.key, Body: item.bytes }))
    : uploader.put(stack.bucket, item.key, item.bytes);

/** Upload everything, wait until the queue is drained, then check every document reads back. */
async function pipeline(corpus: readonly CorpusItem[]): Promise<{ ms: number; uploadMs: number }> {
  const limit = pLimit(UPLOAD_CONCURRENCY);
  const start = performance.now();
  await Promise.all(corpus.map((item) => limit(() => upload(item))));
  const uploadMs = performance.now() - start;
  await stack.drained(600_000);
  const ms = performance.now() - start;
  const missing: string[] = [];
  const check = pLimit(16);
  await Promise.all(corpus.map((item) => check(async () => {
    if (!(await stack.store.getDocument(documentIdForKey(item.key)))) missing.push(item.key);
  })));
  if (missing.length > 0) throw new Error(`${missing.length} documents are not readable, e.g. ${missing[0]}`);
  return { ms, uploadMs };
}

/** GetObject + PutItems per object, as many at once as the runner has records in flight. */
async function floor(corpus: readonly CorpusItem[], round: number): Promise<number> {
  // What the parser writes for each object, under other keys, built before the clock starts.
  const items: Item[][] = corpus.map((item, i) => {
    const key = `floor-${round}/${i}`;
    const doc = normalizeDocument(item.bytes, { key });
    const event = { bucket: stack.bucket, key, sequencer: '1', eventTime: new Date().toISOString(), eventId: `floor-${round}-${i}` };
    const main = documentItem(doc, event, new Date().toISOString());
    return [{ ...main, body: doc.body }, ...authorEntriesOf(main)];
  });
  const limit = pLimit(RUNNER_CONCURRENCY * BATCH_SIZE);
  const start = performance.now();
  await Promise.all(corpus.map((item, i) => limit(async () => {
    const object = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: item.key }));
    await object.Body!.transformToByteArray();
    for (const floorItem of items[i]!) await dynamo.send(new PutCommand({ TableName: stack.tableName, Item: floorItem }));
  })));
  return performance.now() - start;
}

const rate = (ms: number): string => ((DOCS / ms) * 1000).toFixed(0).padStart(5);
try {
  const stamp = Date.now();
  const corpora = Array.from({ length: ROUNDS }, (_, i) => buildCorpus(DOCS, `ingest-${stamp}-${i + 1}/`));
  const megabytes = corpora[0]!.reduce((sum, item) => sum + item.bytes.length, 0) / 1024 / 1024;
  console.log(`node ${process.version}; ${ROUNDS} rounds of ${DOCS} documents (${megabytes.toFixed(2)} MB); runner: ${RUNNER_CONCURRENCY} batches of ${BATCH_SIZE} at once; uploader: ${UPLOADER}, ${UPLOAD_CONCURRENCY} at once`);
  // A first, unmeasured round: compiles the hot code and opens the connections, for both.
  const warmup = buildCorpus(WARMUP_DOCS, `warmup-${stamp}/`);
  await pipeline(warmup);
  await floor(warmup, 0);
  const pipelines: number[] = [];
  const floors: number[] = [];
  const ratios: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const corpus = corpora[round - 1]!;
    const run = await pipeline(corpus);
    const floorMs = await floor(corpus, round);
    pipelines.push(run.ms);
    floors.push(floorMs);
    ratios.push(run.ms / floorMs);
    console.log(
      `  round ${round}: pipeline ${run.ms.toFixed(0).padStart(6)} ms ${rate(run.ms)} docs/s (uploads done after ${run.uploadMs.toFixed(0)} ms); ` +
        `floor ${floorMs.toFixed(0).padStart(6)} ms ${rate(floorMs)} docs/s; ratio ${(run.ms / floorMs).toFixed(2)}`,
    );
  }
  console.log(`  pipeline (upload -> readable), median  ${rate(median(pipelines))} docs/s`);
  console.log(`  floor (GetObject + PutItems), median   ${rate(median(floors))} docs/s`);
  console.log(`  ratio pipeline / floor, median of rounds: ${median(ratios).toFixed(2)}  (target <= 1.5)`);
  console.log(`  dead letters: ${stack.queue.depth().dead}`);
} finally {
  uploader.close();
  s3.destroy();
  dynamo.destroy();
  await stack.stop();
}
