// Serves the read API in the embedded stack (replaced by the Hono app of functions/api once it lands).
import type { Logger } from '@aws-lambda-powertools/logger';
import { Hono } from 'hono';
import type { DocumentReader } from '../shared/store/index.ts';
import { listen } from './control.ts';
import type { LocalServer } from './emulators.ts';

export interface ServeApiOptions {
  store: DocumentReader;
  port: number;
  cursorSecret: string;
  logger: Logger;
}

export async function serveApi(options: ServeApiOptions): Promise<LocalServer> {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/documents/:id', async (c) => {
    const doc = await options.store.getDocument(c.req.param('id'));
    return doc ? c.json(doc) : c.json({ title: 'Not Found' }, 404);
  });
  app.get('/documents', async (c) => c.json(await options.store.listDocuments({ limit: 20 })));
  return listen(app.fetch, options.port);
}
