// The parent side of parser-process.ts: a ParserHandler that forwards each SQS batch to the
// parser child process and returns its batch response. When the child dies (or is killed), the
// invocations it had in flight fail as a whole, as a crashed Lambda invocation does, so their
// messages come back after the visibility timeout; the next invocation gets a new child.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ParserHandler } from '../functions/parser/parser.ts';
import type { ParserProcessConfig, ParserReply, ParserRequest } from './parser-process.ts';

const SCRIPT = fileURLToPath(new URL('./parser-process.ts', import.meta.url));

export interface ParserProcessOptions {
  /** The child's configuration; `faults.seed` is varied per child so each one differs. */
  config: ParserProcessConfig;
  /** An invocation that takes longer fails (and its child is replaced). @default 60000 */
  invokeTimeoutMs?: number;
  /** How long a child may take to start. @default 30000 */
  startTimeoutMs?: number;
  /** Told about every message from a child (faults, writes), after the host has handled it. */
  onReply?: (reply: ParserReply, child: ChildInfo) => void;
}

export interface ChildInfo {
  /** 1 for the first child, 2 for its replacement, ... */
  readonly generation: number;
  readonly pid: number;
}

/** An invocation the current child is working on. */
export interface InFlightInvocation {
  readonly id: number;
  readonly records: number;
  /** Store writes it has reported so far. */
  writes: number;
}

export interface ParserProcess {
  /** Forwards a batch to the child process. */
  readonly handler: ParserHandler;
  /** The current child's invocations in flight. */
  readonly inFlight: ReadonlyMap<number, InFlightInvocation>;
  /** Children started so far. */
  readonly generation: number;
  /**
   * SIGKILLs the current child at once. Its invocations in flight fail; a new child starts.
   * Returns false when there was no live child.
   */
  kill(): boolean;
  /** Ends the outage of `faults.outageKeys`, in this child and every later one. */
  heal(): void;
  /** Stops the child and starts no other; invocations in flight fail. */
  stop(): Promise<void>;
}

interface Pending {
  resolve: (response: SQSBatchResponse) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Child {
  process: ChildProcess;
  info: ChildInfo;
  ready: Promise<void>;
  exited: Promise<void>;
  pending: Map<number, Pending>;
  inFlight: Map<number, InFlightInvocation>;
  dead: boolean;
}

/**
 * Starts the parser child process and waits until it is ready.
 *
 * @example
 * const parser = await startParserProcess({ config });
 * const stack = await startLocalStack({ wrapHandler: () => parser.handler });
 * parser.kill(); // mid-batch: the batch's messages come back after the visibility timeout
 * await parser.stop();
 */
export async function startParserProcess(options: ParserProcessOptions): Promise<ParserProcess> {
  const invokeTimeoutMs = options.invokeTimeoutMs ?? 60_000;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  let generation = 0;
  let nextId = 1;
  let stopped = false;
  let healed = false;
  let current: Child | null = null;
  const children = new Set<Child>();
  const noInvocations: ReadonlyMap<number, InFlightInvocation> = new Map();

  // Whatever happens to this process, its children go too.
  const killAll = (): void => {
    for (const child of children) child.process.kill('SIGKILL');
  };
  process.once('exit', killAll);

  function spawn(): Child {
    generation++;
    const base = options.config;
    const config: ParserProcessConfig = {
      ...base,
      faults: base.faults === null ? null : { ...base.faults, seed: (base.faults.seed + generation * 7919) >>> 0, outageKeys: healed ? [] : base.faults.outageKeys },
    };
    const proc = fork(SCRIPT, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child: Child = {
      process: proc,
      info: { generation, pid: proc.pid ?? 0 },
      ready: Promise.resolve(),
      exited: new Promise<void>((resolve) => proc.once('exit', () => resolve())),
      pending: new Map(),
      inFlight: new Map(),
      dead: false,
    };
    children.add(child);
    child.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`The parser process did not start in ${startTimeoutMs} ms.`));
        proc.kill('SIGKILL');
      }, startTimeoutMs);
      proc.on('message', (reply: ParserReply) => {
        if (reply.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
        onReply(child, reply);
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The parser process exited (${signal ?? `code ${code}`}) before it was ready.`));
      });
    });
    child.ready.catch(() => undefined);
    proc.once('exit', (code, signal) => {
      children.delete(child);
      bury(child, `The parser process ${child.info.pid} exited (${signal ?? `code ${code}`}) during the invocation.`);
    });
    return child;
  }

  /** Fails the child's invocations in flight; the next invocation starts a new child. */
  function bury(child: Child, reason: string): void {
    child.dead = true;
    if (current === child) current = null;
    for (const [id, pending] of child.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(reason));
      child.pending.delete(id);
    }
    child.inFlight.clear();
  }

  function onReply(child: Child, reply: ParserReply): void {
    if (!child.dead) {
      if (reply.type === 'result' || reply.type === 'error') {
        const pending = child.pending.get(reply.id);
        if (pending) {
          child.pending.delete(reply.id);
          child.inFlight.delete(reply.id);
          clearTimeout(pending.timer);
          if (reply.type === 'result') pending.resolve(reply.response);
          else pending.reject(new Error(reply.message));
        }
      } else if (reply.type === 'write' && reply.id !== null) {
        const invocation = child.inFlight.get(reply.id);
        if (invocation) invocation.writes++;
      }
    }
    options.onReply?.(reply, child.info);
  }

  async function childForInvocation(): Promise<Child> {
    // A child that fails to start is replaced a few times, then the invocation fails.
    for (let attempt = 0; ; attempt++) {
      if (stopped) throw new Error('The parser process has been stopped.');
      current ??= spawn();
      const child = current;
      try {
        await child.ready;
        if (!child.dead) return child;
      } catch (error) {
        if (current === child) current = null;
        child.process.kill('SIGKILL');
        if (attempt >= 2) throw error;
      }
    }
  }

  const handler: ParserHandler = async (event: SQSEvent) => {
    const child = await childForInvocation();
    const id = nextId++;
    return new Promise<SQSBatchResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A hung child is treated as a crashed one.
        bury(child, `The parser process did not answer in ${invokeTimeoutMs} ms.`);
        child.process.kill('SIGKILL');
      }, invokeTimeoutMs);
      child.pending.set(id, { resolve, reject, timer });
      child.inFlight.set(id, { id, records: event.Records.length, writes: 0 });
      const request: ParserRequest = { type: 'invoke', id, event };
      const failed = (error: Error): void => bury(child, `Could not send the batch to the parser process: ${error.message}`);
      try {
        child.process.send(request, (error) => {
          if (error) failed(error);
        });
      } catch (error) {
        failed(error instanceof Error ? error : new Error(String(error)));
      }
    });
  };

  current = spawn();
  await current.ready;

  return {
    handler,
    get inFlight() {
      return current?.inFlight ?? noInvocations;
    },
    get generation() {
      return generation;
    },
    kill() {
      const child = current;
      if (!child || child.dead) return false;
      // Fail its invocations now: whatever it still sends is from a process that is gone.
      bury(child, `The parser process ${child.info.pid} was killed (SIGKILL) during the invocation.`);
      child.process.kill('SIGKILL');
      return true;
    },
    heal() {
      healed = true;
      const request: ParserRequest = { type: 'heal' };
      for (const child of children) {
        // A child still starting may not listen yet: tell it once it says it is ready.
        void child.ready.then(
          () => {
            if (child.process.connected) child.process.send(request);
          },
          () => undefined,
        );
      }
    },
    async stop() {
      stopped = true;
      const all = [...children];
      for (const child of all) {
        bury(child, 'The parser process was stopped.');
        child.process.kill('SIGKILL');
      }
      await Promise.all(all.map((child) => child.exited));
      process.removeListener('exit', killAll);
    },
  };
}
