// Pipeline throughput: `npm run bench:ingest`. Pushes documents through the embedded stack
// (upload -> S3 event -> queue -> parser -> DynamoDB) and prints documents/s from the first
// upload until every document is readable, beside a floor measured in the same run: the same
// S3 GetObject and DynamoDB PutItem calls for every object (the document item and its author
// entries, built before the clock starts), at the same concurrency, with no parsing and no
// queueing. The floor has no uploads: they are part of the pipeline's cost, not the floor's.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { localDynamoClient, localS3Client } from '../local/emulators.ts';
import { FREE_PORTS, startLocalStack } from '../local/stack.ts';
import { documentIdForKey, normalizeDocument } from '../shared/index.ts';
import { authorEntriesOf, documentItem, type Item } from '../shared/store/index.ts';
import { buildCorpus } from './corpus.ts';

const DOCS = Number(process.env.BENCH_DOCS ?? 2000);
const UPLOAD_CONCURRENCY = Number(process.env.BENCH_UPLOAD_CONCURRENCY ?? 32);
const RUNNER_CONCURRENCY = Number(process.env.BENCH_RUNNER_CONCURRENCY ?? 4);
const BATCH_SIZE = 10;

const corpus = buildCorpus(DOCS, `ingest-${Date.now()}/`);
const megabytes = corpus.reduce((sum, item) => sum + item.bytes.length, 0) / 1024 / 1024;
console.log(`node ${process.version}; ${DOCS} documents, ${megabytes.toFixed(2)} MB; runner: ${RUNNER_CONCURRENCY} batches of ${BATCH_SIZE} at once`);

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

// The floor's items: what the parser writes for each object, under other keys.
const floorItems: Item[][] = corpus.map((item, i) => {
  const key = `floor/${i}`;
  const doc = normalizeDocument(item.bytes, { key });
  const event = { bucket: stack.bucket, key, sequencer: '1', eventTime: new Date().toISOString(), eventId: `floor-${i}` };
  const main = documentItem(doc, event, new Date().toISOString());
  return [{ ...main, body: doc.body }, ...authorEntriesOf(main)];
});

try {
  // Pipeline: upload everything, wait until the queue is drained, then check every document reads back.
  const limit = pLimit(UPLOAD_CONCURRENCY);
  const start = performance.now();
  await Promise.all(corpus.map((item) => limit(() => s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: item.key, Body: item.bytes })))));
  const uploadedAt = performance.now();
  await stack.drained(600_000);
  const pipelineMs = performance.now() - start;
  const missing: string[] = [];
  const check = pLimit(16);
  await Promise.all(corpus.map((item) => check(async () => {
    if (!(await stack.store.getDocument(documentIdForKey(item.key)))) missing.push(item.key);
  })));
  if (missing.length > 0) throw new Error(`${missing.length} documents are not readable, e.g. ${missing[0]}`);

  // Floor: GetObject + PutItem per object, as many at once as the runner has records in flight.
  const floorLimit = pLimit(RUNNER_CONCURRENCY * BATCH_SIZE);
  const floorStart = performance.now();
  await Promise.all(corpus.map((item, i) => floorLimit(async () => {
    const object = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: item.key }));
    await object.Body!.transformToByteArray();
    for (const floorItem of floorItems[i]!) await dynamo.send(new PutCommand({ TableName: stack.tableName, Item: floorItem }));
  })));
  const floorMs = performance.now() - floorStart;

  const rate = (ms: number): string => ((DOCS / ms) * 1000).toFixed(0).padStart(6);
  console.log(`  pipeline (upload -> readable)  ${pipelineMs.toFixed(0).padStart(7)} ms  ${rate(pipelineMs)} docs/s   (uploads done after ${(uploadedAt - start).toFixed(0)} ms)`);
  console.log(`  floor (GetObject + PutItems)   ${floorMs.toFixed(0).padStart(7)} ms  ${rate(floorMs)} docs/s`);
  console.log(`  ratio pipeline / floor: ${(pipelineMs / floorMs).toFixed(2)}  (target <= 1.5)`);
  console.log(`  dead letters: ${stack.queue.depth().dead}`);
} finally {
  s3.destroy();
  dynamo.destroy();
  await stack.stop();
}
