// The embedded stack behind `npm start`: local S3 and DynamoDB, the queue with its dead-letter
// queue, the runner that invokes the same parser handler as Lambda, the read API, and a small
// control endpoint for the CLI (redrive, reprocess, queue depth).
import { Logger } from '@aws-lambda-powertools/logger';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createParser, type ParserHandler } from '../functions/parser/parser.ts';
import { createS3BodyStore } from '../shared/bodies.ts';
import { DEFAULT_INLINE_BODY_LIMIT_BYTES } from '../shared/config.ts';
import { MAX_DOCUMENT_BYTES } from '../shared/document.ts';
import { createDynamoStore, type DocumentStore } from '../shared/store/index.ts';
import { serveControl } from './control.ts';
import { startEmulatorProcess } from './emulator-host.ts';
import { ensureTable, LOCAL_REGION, localDynamoClient, localS3Client, temporaryFolder, type LocalServer } from './emulators.ts';
import { notificationBody, sequencerClock } from './events.ts';
import { LocalQueue } from './queue.ts';
import { QueueRunner } from './runner.ts';
import { serveApi } from './api.ts';

/**
 * The deployed event source mapping's settings (infra/constructs/ingestion.ts): batch size,
 * batching window and maxReceiveCount are the same; the visibility timeout is shorter than the
 * deployed 181 s (6 x the parser's 30 s timeout + the window) so local retries come sooner.
 */
export const PIPELINE_DEFAULTS = {
  batchSize: 10,
  maxBatchingWindowMs: 1_000,
  maxReceiveCount: 5,
  visibilityTimeoutMs: 30_000,
} as const;

export interface LocalStackOptions {
  /** Where data is kept across restarts; null keeps everything in memory (tests). @default '.ingest' */
  dataDir?: string | null;
  /** Wipe the data folder first. @default false */
  fresh?: boolean;
  /** @default 'documents' */
  bucket?: string;
  /** @default `${bucket}-bodies` */
  bodiesBucket?: string;
  /** @default 'documents' */
  tableName?: string;
  /** Ports on 127.0.0.1; 0 picks a free one. @default 4568, 4567, 3000, 4570 */
  s3Port?: number;
  dynamodbPort?: number;
  apiPort?: number;
  controlPort?: number;
  /** @default PIPELINE_DEFAULTS */
  batchSize?: number;
  maxBatchingWindowMs?: number;
  maxReceiveCount?: number;
  visibilityTimeoutMs?: number;
  /** Batches the runner works on at once. @default 2 */
  concurrency?: number;
  /** Signs pagination cursors. @default a fixed development key */
  cursorSecret?: string;
  /** Make the read API require this key in `x-api-key`. @default none: the API is open */
  apiKey?: string;
  /** With `apiKey`: whether /docs and /openapi.json answer without it. @default true */
  publicDocs?: boolean;
  /** @default 'WARN' */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /**
   * Wraps (or replaces) the parser handler: fault injection in the tests, the parser in a
   * child process in the soak. The context says where the stack's S3 and DynamoDB are.
   */
  wrapHandler?: (handler: ParserHandler, context: ParserContext) => ParserHandler;
  /** Deliver queued messages in random order, as an SQS standard queue may. @default false */
  shuffleDelivery?: boolean;
  /** Share of S3 notifications put on the queue twice (S3 is at-least-once). @default 0 */
  duplicateNotificationRate?: number;
  /** Randomness for `shuffleDelivery` and `duplicateNotificationRate`, in [0, 1). @default Math.random */
  random?: () => number;
}

/** What a replacement parser needs to build its own clients: {@link LocalStackOptions.wrapHandler}. */
export interface ParserContext {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly bucket: string;
  readonly bodiesBucket: string;
  readonly tableName: string;
  readonly region: string;
  readonly maxDocumentBytes: number;
  readonly inlineBodyLimitBytes: number;
}

/** What the S3-to-queue bridge has sent. */
export interface NotificationCounts {
  /** S3 changes notified (each once, however many copies). */
  readonly sent: number;
  /** Extra copies sent by `duplicateNotificationRate`. */
  readonly duplicated: number;
}

export interface LocalStack {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly apiUrl: string;
  readonly controlUrl: string;
  /** Whether the read API requires `x-api-key`. */
  readonly apiKeyRequired: boolean;
  readonly bucket: string;
  readonly bodiesBucket: string;
  readonly tableName: string;
  readonly region: string;
  /** The outputs file (CDK `--outputs-file` shape), or null in memory. */
  readonly outputsPath: string | null;
  readonly queue: LocalQueue;
  readonly runner: QueueRunner;
  readonly store: DocumentStore;
  /** Live counts of the notifications put on the queue. */
  readonly notifications: NotificationCounts;
  /**
   * Resolves when the S3 events of every upload answered so far are on the queue, and every
   * queued event has been processed (or dead-lettered).
   */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Every port of the stack on a free one: for tests and benchmarks that run beside anything. */
export const FREE_PORTS = { s3Port: 0, dynamodbPort: 0, apiPort: 0, controlPort: 0 } as const;

/** The stack name in the outputs file, beside the deployed `Docflow-<stage>` stacks. */
export const LOCAL_STACK_NAME = 'Docflow-local';

/**
 * Starts the embedded stack.
 *
 * @example
 * const stack = await startLocalStack({ dataDir: null, ...FREE_PORTS });
 * // upload with any S3 client to stack.s3Endpoint, then:
 * await stack.drained();
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = options.dataDir === undefined ? '.ingest' : options.dataDir;
  const bucket = options.bucket ?? 'documents';
  const bodiesBucket = options.bodiesBucket ?? `${bucket}-bodies`;
  const tableName = options.tableName ?? 'documents';
  const region = LOCAL_REGION;
  const logger = new Logger({ serviceName: 'local', logLevel: options.logLevel ?? 'WARN' });
  if (dataDir && options.fresh) await rm(dataDir, { recursive: true, force: true });

  const queue = new LocalQueue({
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? PIPELINE_DEFAULTS.visibilityTimeoutMs,
    maxReceiveCount: options.maxReceiveCount ?? PIPELINE_DEFAULTS.maxReceiveCount,
    ...(dataDir ? { journalPath: join(dataDir, 'queue.jsonl') } : {}),
    ...(options.shuffleDelivery ? { receiveOrder: 'random' as const, ...(options.random ? { random: options.random } : {}) } : {}),
  });
  const notifications = { sent: 0, duplicated: 0 };
  const duplicateRate = options.duplicateNotificationRate ?? 0;
  const random = options.random ?? Math.random;
  const nextSequencer = sequencerClock();
  const servers: LocalServer[] = [];
  let runner: QueueRunner | undefined;
  // In memory, the local S3 still needs a folder: a temporary one, removed on stop.
  const s3Directory = dataDir ? join(dataDir, 's3') : await temporaryFolder('ingest-s3-');
  const removeTemporary = async (): Promise<void> => {
    if (!dataDir) await rm(s3Directory, { recursive: true, force: true });
  };
  try {
    const emulators = await startEmulatorProcess(
      {
        s3Port: options.s3Port ?? 4568,
        s3Directory,
        buckets: [bucket, bodiesBucket],
        dynamodbPort: options.dynamodbPort ?? 4567,
        dynamodbDirectory: dataDir ? join(dataDir, 'dynamodb') : null,
      },
      // Only the documents bucket notifies, as deployed.
      (event) => {
        if (event.bucket !== bucket) return;
        const body = notificationBody(event, nextSequencer(), region);
        queue.send(body);
        notifications.sent++;
        // A second copy of the same notification: same request id and sequencer, as S3's are.
        if (duplicateRate > 0 && random() < duplicateRate) {
          queue.send(body);
          notifications.duplicated++;
        }
      },
    );
    servers.push({ endpoint: '', port: 0, close: () => emulators.stop() });
    const s3Server = { endpoint: emulators.s3Endpoint };
    const dynamoServer = { endpoint: emulators.dynamodbEndpoint };

    const dynamo = localDynamoClient(dynamoServer.endpoint);
    await ensureTable(dynamo, tableName);
    const s3 = localS3Client(s3Server.endpoint);
    const store = createDynamoStore({
      client: dynamo,
      tableName,
      bodies: createS3BodyStore({ s3, bucket: bodiesBucket }),
      inlineBodyLimitBytes: DEFAULT_INLINE_BODY_LIMIT_BYTES,
      logger,
    });
    const parser = createParser({ s3, store, logger, config: { maxDocumentBytes: MAX_DOCUMENT_BYTES } });
    const queueArn = `arn:aws:sqs:${region}:000000000000:${bucket}-events`;
    runner = new QueueRunner({
      queue,
      handler: options.wrapHandler
        ? options.wrapHandler(parser, {
            s3Endpoint: s3Server.endpoint,
            dynamodbEndpoint: dynamoServer.endpoint,
            bucket,
            bodiesBucket,
            tableName,
            region,
            maxDocumentBytes: MAX_DOCUMENT_BYTES,
            inlineBodyLimitBytes: DEFAULT_INLINE_BODY_LIMIT_BYTES,
          })
        : parser,
      batchSize: options.batchSize ?? PIPELINE_DEFAULTS.batchSize,
      maxBatchingWindowMs: options.maxBatchingWindowMs ?? PIPELINE_DEFAULTS.maxBatchingWindowMs,
      concurrency: options.concurrency ?? 2,
      queueArn,
      region,
      onBatch: ({ size, failed, error }) => {
        if (failed > 0) logger.warn('Batch had failures; they will be retried', { size, failed, error: error instanceof Error ? error.message : error });
      },
    });

    const api = await serveApi({
      store,
      port: options.apiPort ?? 3000,
      cursorSecret: options.cursorSecret ?? 'local-development-cursor-secret',
      logger,
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey, publicDocs: options.publicDocs ?? true } : {}),
    });
    servers.push(api);
    const control = await serveControl({ port: options.controlPort ?? 4570, queue, store, s3, bucket, region, apiKey: options.apiKey ?? null });
    servers.push(control);
    runner.start();

    let outputsPath: string | null = null;
    if (dataDir) {
      outputsPath = join(dataDir, 'outputs.json');
      const outputs = {
        [LOCAL_STACK_NAME]: {
          ApiUrl: api.endpoint,
          BucketName: bucket,
          BodiesBucketName: bodiesBucket,
          TableName: tableName,
          QueueUrl: `${control.endpoint}/queues/main`,
          DeadLetterQueueUrl: `${control.endpoint}/queues/dead-letter`,
          Region: region,
          S3Endpoint: s3Server.endpoint,
          DynamoDbEndpoint: dynamoServer.endpoint,
          ControlUrl: control.endpoint,
          // The mode only: the key itself is asked of the control endpoint (ingest api-key).
          ApiAuth: options.apiKey !== undefined ? 'apiKey' : 'none',
        },
      };
      await writeFile(outputsPath, JSON.stringify(outputs, null, 2) + '\n');
    }

    const activeRunner = runner;
    return {
      s3Endpoint: s3Server.endpoint,
      dynamodbEndpoint: dynamoServer.endpoint,
      apiUrl: api.endpoint,
      controlUrl: control.endpoint,
      apiKeyRequired: options.apiKey !== undefined,
      bucket,
      bodiesBucket,
      tableName,
      region,
      outputsPath,
      queue,
      runner: activeRunner,
      store,
      notifications,
      async drained(timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        await emulators.eventsDelivered(timeoutMs);
        await activeRunner.drained(Math.max(0, deadline - Date.now()));
      },
      async stop() {
        await activeRunner.stop();
        for (const server of servers.reverse()) await server.close();
        s3.destroy();
        dynamo.destroy();
        await removeTemporary();
      },
    };
  } catch (error) {
    await runner?.stop();
    for (const server of servers.reverse()) await server.close().catch(() => undefined);
    await removeTemporary();
    throw error;
  }
}

