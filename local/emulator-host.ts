import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EmulatorS3Event } from './emulators.ts';
import type { EmulatorMessage, EmulatorProcessConfig, EmulatorRequest } from './emulator-process.ts';

export interface EmulatorProcess {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly pid: number;
  /**
   * Resolves once every S3 event of the requests the emulator has answered so far has been
   * passed to `onEvent`. s3rver emits an event before it responds, but the event travels over
   * IPC and the response over TCP, so a client can see its response first. Rejects when the
   * emulator process does not answer within `timeoutMs`.
   */
  eventsDelivered(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./emulator-process.ts', import.meta.url));

/**
 * Starts s3rver and dynalite in a child process and relays its S3 events, in order.
 *
 * @example
 * const emulators = await startEmulatorProcess(config, (event) => queue.send(...));
 */
export async function startEmulatorProcess(config: EmulatorProcessConfig, onEvent: (event: EmulatorS3Event) => void): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(SCRIPT, [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    env: {
      // s3rver makes about a dozen small file operations per request. The libuv in Node 20
      // (1.45 to 1.48) submits file operations through io_uring on the event loop's own thread,
      // which later libuv versions stopped doing by default; here it cost the emulator process
      // roughly 40% more CPU per benchmark round than the thread pool. A value set by the user wins.
      UV_USE_IO_URING: '0',
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const request = (message: EmulatorRequest): void => {
    child.send(message);
  };
  const syncs = new Map<number, () => void>();
  let nextSync = 0;
  const ready = await new Promise<{ s3Endpoint: string; dynamodbEndpoint: string }>((resolve, reject) => {
    child.on('message', (message: EmulatorMessage) => {
      if (message.type === 'event') onEvent(message.event);
      else if (message.type === 'synced') syncs.get(message.id)?.();
      else if (message.type === 'ready') resolve(message);
      else if (message.type === 'failed') reject(new Error(`The local S3 or DynamoDB did not start: ${message.message}`));
    });
    child.once('exit', (code) => reject(new Error(`The emulator process exited (code ${code}) before it was ready.`)));
  });
  return {
    ...ready,
    pid: child.pid ?? 0,
    async eventsDelivered(timeoutMs = 120_000) {
      if (child.exitCode !== null || !child.connected) return;
      const id = nextSync++;
      let timer: NodeJS.Timeout | undefined;
      const synced = new Promise<void>((resolve) => syncs.set(id, resolve));
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The emulator process did not answer in ${timeoutMs} ms.`)), timeoutMs);
      });
      request({ type: 'sync', id });
      try {
        // A process that exits meanwhile sends no more events either.
        await Promise.race([synced, exited, timedOut]);
      } finally {
        clearTimeout(timer);
        syncs.delete(id);
      }
    },
    async stop() {
      if (child.exitCode === null && child.connected) request('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
