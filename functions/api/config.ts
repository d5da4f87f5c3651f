import { ConfigError, loadStoreConfig, requireEnv, type Env, type StoreConfig } from '../../shared/config.ts';
import { MIN_CURSOR_SECRET_LENGTH } from '../../shared/cursor.ts';

/** Log levels the API's logger accepts (Powertools' names). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the app itself needs, wherever it runs (Lambda, the embedded stack, tests). */
export interface AppConfig {
  /** Key of the HMAC that signs pagination cursors; at least 16 characters. */
  readonly cursorSecret: string;
  /**
   * After a rotation of {@link cursorSecret}: the secret before it, whose cursors are still
   * accepted until `until`.
   *
   * @default undefined - only the current secret
   */
  readonly cursorSecretPrevious?: { readonly secret: string; readonly until: Date };
  /** Origins allowed by CORS; `['*']` allows any origin, `[]` none (same-origin use only). */
  readonly corsOrigins: readonly string[];
  /**
   * The API key every request must carry in `x-api-key` (see `requireApiKey`). Only the
   * embedded stack sets it: deployed, API Gateway checks the key before the function runs,
   * and the key's value never reaches the function's configuration.
   *
   * @default undefined - no check in the app
   */
  readonly apiKey?: string;
  /**
   * With {@link apiKey}: whether `/docs` and `/openapi.json` answer without the key. They
   * describe the API and show no stored data.
   *
   * @default true
   */
  readonly publicDocs?: boolean;
}

/** What the api function needs: the store's settings and the app's. */
export interface ApiConfig extends StoreConfig, AppConfig {
  /**
   * `LOG_LEVEL`.
   * @default 'INFO'
   */
  readonly logLevel: LogLevel;
}

/**
 * Reads the api function's configuration: `TABLE_NAME`, `BODIES_BUCKET` (and the store's
 * optional settings), `CURSOR_SECRET` (required, at least 16 characters), after a rotation
 * `CURSOR_SECRET_PREVIOUS` with `CURSOR_SECRET_PREVIOUS_UNTIL` (an ISO 8601 instant), `CORS_ORIGINS`
 * (comma-separated origins, `none`, or `*`, the default when unset) and `LOG_LEVEL` (default `INFO`).
 *
 * @example
 * const config = loadApiConfig({ TABLE_NAME: 'docs', BODIES_BUCKET: 'bodies', CURSOR_SECRET: 'a'.repeat(32) });
 * config.corsOrigins; // ['*']
 */
export function loadApiConfig(env: Env = process.env): ApiConfig {
  return {
    ...loadStoreConfig(env),
    cursorSecret: cursorSecret(env),
    ...previousCursorSecret(env),
    corsOrigins: corsOrigins(env),
    logLevel: logLevel(env),
  };
}

function cursorSecret(env: Env): string {
  const secret = requireEnv('CURSOR_SECRET', env);
  if (secret.length < MIN_CURSOR_SECRET_LENGTH) {
    throw new ConfigError(
      'CURSOR_SECRET',
      `CURSOR_SECRET must be at least ${MIN_CURSOR_SECRET_LENGTH} characters long (a random value of 32 or more is best), got ${secret.length}.`,
    );
  }
  return secret;
}

/** Both variables or neither: a previous secret with no end would never stop being accepted. */
function previousCursorSecret(env: Env): Pick<AppConfig, 'cursorSecretPrevious'> {
  const secret = env.CURSOR_SECRET_PREVIOUS;
  const until = env.CURSOR_SECRET_PREVIOUS_UNTIL?.trim();
  if ((secret === undefined || secret === '') && (until === undefined || until === '')) return {};
  if (secret === undefined || secret === '' || until === undefined || until === '') {
    const missing = secret === undefined || secret === '' ? 'CURSOR_SECRET_PREVIOUS' : 'CURSOR_SECRET_PREVIOUS_UNTIL';
    throw new ConfigError(missing, 'CURSOR_SECRET_PREVIOUS and CURSOR_SECRET_PREVIOUS_UNTIL go together: set both (during a rotation\'s grace period) or neither.');
  }
  if (secret.length < MIN_CURSOR_SECRET_LENGTH) {
    throw new ConfigError('CURSOR_SECRET_PREVIOUS', `CURSOR_SECRET_PREVIOUS must be at least ${MIN_CURSOR_SECRET_LENGTH} characters long, got ${secret.length}.`);
  }
  const end = /^\d{4}-\d{2}-\d{2}T/.test(until) ? new Date(until) : new Date(Number.NaN);
  if (Number.isNaN(end.getTime())) {
    throw new ConfigError('CURSOR_SECRET_PREVIOUS_UNTIL', `CURSOR_SECRET_PREVIOUS_UNTIL must be an ISO 8601 instant such as 2026-05-01T00:00:00Z, got "${until}".`);
  }
  return { cursorSecretPrevious: { secret, until: end } };
}

/**
 * `*`, or a comma-separated list of origins (`https://app.example.com,http://localhost:5173`):
 * scheme, host and optional port, nothing else, since the browser sends exactly that.
 */
function corsOrigins(env: Env): readonly string[] {
  const raw = env.CORS_ORIGINS?.trim();
  if (raw === undefined || raw === '' || raw === '*') return ['*'];
  // No cross-origin access at all: what the deployed stack sets unless the API is public.
  if (raw.toLowerCase() === 'none') return [];
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new ConfigError('CORS_ORIGINS', 'CORS_ORIGINS lists no origin: set "*" or at least one origin.');
  return entries.map((entry) => {
    const origin = originOf(entry);
    if (origin === null) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `CORS_ORIGINS must be "*", "none" or a comma-separated list of origins such as https://app.example.com, got "${entry}".`,
      );
    }
    return origin;
  });
}

// The origin as a browser sends it (lower-case host, no default port), or null when the value
// has anything an Origin header cannot have (a path, a query, credentials).
function originOf(value: string): string | null {
  if (!/^https?:\/\/[^/?#@\s]+$/i.test(value)) return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

function logLevel(env: Env): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toUpperCase();
  if (raw === undefined || raw === '') return 'INFO';
  const level = LOG_LEVELS.find((candidate) => candidate === raw);
  if (level === undefined) {
    throw new ConfigError('LOG_LEVEL', `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}".`);
  }
  return level;
}
