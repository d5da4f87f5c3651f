// The local stand-in for Lambda's SQS event source mapping: receives batches from the local
// queue, invokes the parser handler, deletes what succeeded and leaves the reported failures
// (or the whole batch, when the handler throws) to come back after the visibility timeout.
import { createHash } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalQueue, QueuedMessage } from './queue.ts';

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface QueueRunnerOptions {
  queue: LocalQueue;
  handler: BatchHandler;
  /** Messages per invocation, as the event source mapping's BatchSize. */
  batchSize: number;
  /** How long to gather a batch that is not yet full, as MaximumBatchingWindowInSeconds. */
  maxBatchingWindowMs: number;
  /** Batches in flight at once (Lambda scales pollers; one process is enough locally). */
  concurrency: number;
  queueArn: string;
  region: string;
  /** Told about every batch; for logs and the benchmark. */
  onBatch?: (result: { size: number; failed: number; error?: unknown }) => void;
}

const IDLE_POLL_MS = 250;

function sqsRecord(message: QueuedMessage, options: QueueRunnerOptions): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'LOCAL',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

/**
 * Polls the queue with `concurrency` workers until stopped.
 *
 * @example
 * const runner = new QueueRunner({ queue, handler, batchSize: 10, maxBatchingWindowMs: 200, concurrency: 2, queueArn, region });
 * runner.start();
 * await runner.drained();
 * await runner.stop();
 */
export class QueueRunner {
  private running = false;
  private readonly workers: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  private inFlight = 0;

  constructor(private readonly options: QueueRunnerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.queue.onMessage(() => this.wakeAll());
    for (let i = 0; i < this.options.concurrency; i++) this.workers.push(this.work());
  }

  /** Stops polling and waits for the batches in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wakeAll();
    await Promise.all(this.workers.splice(0));
  }

  /**
   * Resolves once nothing is waiting or in flight, and nothing is waiting to be retried
   * (dead letters aside). For tests and the benchmark.
   */
  async drained(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const depth = this.options.queue.depth();
      if (depth.visible === 0 && depth.inFlight === 0 && this.inFlight === 0) return;
      if (Date.now() > deadline) throw new Error(`The local queue did not drain in ${timeoutMs} ms (${JSON.stringify(depth)}).`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /** Waits `ms`, or less when a message arrives or the runner stops. */
  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private async work(): Promise<void> {
    const { queue, batchSize, maxBatchingWindowMs } = this.options;
    while (this.running) {
      let batch = queue.receive(batchSize);
      if (batch.length === 0) {
        const next = queue.nextVisibleAt();
        await this.sleep(next === null ? IDLE_POLL_MS : Math.min(IDLE_POLL_MS, Math.max(1, next - Date.now())));
        continue;
      }
      // Like the batching window: give a partial batch a moment to fill up.
      if (batch.length < batchSize && maxBatchingWindowMs > 0) {
        const deadline = Date.now() + maxBatchingWindowMs;
        while (batch.length < batchSize && Date.now() < deadline && this.running) {
          await this.sleep(Math.min(25, deadline - Date.now()));
          batch = batch.concat(queue.receive(batchSize - batch.length));
        }
      }
      await this.invoke(batch);
    }
  }

  private async invoke(batch: QueuedMessage[]): Promise<void> {
    const { queue, handler, onBatch } = this.options;
    this.inFlight++;
    try {
      const event: SQSEvent = { Records: batch.map((message) => sqsRecord(message, this.options)) };
      let failedIds: Set<string>;
      let error: unknown;
      try {
        const response = await handler(event);
        failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        // Lambda treats a response naming an id outside the batch as a failure of the whole batch.
        if ([...failedIds].some((id) => !batch.some((message) => message.messageId === id))) {
          failedIds = new Set(batch.map((message) => message.messageId));
        }
      } catch (caught) {
        error = caught;
        failedIds = new Set(batch.map((message) => message.messageId));
      }
      for (const message of batch) if (!failedIds.has(message.messageId)) queue.delete(message.receiptHandle);
      onBatch?.({ size: batch.length, failed: failedIds.size, ...(error === undefined ? {} : { error }) });
    } finally {
      this.inFlight--;
    }
  }
}
