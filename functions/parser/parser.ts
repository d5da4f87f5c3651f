import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import type { ParserConfig } from '../../shared/config.ts';
import { DocumentError } from '../../shared/errors.ts';
import { documentIdForKey, normalizeDocument } from '../../shared/index.ts';
import { decodeS3EventKey } from '../../shared/s3-event.ts';
import type { DocumentWriter, ObjectEvent, WriteOutcome } from '../../shared/store/index.ts';

/** What the parser needs; every piece is injected so tests and the embedded stack choose their own. */
export interface ParserDependencies {
  readonly s3: S3Client;
  readonly store: DocumentWriter;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly config: Pick<ParserConfig, 'maxDocumentBytes'>;
}

/** The parser function's handler: SQS batch in, partial batch response out. */
export type ParserHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/**
 * An SQS message that is not an S3 event notification. Retrying cannot fix it, but it is not
 * acknowledged either: the record fails so that, after the queue's retries, it waits in the
 * dead-letter queue where someone can look at it, instead of vanishing.
 */
export class UnreadableMessageError extends Error {
  override readonly name = 'UnreadableMessageError';
}

// Powertools' S3 record schema, relaxed where real events differ from it: S3 reports IPv6
// source addresses (the schema only accepts IPv4), and the parser reads neither the caller's
// identity nor the response elements beyond the request id.
const PowertoolsS3Record = S3Schema.shape.Records.element;
const S3RecordSchema = PowertoolsS3Record.extend({
  userIdentity: PowertoolsS3Record.shape.userIdentity.optional(),
  requestParameters: z.object({ sourceIPAddress: z.string() }).partial().optional(),
  responseElements: z.record(z.string(), z.string()).optional(),
});
type S3Record = z.infer<typeof S3RecordSchema>;

const S3NotificationSchema = z.object({ Records: z.array(S3RecordSchema).min(1) });
// Sent once when a notification configuration is saved.
const S3TestEventSchema = z.looseObject({ Event: z.literal('s3:TestEvent') });

// Removals: a delete, a delete marker (versioned bucket) or a lifecycle expiration.
const REMOVAL_EVENT = /^(ObjectRemoved:|LifecycleExpiration:(Delete|DeleteMarkerCreated)$)/;

/** What happened to one S3 event record. `gone`: created, then deleted before we read it. */
type RecordOutcome = WriteOutcome | 'gone';

/**
 * Builds the parser's handler. Per SQS record: parse the body as an S3 event notification,
 * then for each S3 record decode the key once, and apply it: ObjectCreated reads the object,
 * normalizes it and stores the document (or a failure record when the document is bad);
 * ObjectRemoved stores a tombstone. Errors other than bad documents fail only their record.
 *
 * @example
 * const handler = createParser({ s3, store, logger, config: { maxDocumentBytes: 8 << 20 } });
 * const { batchItemFailures } = await handler(sqsEvent);
 */
export function createParser(deps: ParserDependencies): ParserHandler {
  const { s3, store, logger, config } = deps;

  async function handleRecord(record: SQSRecord): Promise<void> {
    try {
      const records = parseMessage(record.body);
      if (records === 'test') {
        logger.info('Acknowledged an s3:TestEvent', { messageId: record.messageId });
        return;
      }
      for (const s3Record of records) await applyS3Record(s3Record);
    } catch (error) {
      logger.error('Message failed; it will be retried and then dead-lettered', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: error instanceof Error ? error : String(error),
      });
      throw error;
    }
  }

  async function applyS3Record(record: S3Record): Promise<void> {
    const eventName = record.eventName;
    const bucket = record.s3.bucket.name;
    let key: string;
    try {
      key = decodeS3EventKey(record.s3.object.key);
    } catch {
      throw new UnreadableMessageError(`The object key "${record.s3.object.key}" is not validly URL-encoded.`);
    }
    const created = eventName.startsWith('ObjectCreated:');
    if (!created && !REMOVAL_EVENT.test(eventName)) {
      logger.info('Ignored an S3 event that neither creates nor removes an object', { eventName, bucket, key });
      return;
    }
    const sequencer = record.s3.object.sequencer;
    if (sequencer === undefined || !/^[0-9A-Fa-f]{1,32}$/.test(sequencer)) {
      throw new UnreadableMessageError(`The ${eventName} event for "${key}" has no usable sequencer ("${sequencer}").`);
    }
    const event: ObjectEvent = {
      bucket,
      key,
      sequencer,
      eventTime: record.eventTime,
      eventId: [record.responseElements?.['x-amz-request-id'] ?? '', eventName, record.eventTime].join('|'),
    };
    const id = documentIdForKey(key);
    const outcome: RecordOutcome = created
      ? await ingest(id, event, record.s3.object.size)
      : await store.deleteDocument(id, event);
    logger.info('Applied an S3 event', { eventName, bucket, key, id, sequencer, outcome });
  }

  async function ingest(id: string, event: ObjectEvent, announcedSize: number | undefined): Promise<RecordOutcome> {
    try {
      if (announcedSize !== undefined && announcedSize > config.maxDocumentBytes) {
        throw tooLarge(announcedSize, config.maxDocumentBytes);
      }
      const object = await readObject(s3, event.bucket, event.key, config.maxDocumentBytes);
      // Deleted since it was created: the delete's own (newer) event decides the outcome.
      if (object === 'gone') return 'gone';
      const document = normalizeDocument(object.bytes, {
        key: event.key,
        maxBytes: config.maxDocumentBytes,
        ...(object.contentType !== undefined ? { contentType: object.contentType } : {}),
      });
      if (document.id !== id) {
        throw new Error(`normalizeDocument gave id ${document.id} for key "${event.key}", expected ${id}.`);
      }
      return await store.putDocument(document, event);
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      logger.warn('Rejected a document', { key: event.key, id, code: error.code, reason: error.message });
      return store.putFailure({ id, code: error.code, message: error.message }, event);
    }
  }

  return async (event, context) =>
    // One processor per invocation: it keeps per-batch state, and the embedded stack may run
    // several batches at once through the same handler.
    processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      ...(context !== undefined ? { context } : {}),
      // A batch where every record failed is still a partial response (all of them), not a
      // thrown error: SQS retries the same records either way, and callers get one shape.
      throwOnFullBatchFailure: false,
    });
}

/** Parses an SQS body: the S3 records it carries, or 'test' for an s3:TestEvent. */
function parseMessage(body: string): S3Record[] | 'test' {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new UnreadableMessageError(`The message body is not JSON: ${preview(body)}`);
  }
  if (S3TestEventSchema.safeParse(json).success) return 'test';
  const parsed = S3NotificationSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` (${issue.path.join('.') || 'body'}: ${issue.message})`;
    throw new UnreadableMessageError(`The message body is not an S3 event notification${where}: ${preview(body)}`);
  }
  return parsed.data.Records;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

/** `bytes` is the object's size when known, null when only "more than the limit" is. */
function tooLarge(bytes: number | null, limit: number): DocumentError {
  const size = bytes === null ? 'larger than' : `${bytes} bytes, more than`;
  return new DocumentError('too_large', `The object is ${size} the ${limit}-byte limit for a document.`);
}

/**
 * The object's bytes, or 'gone' when it no longer exists. Never downloads more than `limit`
 * bytes: a larger object throws a `too_large` DocumentError as soon as that is known.
 */
async function readObject(
  s3: S3Client,
  bucket: string,
  key: string,
  limit: number,
): Promise<{ bytes: Uint8Array; contentType: string | undefined } | 'gone'> {
  let response;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (error instanceof NoSuchKey || httpStatus(error) === 404) return 'gone';
    throw error;
  }
  const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  if (response.ContentLength !== undefined && response.ContentLength > limit) {
    body?.destroy?.();
    throw tooLarge(response.ContentLength, limit);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (body !== undefined) {
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > limit) {
        body.destroy?.();
        throw tooLarge(null, limit);
      }
      chunks.push(chunk);
    }
  }
  return { bytes: Buffer.concat(chunks, total), contentType: response.ContentType };
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
