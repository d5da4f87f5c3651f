import { MAX_DOCUMENT_BYTES } from './document.ts';

/**
 * Configuration read from environment variables, once, at start-up. Every helper throws a
 * {@link ConfigError} that names the variable, so a misconfigured function fails its first
 * invocation with a sentence that says what to fix instead of an `undefined` far away.
 *
 * Endpoints are not configured here: SDK v3 honours `AWS_ENDPOINT_URL_S3` and
 * `AWS_ENDPOINT_URL_DYNAMODB` by itself.
 */

/** The environment to read: `process.env` by default, a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A missing or malformed environment variable. `variable` names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(message);
    this.variable = variable;
  }
}

/** Default for `MAX_DOCUMENT_BYTES`: the normalizer's own limit (8 MiB). */
export const DEFAULT_MAX_DOCUMENT_BYTES = MAX_DOCUMENT_BYTES;

/**
 * Default for `INLINE_BODY_LIMIT_BYTES`: an item whose size (as DynamoDB counts it) would
 * exceed this keeps its body in the bodies bucket instead. 50 KB under the 400 KB item limit,
 * so a size estimate that is slightly off can never make a write fail.
 */
export const DEFAULT_INLINE_BODY_LIMIT_BYTES = 350_000;

/** DynamoDB's hard item size limit, in bytes (400 KB, where 1 KB = 1,024 bytes). */
export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;

/**
 * The value of a variable that must be set and non-blank.
 *
 * @example
 * const table = requireEnv('TABLE_NAME'); // throws "TABLE_NAME is not set: ..." when missing
 */
export function requireEnv(name: string, env: Env = process.env): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') {
    throw new ConfigError(name, `${name} is not set: set it to a non-empty value.`);
  }
  return value;
}

/**
 * A positive integer variable, or `fallback` when it is unset or blank.
 *
 * @example
 * optionalPositiveInt('MAX_DOCUMENT_BYTES', 8 * 1024 * 1024, { MAX_DOCUMENT_BYTES: '1048576' }) // 1048576
 */
export function optionalPositiveInt(name: string, fallback: number, env: Env = process.env): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) <= 0) {
    throw new ConfigError(name, `${name} must be a positive whole number of bytes, got "${raw}".`);
  }
  return Number(raw);
}

/**
 * A boolean variable (`true`/`false`/`1`/`0`, any case), or `fallback` when unset or blank.
 */
export function optionalBoolean(name: string, fallback: boolean, env: Env = process.env): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `${name} must be "true" or "false", got "${env[name]}".`);
}

/** What the table access layer needs: enough for the read API as well as the parser. */
export interface StoreConfig {
  /** `TABLE_NAME`: the documents table. */
  readonly tableName: string;
  /** `BODIES_BUCKET`: where bodies too large for an item are kept. */
  readonly bodiesBucket: string;
  /**
   * `INLINE_BODY_LIMIT_BYTES`: largest item kept with its body inline.
   * @default 350000
   */
  readonly inlineBodyLimitBytes: number;
  /**
   * `S3_FORCE_PATH_STYLE`: address buckets as `host/bucket` (s3rver, some LocalStack setups).
   * @default false
   */
  readonly s3ForcePathStyle: boolean;
}

/** What the parser function needs. */
export interface ParserConfig extends StoreConfig {
  /** `DOCUMENTS_BUCKET`: the bucket users upload to. */
  readonly documentsBucket: string;
  /**
   * `MAX_DOCUMENT_BYTES`: larger objects become a `too_large` failure without being downloaded.
   * @default 8388608 (8 MiB)
   */
  readonly maxDocumentBytes: number;
}

/**
 * Reads the store's configuration.
 *
 * @example
 * const config = loadStoreConfig({ TABLE_NAME: 'docs', BODIES_BUCKET: 'bodies' });
 * // { tableName: 'docs', bodiesBucket: 'bodies', inlineBodyLimitBytes: 350000, s3ForcePathStyle: false }
 */
export function loadStoreConfig(env: Env = process.env): StoreConfig {
  const inlineBodyLimitBytes = optionalPositiveInt('INLINE_BODY_LIMIT_BYTES', DEFAULT_INLINE_BODY_LIMIT_BYTES, env);
  if (inlineBodyLimitBytes > DYNAMODB_ITEM_LIMIT_BYTES) {
    throw new ConfigError(
      'INLINE_BODY_LIMIT_BYTES',
      `INLINE_BODY_LIMIT_BYTES must be at most ${DYNAMODB_ITEM_LIMIT_BYTES} (DynamoDB's item limit), got ${inlineBodyLimitBytes}.`,
    );
  }
  return {
    tableName: requireEnv('TABLE_NAME', env),
    bodiesBucket: requireEnv('BODIES_BUCKET', env),
    inlineBodyLimitBytes,
    s3ForcePathStyle: optionalBoolean('S3_FORCE_PATH_STYLE', false, env),
  };
}

/**
 * Reads the parser's configuration.
 *
 * @example
 * const config = loadParserConfig(); // at module scope: once per cold start
 */
export function loadParserConfig(env: Env = process.env): ParserConfig {
  return {
    ...loadStoreConfig(env),
    documentsBucket: requireEnv('DOCUMENTS_BUCKET', env),
    maxDocumentBytes: optionalPositiveInt('MAX_DOCUMENT_BYTES', DEFAULT_MAX_DOCUMENT_BYTES, env),
  };
}
