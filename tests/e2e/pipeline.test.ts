// The end-to-end suite: the same code against every target. It reads the target's endpoints
// from an outputs file (E2E_OUTPUTS: outputs/localstack.json, outputs/aws.json); without one it
// starts the embedded stack in a temporary folder and reads the outputs file that writes.
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/emulators.ts';
import { ingest } from '../helpers/cli.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../local/stack.ts';
import { documentIdForKey, normalizeDocument } from '../../shared/index.ts';
import { readCredentials, readOutputs, type E2eCredentials, type E2eOutputs } from './outputs.ts';

const SEED = 'seeds/000_5f7353310f704cc7.txt';
// A DynamoDB item holds at most 400 KB: a body past that is kept in the bodies bucket.
const ITEM_LIMIT_BYTES = 400 * 1024;
// Deployed targets take seconds to react; the embedded one, milliseconds.
const WAIT_MS = Number(process.env.E2E_WAIT_MS ?? 90_000);

let outputs: E2eOutputs;
let credentials: E2eCredentials;
let embedded: LocalStack | undefined;
let s3: S3Client;
const run = `e2e-${Date.now()}-${randomBytes(3).toString('hex')}`;
const uploaded: string[] = [];

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 3_000)) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${WAIT_MS} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function api(path: string): Promise<{ status: number; body: any }> {
  // apiUrl may carry a stage path (API Gateway: https://.../prod): append, don't resolve.
  const response = await fetch(outputs.apiUrl + path, { headers: credentialHeaders() });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

/** What every API request carries: the key, when the target has one. */
function credentialHeaders(): Record<string, string> {
  return credentials.apiKey === null ? {} : { 'x-api-key': credentials.apiKey };
}

async function upload(name: string, body: string | Uint8Array): Promise<string> {
  const key = `${run}/${name}`;
  await s3.send(new PutObjectCommand({ Bucket: outputs.bucketName, Key: key, Body: body }));
  if (!uploaded.includes(key)) uploaded.push(key);
  return key;
}

/** The document with this id once the API serves it and `ready` holds for it. */
async function documentWhen(id: string, ready: (doc: any) => boolean = () => true): Promise<any> {
  return until(`document ${id}`, async () => {
    const response = await api(`/documents/${id}`);
    return response.status === 200 && ready(response.body) ? response.body : undefined;
  });
}

async function failureFor(key: string): Promise<any> {
  return until(`the failure record of ${key}`, async () => {
    const response = await api('/failures?limit=100');
    return response.body?.items?.find((item: { key: string }) => item.key === key);
  });
}

beforeAll(async () => {
  let path = process.env.E2E_OUTPUTS;
  if (!path) {
    const dataDir = mkdtempSync(join(tmpdir(), 'ingest-e2e-'));
    // The deployed default (apiAuth=apiKey): the embedded stack asks for a key too.
    embedded = await startLocalStack({ dataDir, ...FREE_PORTS, maxBatchingWindowMs: 50, logLevel: 'SILENT', apiKey: randomBytes(24).toString('hex') });
    path = embedded.outputsPath!;
  }
  outputs = readOutputs(path);
  credentials = await readCredentials(path);
  s3 = new S3Client({
    region: outputs.region ?? LOCAL_REGION,
    ...(outputs.s3Endpoint ? { endpoint: outputs.s3Endpoint, forcePathStyle: true } : {}),
    // Emulators take the test credentials (unless the environment has others), and s3rver
    // predates the SDK's default checksums.
    ...(outputs.s3Endpoint && !process.env.AWS_ACCESS_KEY_ID ? { credentials: LOCAL_CREDENTIALS } : {}),
    ...(outputs.s3Endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const } : {}),
  });
});

afterAll(async () => {
  for (const key of uploaded) await s3?.send(new DeleteObjectCommand({ Bucket: outputs.bucketName, Key: key })).catch(() => undefined);
  await embedded?.stop();
});

describe(`pipeline end to end (${process.env.E2E_OUTPUTS ?? 'embedded'})`, () => {
  it('answers its health check', async () => {
    expect(await api('/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('turns an uploaded article into a document readable through the API', async () => {
    const key = await upload('turkey s-400+delay.txt', readFileSync(SEED));
    const id = documentIdForKey(key);
    const doc = await until('the document', async () => {
      const response = await api(`/documents/${id}`);
      return response.status === 200 ? response.body : undefined;
    });
    expect(doc).toMatchObject({
      id,
      sourceKey: key,
      format: 'article',
      title: 'Turkey Says Delivery of Second Russian S-400 Batch Might Be Delayed',
      authors: ['Reuters'],
      publishedAt: '2019-11-04',
      site: 'themoscowtimes.com',
    });
    expect(doc.body).toContain('Demir said Russia had offered to sell Turkey its Su-35 fighter jets.');
    const listed = await api('/documents?site=themoscowtimes.com&limit=100');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(id);
  });

  it('records a bad upload as a failure with a reason', async () => {
    const key = await upload('empty.txt', '');
    const failure = await failureFor(key);
    expect(failure).toMatchObject({ code: 'empty', message: expect.any(String) });
  });

  it.each([
    ['bad/pixel.png', 'unsupported_format'],
    ['bad/invalid-utf8.txt', 'invalid_encoding'],
    ['bad/array.json', 'malformed'],
  ])('lists %s in /failures with the code %s, and serves no document for it', async (seed, code) => {
    const key = await upload(seed, readFileSync(join('seeds', seed)));
    const failure = await failureFor(key);
    expect(failure).toMatchObject({ key, code, message: expect.stringMatching(/\S/) });
    const read = await api(`/documents/${documentIdForKey(key)}`);
    expect(read.status).toBe(404);
  });

  it('removes the document when the object is deleted: its id answers 404', async () => {
    const key = await upload('short-lived.txt', 'Short Lived\nThis note will be deleted.');
    const id = documentIdForKey(key);
    await documentWhen(id);
    await s3.send(new DeleteObjectCommand({ Bucket: outputs.bucketName, Key: key }));
    await until('the delete', async () => ((await api(`/documents/${id}`)).status === 404 ? true : undefined));
    const after = await api(`/documents/${id}`);
    expect(after).toMatchObject({ status: 404, body: { status: 404 } });
  });

  it('serves a body larger than a DynamoDB item whole', async () => {
    const paragraph = 'Every sentence of this long report is kept, none is cut, and the reader gets all of it back. ';
    const paragraphs = Array.from({ length: 600 }, (_, i) => `${i + 1}. ${paragraph.repeat(8).trim()}`);
    const text = `A Very Long Report\n\n${paragraphs.join('\n\n')}\n`;
    const key = await upload('long-report.txt', text);
    const expected = normalizeDocument(new TextEncoder().encode(text), { key });
    expect(Buffer.byteLength(expected.body)).toBeGreaterThan(ITEM_LIMIT_BYTES);
    const doc = await documentWhen(expected.id);
    expect(doc.body.length).toBe(expected.body.length);
    expect(doc.body).toBe(expected.body);
    expect(doc).toMatchObject({ title: 'A Very Long Report', wordCount: expected.wordCount, contentHash: expected.contentHash });
  });

  it('replaces a document when its object is uploaded again with new content', async () => {
    const key = await upload('revised.txt', 'First Draft\nThe committee will meet on Monday.');
    const id = documentIdForKey(key);
    await documentWhen(id, (doc) => doc.title === 'First Draft');
    await upload('revised.txt', 'Final Version\nThe committee met on Tuesday instead.');
    const doc = await documentWhen(id, (doc) => doc.title === 'Final Version');
    expect(doc).toMatchObject({ id, sourceKey: key, body: 'The committee met on Tuesday instead.' });
    expect(JSON.stringify(doc)).not.toContain('Monday');
  });

  // The embedded stack's queue runs in process, with no SQS endpoint to put a dead letter on;
  // tests/integration/cli-ops.test.ts covers its redrive.
  it.skipIf(!process.env.E2E_OUTPUTS)('moves dead letters back to the queue with `ingest redrive`, where the parser takes them (deployed targets only)', async () => {
    const sqs = new SQSClient({
      region: outputs.region ?? LOCAL_REGION,
      ...(outputs.sqsEndpoint ? { endpoint: outputs.sqsEndpoint } : {}),
      ...(outputs.sqsEndpoint && !process.env.AWS_ACCESS_KEY_ID ? { credentials: LOCAL_CREDENTIALS } : {}),
    });
    expect(outputs.queueUrl, 'the outputs file has no QueueUrl').toBeDefined();
    // S3's test event: the parser acknowledges it and writes nothing.
    const body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: outputs.bucketName });
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: outputs.deadLetterQueueUrl, Entries: ['a', 'b', 'c'].map((Id) => ({ Id, MessageBody: body })) }));
    const { code, stdout, stderr } = await ingest('redrive', '--outputs', process.env.E2E_OUTPUTS!, '--timeout', '120');
    expect(code, stderr).toBe(0);
    const moved = Number(stdout.match(/^redrove (\d+) message\(s\)/m)?.[1]);
    expect(moved).toBeGreaterThanOrEqual(3);
    const held = async (url: string): Promise<number> => {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Number(Attributes?.ApproximateNumberOfMessages ?? NaN) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? NaN);
    };
    await until('both queues to be empty', async () => ((await held(outputs.deadLetterQueueUrl)) + (await held(outputs.queueUrl!)) === 0 ? true : undefined));
  });

  it('refuses a read without credentials, where the target enforces them', async (ctx) => {
    if (credentials.auth === 'none') {
      console.log('skipped the refusal check: this target was deployed with apiAuth=none (public by choice).');
      ctx.skip('apiAuth=none');
    }
    const response = await fetch(`${outputs.apiUrl}/documents?limit=1`);
    if (response.ok && credentials.emulated) {
      console.log(`skipped the refusal check: the emulator behind ${outputs.apiUrl} answered ${response.status} to a request without credentials, so it does not enforce apiAuth=${credentials.auth} (AWS and the embedded stack do).`);
      ctx.skip(`the emulator does not enforce apiAuth=${credentials.auth}`);
    }
    // API Gateway answers a missing key with 403, the embedded stack with 401.
    expect([401, 403]).toContain(response.status);
    if (credentials.auth === 'apiKey') {
      const wrong = await fetch(`${outputs.apiUrl}/documents?limit=1`, { headers: { 'x-api-key': `${credentials.apiKey}-not` } });
      expect(wrong.status).toBe(403);
    }
  });

  it('answers an unknown id with 404', async () => {
    expect((await api('/documents/d000000000000000000000000')).status).toBe(404);
  });
});
