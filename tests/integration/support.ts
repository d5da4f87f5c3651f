// Builders shared by the integration suites: SQS events carrying S3 notifications shaped as S3
// sends them (keys encoded, explicit sequencers), small documents, and the CLI as a process.
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { NormalizedDocument } from '../../shared/document.ts';
import { s3EventNotification } from '../../shared/s3-event.ts';

let messages = 0;

/** An SQS record with the given body; message ids are unique per process. */
export function sqsRecord(body: string): SQSRecord {
  messages += 1;
  return {
    messageId: `message-${messages}`,
    receiptHandle: `receipt-${messages}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAS3',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:documents-events',
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** The SQS body of an ObjectCreated:Put event for `key` (encoded here, as S3 encodes it). */
export function createdBody(
  bucket: string,
  key: string,
  sequencer: string,
  options: { size?: number; requestId?: string; eventName?: string } = {},
): string {
  return JSON.stringify(
    s3EventNotification({
      bucket,
      key,
      eventName: options.eventName ?? 'ObjectCreated:Put',
      sequencer,
      size: options.size ?? 1,
      ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
    }),
  );
}

/** The SQS body of an ObjectRemoved:Delete event for `key`. */
export function removedBody(
  bucket: string,
  key: string,
  sequencer: string,
  options: { requestId?: string; eventName?: string } = {},
): string {
  return JSON.stringify(
    s3EventNotification({
      bucket,
      key,
      eventName: options.eventName ?? 'ObjectRemoved:Delete',
      sequencer,
      ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
    }),
  );
}

/** A JSON document the normalizer reads, with the metadata a test controls. */
export function jsonDocument(fields: {
  title: string;
  body: string;
  authors?: string[];
  date?: string;
  url?: string;
}): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      title: fields.title,
      ...(fields.authors !== undefined ? { authors: fields.authors } : {}),
      ...(fields.date !== undefined ? { date: fields.date } : {}),
      ...(fields.url !== undefined ? { url: fields.url } : {}),
      body: fields.body,
    }),
  );
}

/** A normalized document built directly, for store tests that do not need the normalizer. */
export function syntheticDocument(fields: Partial<NormalizedDocument> & { id: string }): NormalizedDocument {
  const body = fields.body ?? `Body of ${fields.id}.`;
  return {
    schemaVersion: 1,
    sourceKey: `docs/${fields.id}.json`,
    format: 'json',
    title: `Title ${fields.id}`,
    authors: [],
    publishedAt: null,
    imageCredit: null,
    url: null,
    site: null,
    language: 'en',
    tags: [],
    body,
    excerpt: body.slice(0, 100),
    wordCount: body.split(/\s+/).length,
    readingTimeMinutes: 1,
    contentHash: `hash-${fields.id}`,
    sourceBytes: body.length,
    encoding: 'utf-8',
    ...fields,
  };
}

export { ingest } from '../helpers/cli.ts';
