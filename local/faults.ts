// Fault injection for the soak: SDK v3 middleware on an S3Client or DynamoDBClient that throws
// the errors AWS really sends under load (throttling, 500s, timeouts). It sits inside the SDK's
// retry loop, so the SDK retries an injected error as it would a real one, and only what is left
// after its retries reaches the parser: that is what the queue's retry path has to absorb.
import {
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { S3ServiceException } from '@aws-sdk/client-s3';

export type FaultService = 's3' | 'dynamodb';

/** The errors injected, by service: names exactly as AWS sends them. */
export const FAULT_KINDS = {
  dynamodb: ['ThrottlingException', 'ProvisionedThroughputExceededException', 'InternalServerError', 'TimeoutError'],
  s3: ['SlowDown', 'InternalError', 'TimeoutError'],
} as const satisfies Record<FaultService, readonly string[]>;

export type FaultKind = (typeof FAULT_KINDS)[FaultService][number];

/** One injected error: `attempt` is the SDK attempt it failed (1 = the first). */
export interface InjectedFault {
  service: FaultService;
  kind: FaultKind;
  /** The SDK command, e.g. `GetObjectCommand`. */
  operation: string;
  attempt: number;
  /** Part of a persistent outage rather than of the random faults. */
  outage: boolean;
}

export interface FaultInjectionOptions {
  service: FaultService;
  /** Share of SDK calls (commands, not attempts) that meet a fault, in [0, 1]. */
  rate: number;
  /** In [0, 1). */
  random: () => number;
  /**
   * How long a fault lasts, as shares of the faulted calls: `one` fail their first attempt only,
   * `two` their first two; the rest fail every attempt, so they outlast the SDK's retries and
   * reach the caller. @default { one: 0.5, two: 0.25 }
   */
  burst?: { one: number; two: number };
  /**
   * A persistent outage: calls for which this returns true fail on every attempt (S3 500s),
   * whatever `rate` says. Checked on every call, so the outage can end.
   */
  outage?: (operation: string, input: Readonly<Record<string, unknown>>) => boolean;
  /** How long an injected TimeoutError waits before it is thrown. @default 50 */
  timeoutDelayMs?: number;
  /** Told about every injected error. */
  onInjected?: (fault: InjectedFault) => void;
  /** Told when a call fails with an injected error after the SDK's retries. */
  onSurfaced?: (fault: Omit<InjectedFault, 'attempt'>) => void;
}

/** A call's fault: how many attempts fail, and with what. */
interface CallFault {
  kind: FaultKind;
  failAttempts: number;
  attempts: number;
  outage: boolean;
}

type Handler = (args: { input: Record<string, unknown> }) => Promise<unknown>;
type Context = { commandName?: string; soakFault?: CallFault };
type Middleware = (next: Handler, context: Context) => Handler;
interface Stack {
  add(middleware: Middleware, options: { step: string; name: string; priority?: string }): void;
  addRelativeTo(middleware: Middleware, options: { relation: 'before' | 'after'; toMiddleware: string; name: string }): void;
}

const injected = new WeakSet<object>();

/** Whether an error was thrown by fault injection, or wraps one (as its `cause`). */
export function isInjectedFault(error: unknown): boolean {
  for (let depth = 0; typeof error === 'object' && error !== null && depth < 10; depth++) {
    if (injected.has(error)) return true;
    error = (error as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Adds fault injection to a client. Two middlewares: one per call (initialize step) decides
 * whether and how long the call fails and notices what surfaces; one per attempt, right after
 * the SDK's retry middleware, throws the error.
 *
 * @example
 * const s3 = localS3Client(endpoint);
 * injectFaults(s3, { service: 's3', rate: 0.05, random: Math.random });
 */
export function injectFaults(client: { middlewareStack: unknown }, options: FaultInjectionOptions): void {
  const stack = client.middlewareStack as Stack;
  const burst = options.burst ?? { one: 0.5, two: 0.25 };
  const kinds = FAULT_KINDS[options.service];
  const delayMs = options.timeoutDelayMs ?? 50;

  const decide: Middleware = (next, context) => async (args) => {
    const operation = context.commandName ?? 'unknown';
    if (options.outage?.(operation, args.input)) {
      context.soakFault = { kind: options.service === 's3' ? 'InternalError' : 'InternalServerError', failAttempts: Infinity, attempts: 0, outage: true };
    } else if (options.rate > 0 && options.random() < options.rate) {
      const length = options.random();
      context.soakFault = {
        kind: kinds[Math.floor(options.random() * kinds.length)]!,
        failAttempts: length < burst.one ? 1 : length < burst.one + burst.two ? 2 : Infinity,
        attempts: 0,
        outage: false,
      };
    }
    try {
      return await next(args);
    } catch (error) {
      const fault = context.soakFault;
      if (fault && isInjectedFault(error)) options.onSurfaced?.({ service: options.service, kind: fault.kind, operation, outage: fault.outage });
      throw error;
    }
  };

  const fail: Middleware = (next, context) => async (args) => {
    const fault = context.soakFault;
    if (!fault || fault.attempts >= fault.failAttempts) return next(args);
    fault.attempts++;
    options.onInjected?.({ service: options.service, kind: fault.kind, operation: context.commandName ?? 'unknown', attempt: fault.attempts, outage: fault.outage });
    if (fault.kind === 'TimeoutError') await new Promise((resolve) => setTimeout(resolve, delayMs));
    throw faultError(options.service, fault.kind);
  };

  stack.add(decide, { step: 'initialize', name: 'soakFaultDecide', priority: 'high' });
  stack.addRelativeTo(fail, { relation: 'after', toMiddleware: 'retryMiddleware', name: 'soakFaultInject' });
}

/** The error AWS would send, as the SDK would present it. */
export function faultError(service: FaultService, kind: FaultKind): Error {
  const requestId = Math.random().toString(36).slice(2, 14).toUpperCase();
  const $metadata = (httpStatusCode: number | undefined) => ({ ...(httpStatusCode === undefined ? {} : { httpStatusCode }), requestId, attempts: 1, totalRetryDelay: 0 });
  let error: Error;
  if (kind === 'TimeoutError') {
    // What the SDK's node HTTP handler throws when a socket times out: no response at all.
    error = Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError', $metadata: $metadata(undefined) });
  } else if (service === 'dynamodb') {
    if (kind === 'ThrottlingException') error = new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput.', $metadata: $metadata(400) });
    else if (kind === 'ProvisionedThroughputExceededException') {
      error = new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
        $metadata: $metadata(400),
      });
    } else if (kind === 'InternalServerError') error = new InternalServerError({ message: 'Internal server error', $metadata: $metadata(500) });
    else error = new DynamoDBServiceException({ name: kind, $fault: 'server', message: kind, $metadata: $metadata(500) });
  } else {
    const status = kind === 'SlowDown' ? 503 : 500;
    const message = kind === 'SlowDown' ? 'Please reduce your request rate.' : 'We encountered an internal error. Please try again.';
    error = new S3ServiceException({ name: kind, $fault: 'server', message, $metadata: $metadata(status) });
  }
  injected.add(error);
  return error;
}
