// Hostile inputs through the FULL pipeline of the embedded stack: upload to its S3 (s3rver) ->
// notification -> local SQS queue -> the parser handler (as on Lambda) -> DynamoDB (dynalite) ->
// the read API over HTTP. Every input of tests/fixtures/hostile.ts must end as a document or as
// a failure record with its exact code, with no crash, no retry and nothing dead-lettered; what
// the API serves from HTML and script inputs must carry no markup from the source, as JSON with
// nosniff and a CSP that runs nothing.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse } from 'aws-lambda';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParserHandler } from '../../functions/parser/parser.ts';
import { localS3Client } from '../../local/emulators.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../local/stack.ts';
import { documentIdForKey, type NormalizedDocument } from '../../shared/index.ts';
import { expectsDocument, FORBIDDEN_MARKUP, hostileCorpus, type HostileInput } from '../fixtures/hostile.ts';

const CORPUS = hostileCorpus();
// Short enough that a retried message would come back (and show up here) within the test, long
// enough that no batch outlives it (the slowest took 18 s on a 2-core machine shared with other
// test runs); a message still being worked on when it expires would be delivered twice.
const VISIBILITY_TIMEOUT_MS = 45_000;

interface FailureItem {
  id: string;
  key: string;
  code: string;
  message: string;
  failedAt: string;
}

let stack: LocalStack;
let s3: S3Client;
// What the runner delivered: receive count per message, failed records, thrown batches.
const receives = new Map<string, number>();
const reportedFailures: string[] = [];
const thrown: unknown[] = [];
let slowestBatchMs = 0;
let uploadMs = 0;
let pipelineMs = 0;
let failures: FailureItem[] = [];

const watch = (handler: ParserHandler): ParserHandler => async (event, context) => {
  for (const record of event.Records) {
    const count = Number(record.attributes.ApproximateReceiveCount);
    receives.set(record.messageId, Math.max(count, receives.get(record.messageId) ?? 0));
  }
  let response: SQSBatchResponse;
  const started = Date.now();
  try {
    response = await handler(event, context);
  } catch (error) {
    thrown.push(error);
    throw error;
  } finally {
    slowestBatchMs = Math.max(slowestBatchMs, Date.now() - started);
  }
  reportedFailures.push(...response.batchItemFailures.map((failure) => failure.itemIdentifier));
  return response;
};

async function api(path: string): Promise<{ response: Response; text: string }> {
  const response = await fetch(stack.apiUrl + path);
  return { response, text: await response.text() };
}

beforeAll(async () => {
  stack = await startLocalStack({
    dataDir: null,
    ...FREE_PORTS,
    visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS,
    maxBatchingWindowMs: 20,
    logLevel: 'SILENT',
    wrapHandler: watch,
  });
  s3 = localS3Client(stack.s3Endpoint);
  const started = Date.now();
  // Bounded concurrency; each body is built just before its upload, so at most a few are in memory.
  const limit = pLimit(4);
  await Promise.all(
    CORPUS.map((input) =>
      limit(() =>
        s3.send(
          new PutObjectCommand({
            Bucket: stack.bucket,
            Key: input.key,
            Body: input.bytes(),
            ...(input.contentType ? { ContentType: input.contentType } : {}),
          }),
        ),
      ),
    ),
  );
  uploadMs = Date.now() - started;
  await stack.drained(100_000);
  pipelineMs = Date.now() - started;
  // Every failure, through the API, following nextCursor.
  let cursor: string | null = null;
  do {
    const { response, text } = await api(`/failures?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(response.status).toBe(200);
    const page = JSON.parse(text) as { items: FailureItem[]; nextCursor: string | null };
    failures.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

describe('hostile inputs through the whole pipeline', () => {
  it(`has at least 40 inputs with distinct keys (${CORPUS.length})`, () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CORPUS.map((input) => input.key)).size).toBe(CORPUS.length);
  });

  it('crashes nothing, retries nothing, dead-letters nothing', () => {
    console.info(`hostile: ${CORPUS.length} inputs uploaded in ${uploadMs} ms, all processed in ${pipelineMs} ms; slowest batch ${slowestBatchMs} ms`);
    expect(thrown).toEqual([]);
    expect(reportedFailures).toEqual([]);
    expect(stack.queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
    expect(stack.queue.deadLetters()).toEqual([]);
    // One notification per upload, each received exactly once: no message needed a retry.
    expect(receives.size).toBe(CORPUS.length);
    expect(Math.max(...receives.values())).toBe(1);
  });

  it('records exactly one failure per failing input, and none for the others', () => {
    const expected = CORPUS.filter((input) => !expectsDocument(input.expect)).map((input) => input.key).sort();
    expect(failures.map((failure) => failure.key).sort()).toEqual(expected);
  });

  it.each(CORPUS.map((input) => [input.name, input] as const))('%s', async (_name, input: HostileInput) => {
    const id = documentIdForKey(input.key);
    const { response, text } = await api(`/documents/${id}`);
    const expectation = input.expect;
    if (!expectsDocument(expectation)) {
      expect(response.status, text).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const failure = failures.find((item) => item.key === input.key);
      expect(failure, `no failure record for ${input.key}`).toBeDefined();
      expect(failure).toMatchObject({ id, key: input.key, code: expectation.code });
      expect(failure!.message).toMatch(/^[A-Z].*\.$/);
      if (expectation.message) expect(failure!.message).toMatch(expectation.message);
      return;
    }
    expect(response.status, text.slice(0, 500)).toBe(200);
    // Served as data, never as a page: JSON, no sniffing, a CSP under which nothing runs or frames it.
    expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const document = JSON.parse(text) as NormalizedDocument;
    expect(document).toMatchObject({ id, sourceKey: input.key, ...expectation.document });
    expectation.check?.(document);
    if (expectation.noMarkup) {
      // Anywhere in what is served: body, title, excerpt, tags.
      for (const pattern of FORBIDDEN_MARKUP) expect(text, `${pattern} in ${text.slice(0, 300)}`).not.toMatch(pattern);
    }
  });

  it('rejects the 50 MB upload by its announced size, without reading it', () => {
    const failure = failures.find((item) => item.key === 'hostile/size/fifty-megabytes.txt');
    // The parser's own guard ("N bytes, more than ..."), not the normalizer's after a download ("50.0 MB, over ...").
    expect(failure?.message).toBe('The object is 52428800 bytes, more than the 8388608-byte limit for a document.');
  });
});
