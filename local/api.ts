// Serves the read API (the same Hono app as the api Lambda) in the embedded stack.
import type { Logger } from '@aws-lambda-powertools/logger';
import { createApp } from '../functions/api/app.ts';
import type { DocumentReader } from '../shared/store/index.ts';
import { listen } from './control.ts';
import type { LocalServer } from './emulators.ts';

export interface ServeApiOptions {
  store: DocumentReader;
  port: number;
  cursorSecret: string;
  logger: Logger;
  /** @default ['*'] */
  corsOrigins?: string[];
  /** Require this key in `x-api-key` (see functions/api/auth.ts). @default no key */
  apiKey?: string;
  /** With `apiKey`: whether /docs and /openapi.json stay open. @default true */
  publicDocs?: boolean;
}

/** Serves `createApp` with @hono/node-server on 127.0.0.1. */
export async function serveApi(options: ServeApiOptions): Promise<LocalServer> {
  const app = createApp({
    reader: options.store,
    config: {
      cursorSecret: options.cursorSecret,
      corsOrigins: options.corsOrigins ?? ['*'],
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey, publicDocs: options.publicDocs ?? true } : {}),
    },
    logger: options.logger,
  });
  return listen(app.fetch, options.port);
}
