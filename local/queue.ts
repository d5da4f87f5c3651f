// An SQS queue with its dead-letter queue, in process: the semantics the parser relies on
// (at-least-once delivery, visibility timeout, receive count, redrive to a DLQ after
// maxReceiveCount receives), kept in an append-only journal so nothing is lost on a restart.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  /** Times received so far (SQS's ApproximateReceiveCount). */
  receiveCount: number;
  /** Epoch ms when the message is visible to a receive again. */
  visibleAt: number;
  /** Changes on every receive; a delete with an old handle is ignored, as in SQS. */
  receiptHandle: string;
  firstReceivedAt: number | null;
}

export interface LocalQueueOptions {
  /** How long a received message stays invisible before it is delivered again. */
  visibilityTimeoutMs: number;
  /** Receives after which a message moves to the dead-letter queue instead (SQS redrive policy). */
  maxReceiveCount: number;
  /** Journal file; in memory when absent. */
  journalPath?: string;
  /** @default Date.now */
  now?: () => number;
  /**
   * `oldest`: receive the oldest visible messages first. `random`: any visible messages, in
   * random order, as an SQS standard queue may deliver them (the soak uses it).
   * @default 'oldest'
   */
  receiveOrder?: 'oldest' | 'random';
  /** Randomness of `receiveOrder: 'random'`, in [0, 1). @default Math.random */
  random?: () => number;
}

type JournalEntry =
  | { op: 'send'; id: string; body: string; at: number }
  | { op: 'receive'; id: string }
  | { op: 'delete'; id: string }
  | { op: 'dead'; id: string }
  | { op: 'redrive'; id: string };

export interface QueueDepth {
  /** Waiting to be received. */
  visible: number;
  /** Received and not yet deleted. */
  inFlight: number;
  /** In the dead-letter queue. */
  dead: number;
}

/**
 * A local queue and its dead-letter queue.
 *
 * @example
 * const queue = new LocalQueue({ visibilityTimeoutMs: 30_000, maxReceiveCount: 5, journalPath: '.ingest/queue.jsonl' });
 * queue.send(JSON.stringify(s3Event));
 * const batch = queue.receive(10);
 * queue.delete(batch[0].receiptHandle);
 */
export class LocalQueue {
  private readonly messages = new Map<string, QueuedMessage>();
  private readonly dead = new Map<string, QueuedMessage>();
  private readonly byHandle = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;

  constructor(private readonly options: LocalQueueOptions) {
    this.now = options.now ?? Date.now;
    if (options.journalPath) this.restore(options.journalPath);
  }

  /** Adds a message; returns its id. */
  send(body: string): string {
    const id = randomUUID();
    const at = this.now();
    this.messages.set(id, { messageId: id, body, sentAt: at, receiveCount: 0, visibleAt: at, receiptHandle: '', firstReceivedAt: null });
    this.log({ op: 'send', id, body, at });
    for (const listener of this.listeners) listener();
    return id;
  }

  /**
   * Receives up to `max` visible messages, oldest first, and hides them for the visibility
   * timeout. A message that has already been received `maxReceiveCount` times moves to the
   * dead-letter queue instead of being delivered again.
   */
  receive(max: number): QueuedMessage[] {
    if (this.options.receiveOrder === 'random') return this.receiveRandom(max);
    const now = this.now();
    const batch: QueuedMessage[] = [];
    for (const message of this.messages.values()) {
      if (batch.length >= max) break;
      if (message.visibleAt > now) continue;
      if (message.receiveCount >= this.options.maxReceiveCount) {
        this.deadLetter(message);
        continue;
      }
      batch.push(this.hand(message, now));
    }
    return batch;
  }

  /**
   * {@link receive} in random order: every visible message is equally likely to be picked.
   * Visible messages that have used up their receives move to the dead-letter queue.
   */
  private receiveRandom(max: number): QueuedMessage[] {
    const now = this.now();
    const random = this.options.random ?? Math.random;
    const candidates: QueuedMessage[] = [];
    for (const message of this.messages.values()) {
      if (message.visibleAt > now) continue;
      if (message.receiveCount >= this.options.maxReceiveCount) this.deadLetter(message);
      else candidates.push(message);
    }
    const batch: QueuedMessage[] = [];
    // A partial Fisher-Yates shuffle: the first `max` places get a uniform random pick.
    for (let i = 0; i < candidates.length && batch.length < max; i++) {
      const j = i + Math.floor(random() * (candidates.length - i));
      const picked = candidates[j]!;
      candidates[j] = candidates[i]!;
      batch.push(this.hand(picked, now));
    }
    return batch;
  }

  /** Hands a message out: counts the receive, hides it, gives it a new receipt handle. */
  private hand(message: QueuedMessage, now: number): QueuedMessage {
    this.byHandle.delete(message.receiptHandle);
    message.receiveCount++;
    message.visibleAt = now + this.options.visibilityTimeoutMs;
    message.receiptHandle = randomUUID();
    message.firstReceivedAt ??= now;
    this.byHandle.set(message.receiptHandle, message.messageId);
    this.log({ op: 'receive', id: message.messageId });
    return message;
  }

  private deadLetter(message: QueuedMessage): void {
    this.messages.delete(message.messageId);
    this.byHandle.delete(message.receiptHandle);
    this.dead.set(message.messageId, message);
    this.log({ op: 'dead', id: message.messageId });
  }

  /** Deletes a received message. Returns false for an unknown or outdated receipt handle. */
  delete(receiptHandle: string): boolean {
    const id = this.byHandle.get(receiptHandle);
    if (id === undefined) return false;
    this.byHandle.delete(receiptHandle);
    this.messages.delete(id);
    this.log({ op: 'delete', id });
    return true;
  }

  /** Moves every dead-lettered message back to the queue with a fresh receive count. */
  redrive(): number {
    let moved = 0;
    const now = this.now();
    for (const message of this.dead.values()) {
      this.dead.delete(message.messageId);
      this.messages.set(message.messageId, { ...message, receiveCount: 0, visibleAt: now, receiptHandle: '', firstReceivedAt: null });
      this.log({ op: 'redrive', id: message.messageId });
      moved++;
    }
    if (moved > 0) for (const listener of this.listeners) listener();
    return moved;
  }

  /** The dead-lettered messages, oldest first. */
  deadLetters(): QueuedMessage[] {
    return [...this.dead.values()];
  }

  depth(): QueueDepth {
    const now = this.now();
    let visible = 0;
    for (const message of this.messages.values()) if (message.visibleAt <= now) visible++;
    return { visible, inFlight: this.messages.size - visible, dead: this.dead.size };
  }

  /** Epoch ms when the next hidden message becomes visible, or null. */
  nextVisibleAt(): number | null {
    let next: number | null = null;
    for (const message of this.messages.values()) if (next === null || message.visibleAt < next) next = message.visibleAt;
    return next;
  }

  /** Calls `listener` whenever a message is sent or redriven; returns the unsubscribe. */
  onMessage(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private log(entry: JournalEntry): void {
    if (this.options.journalPath) appendFileSync(this.options.journalPath, JSON.stringify(entry) + '\n');
  }

  /**
   * Rebuilds the queues from the journal, then rewrites it compactly. Messages that were in
   * flight when the process stopped are visible again at once: their consumer is gone.
   */
  private restore(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      for (const line of lines) {
        if (line.trim() === '') continue;
        let entry: JournalEntry;
        try {
          entry = JSON.parse(line) as JournalEntry;
        } catch {
          continue; // a line cut short by a crash
        }
        this.apply(entry);
      }
    }
    const compact: string[] = [];
    for (const message of this.messages.values()) {
      compact.push(JSON.stringify({ op: 'send', id: message.messageId, body: message.body, at: message.sentAt }));
      for (let i = 0; i < message.receiveCount; i++) compact.push(JSON.stringify({ op: 'receive', id: message.messageId }));
    }
    for (const message of this.dead.values()) {
      compact.push(JSON.stringify({ op: 'send', id: message.messageId, body: message.body, at: message.sentAt }));
      compact.push(JSON.stringify({ op: 'dead', id: message.messageId }));
    }
    writeFileSync(path + '.tmp', compact.length > 0 ? compact.join('\n') + '\n' : '');
    renameSync(path + '.tmp', path);
  }

  private apply(entry: JournalEntry): void {
    if (entry.op === 'send') {
      this.messages.set(entry.id, { messageId: entry.id, body: entry.body, sentAt: entry.at, receiveCount: 0, visibleAt: 0, receiptHandle: '', firstReceivedAt: null });
      return;
    }
    const live = this.messages.get(entry.id);
    if (entry.op === 'receive' && live) live.receiveCount++;
    else if (entry.op === 'delete') this.messages.delete(entry.id);
    else if (entry.op === 'dead' && live) {
      this.messages.delete(entry.id);
      this.dead.set(entry.id, live);
    } else if (entry.op === 'redrive') {
      const message = this.dead.get(entry.id);
      if (message) {
        this.dead.delete(entry.id);
        this.messages.set(entry.id, { ...message, receiveCount: 0, visibleAt: 0 });
      }
    }
  }
}
