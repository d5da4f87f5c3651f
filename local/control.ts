// The embedded stack's control endpoint: what the CLI needs from the running process (queue
// depth, dead letters, redrive, reprocess), since the queue lives in that process.
import { serve } from '@hono/node-server';
import type { S3Client } from '@aws-sdk/client-s3';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import { replayEvents } from '../shared/replay.ts';
import type { DocumentStore } from '../shared/store/index.ts';
import { loopbackServer, type LocalServer } from './emulators.ts';
import type { LocalQueue } from './queue.ts';

export interface ControlOptions {
  port: number;
  queue: LocalQueue;
  store: DocumentStore;
  s3: S3Client;
  bucket: string;
  region: string;
  /** The read API's key, for `ingest api-key`; null when the API asks for none. */
  apiKey?: string | null;
}

/** The control routes, as a Hono app (tests call it with `app.request`). */
export function controlApp(options: ControlOptions): Hono {
  const { queue } = options;
  const app = new Hono();
  app.get('/queues', (c) => c.json(queue.depth()));
  app.get('/queues/dead-letter', (c) =>
    c.json({
      messages: queue.deadLetters().map((m) => ({ messageId: m.messageId, receiveCount: m.receiveCount, sentAt: new Date(m.sentAt).toISOString(), body: m.body })),
    }),
  );
  // Loopback only, like the rest of this endpoint, which can already replay every object.
  app.get('/api-key', (c) => c.json({ apiKey: options.apiKey ?? null }));
  app.post('/queues/dead-letter/redrive', (c) => c.json({ moved: queue.redrive() }));
  app.post('/reprocess', async (c) => {
    const prefix = c.req.query('prefix') ?? '';
    let queued = 0;
    for await (const body of replayEvents({ s3: options.s3, bucket: options.bucket, prefix, store: options.store, region: options.region })) {
      queue.send(body);
      queued++;
    }
    return c.json({ queued });
  });
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((error, c) => c.json({ error: error.message }, 500));
  return app;
}

/** Serves the control routes on 127.0.0.1. */
export async function serveControl(options: ControlOptions): Promise<LocalServer> {
  const app = controlApp(options);
  return listen(app.fetch, options.port);
}

/** Serves a fetch handler on 127.0.0.1:`port` (0 picks a free port). */
export async function listen(fetch: (request: Request) => Response | Promise<Response>, port: number): Promise<LocalServer> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch, port, hostname: '127.0.0.1' }, () => resolve(started));
    started.once('error', reject);
  });
  return loopbackServer(server as Server);
}
