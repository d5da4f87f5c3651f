import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../local/queue.ts';
import { QueueRunner } from '../../local/runner.ts';
import { sequencerClock } from '../../local/events.ts';

function clock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('LocalQueue', () => {
  it('hides a received message for the visibility timeout, then delivers it again', () => {
    const time = clock();
    const queue = new LocalQueue({ visibilityTimeoutMs: 100, maxReceiveCount: 5, now: time.now });
    queue.send('a');
    const [first] = queue.receive(10);
    expect(first).toMatchObject({ body: 'a', receiveCount: 1 });
    expect(queue.receive(10)).toEqual([]);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 1, dead: 0 });
    time.advance(100);
    const [again] = queue.receive(10);
    expect(again).toMatchObject({ body: 'a', receiveCount: 2 });
  });

  it('deletes only with the latest receipt handle', () => {
    const time = clock();
    const queue = new LocalQueue({ visibilityTimeoutMs: 10, maxReceiveCount: 5, now: time.now });
    queue.send('a');
    const oldHandle = queue.receive(1)[0]!.receiptHandle;
    time.advance(10);
    const newHandle = queue.receive(1)[0]!.receiptHandle;
    expect(queue.delete(oldHandle)).toBe(false);
    expect(queue.delete(newHandle)).toBe(true);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives, and redrives it', () => {
    const time = clock();
    const queue = new LocalQueue({ visibilityTimeoutMs: 10, maxReceiveCount: 3, now: time.now });
    queue.send('poison');
    for (let i = 0; i < 3; i++) {
      expect(queue.receive(1)).toHaveLength(1);
      time.advance(10);
    }
    expect(queue.receive(1)).toEqual([]);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 1 });
    expect(queue.deadLetters()[0]).toMatchObject({ body: 'poison', receiveCount: 3 });
    expect(queue.redrive()).toBe(1);
    expect(queue.receive(1)[0]).toMatchObject({ body: 'poison', receiveCount: 1 });
  });

  it('keeps messages, receive counts and dead letters across a restart', () => {
    const journalPath = join(mkdtempSync(join(tmpdir(), 'queue-')), 'queue.jsonl');
    const first = new LocalQueue({ visibilityTimeoutMs: 60_000, maxReceiveCount: 2, journalPath });
    first.send('done');
    first.send('in flight');
    first.send('dead');
    const [done, inFlight, dead] = first.receive(3);
    first.delete(done!.receiptHandle);
    expect(inFlight!.body).toBe('in flight');
    // Exhaust "dead" through a second queue instance with zero visibility.
    const second = new LocalQueue({ visibilityTimeoutMs: 0, maxReceiveCount: 2, journalPath });
    expect(second.depth()).toEqual({ visible: 2, inFlight: 0, dead: 0 });
    const again = second.receive(3);
    second.delete(again.find((m) => m.body === 'in flight')!.receiptHandle);
    expect(second.receive(3)).toEqual([]); // "dead" had 2 receives: dead-lettered now
    expect(dead!.body).toBe('dead');

    const third = new LocalQueue({ visibilityTimeoutMs: 0, maxReceiveCount: 2, journalPath });
    expect(third.depth()).toEqual({ visible: 0, inFlight: 0, dead: 1 });
    expect(readFileSync(journalPath, 'utf8').trim().split('\n')).toHaveLength(2); // compacted
  });
});

describe('QueueRunner', () => {
  const arn = 'arn:aws:sqs:us-east-1:000000000000:test';

  it('delivers SQS-shaped batches and retries only the reported failures', async () => {
    const queue = new LocalQueue({ visibilityTimeoutMs: 20, maxReceiveCount: 5 });
    const seen: string[] = [];
    let failOnce = true;
    const runner = new QueueRunner({
      queue,
      batchSize: 10,
      maxBatchingWindowMs: 0,
      concurrency: 1,
      queueArn: arn,
      region: 'us-east-1',
      handler: async (event: SQSEvent) => {
        const failures = [];
        for (const record of event.Records) {
          expect(record).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: arn, awsRegion: 'us-east-1' });
          seen.push(`${record.body}#${record.attributes.ApproximateReceiveCount}`);
          if (record.body === 'flaky' && failOnce) {
            failOnce = false;
            failures.push({ itemIdentifier: record.messageId });
          }
        }
        return { batchItemFailures: failures };
      },
    });
    queue.send('ok');
    queue.send('flaky');
    runner.start();
    await runner.drained(5_000);
    await runner.stop();
    expect(seen.sort()).toEqual(['flaky#1', 'flaky#2', 'ok#1']);
  });

  it('retries the whole batch when the handler throws, up to the dead-letter queue', async () => {
    const queue = new LocalQueue({ visibilityTimeoutMs: 5, maxReceiveCount: 3 });
    let calls = 0;
    const runner = new QueueRunner({
      queue,
      batchSize: 10,
      maxBatchingWindowMs: 0,
      concurrency: 2,
      queueArn: arn,
      region: 'us-east-1',
      handler: async () => {
        calls++;
        throw new Error('boom');
      },
    });
    queue.send('x');
    runner.start();
    await runner.drained(5_000);
    await runner.stop();
    expect(calls).toBe(3);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 1 });
  });
});

describe('sequencerClock', () => {
  it('increases strictly, even within one millisecond and if the clock stalls', () => {
    const next = sequencerClock(() => 1_700_000_000_000);
    const values = Array.from({ length: 1000 }, next);
    for (let i = 1; i < values.length; i++) expect(values[i]! > values[i - 1]!).toBe(true);
    expect(values.every((v) => /^[0-9A-F]{18}$/.test(v))).toBe(true);
  });
});
