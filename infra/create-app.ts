import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { API_AUTH_MODES, type ApiAuth } from './constructs/api.ts';
import { DocflowStack } from './stack.ts';

export interface CreateAppOptions {
  /**
   * Context values, as `-c key=value` would give them: `stage`, `apiAuth` (`apiKey`, `iam`
   * or `none`), `apiQuotaPerDay`, `apiThrottleRate`, `apiThrottleBurst`, `corsOrigins`,
   * `apiReservedConcurrency` (a number, or `none`), `logLevel`, `cursorSecretGraceUntil`.
   *
   * @default - whatever the CDK CLI passes (cdk.json and `-c`)
   */
  readonly context?: Record<string, unknown>;
  /**
   * Where the cloud assembly is written.
   *
   * @default - the CLI's output directory, or a temporary one
   */
  readonly outdir?: string;
}

/** Default reserved concurrency of the API function. */
export const DEFAULT_API_RESERVED_CONCURRENCY = 20;

/**
 * Builds the CDK app: one `Docflow-<stage>` stack and cdk-nag's AWS Solutions checks, which
 * run when the app is synthesized and fail the synthesis on any unacknowledged finding.
 *
 * @example
 * const { app, stack } = createApp({ context: { stage: 'prod' } });
 * app.synth();
 */
export function createApp(options: CreateAppOptions = {}): { app: App; stack: DocflowStack } {
  const app = new App({
    outdir: options.outdir,
    context: options.context,
  });

  const stage = stringContext(app, 'stage') ?? 'dev';
  const stack = new DocflowStack(app, {
    stage,
    corsOrigins: stringContext(app, 'corsOrigins'),
    apiAuth: apiAuthContext(app),
    apiQuotaPerDay: numberContext(app, 'apiQuotaPerDay'),
    apiThrottleRate: numberContext(app, 'apiThrottleRate'),
    apiThrottleBurst: numberContext(app, 'apiThrottleBurst'),
    cursorSecretGraceUntil: stringContext(app, 'cursorSecretGraceUntil'),
    apiReservedConcurrency: reservedConcurrencyContext(app),
    logLevel: stringContext(app, 'logLevel'),
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

function stringContext(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(value)}.`);
  }
  return String(value);
}

function reservedConcurrencyContext(app: App): number | undefined {
  const raw = stringContext(app, 'apiReservedConcurrency');
  if (raw === undefined) return DEFAULT_API_RESERVED_CONCURRENCY;
  if (raw === 'none') return undefined;
  if (!/^[1-9]\d*$/.test(raw)) {
    throw new Error(`Context "apiReservedConcurrency" must be a positive whole number or "none", got "${raw}".`);
  }
  return Number(raw);
}

function apiAuthContext(app: App): ApiAuth {
  const raw = stringContext(app, 'apiAuth') ?? 'apiKey';
  const mode = API_AUTH_MODES.find((candidate) => candidate === raw);
  if (mode === undefined) throw new Error(`Context "apiAuth" must be one of ${API_AUTH_MODES.join(', ')}, got "${raw}".`);
  return mode;
}

function numberContext(app: App, key: string): number | undefined {
  const raw = stringContext(app, key);
  if (raw === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new Error(`Context "${key}" must be a positive number, got "${raw}".`);
  return Number(raw);
}
