// Runs the local S3 and DynamoDB in a process of their own, so that serving requests does not
// compete for one event loop with the parser and the API. Started by `startEmulatorProcess`;
// talks to its parent over the IPC channel: one `ready` message, then one per S3 event, and a
// `synced` answer to each `sync` request.
import { startLocalDynamo, startLocalS3, type EmulatorS3Event, type LocalServer } from './emulators.ts';

export interface EmulatorProcessConfig {
  s3Port: number;
  s3Directory: string;
  buckets: string[];
  dynamodbPort: number;
  dynamodbDirectory: string | null;
}

export type EmulatorMessage =
  | { type: 'ready'; s3Endpoint: string; dynamodbEndpoint: string }
  | { type: 'event'; event: EmulatorS3Event }
  | { type: 'synced'; id: number }
  | { type: 'failed'; message: string };

/** What the parent sends: `stop`, or a `sync` request. */
export type EmulatorRequest = 'stop' | { type: 'sync'; id: number };

function send(message: EmulatorMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as EmulatorProcessConfig;
  const servers: LocalServer[] = [];
  try {
    servers.push(await startLocalS3({ port: config.s3Port, directory: config.s3Directory, buckets: config.buckets, onEvent: (event) => send({ type: 'event', event }) }));
    servers.push(await startLocalDynamo({ port: config.dynamodbPort, ...(config.dynamodbDirectory ? { directory: config.dynamodbDirectory } : {}) }));
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  const [s3, dynamo] = servers as [LocalServer, LocalServer];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(servers.map((server) => server.close()));
    process.exit(0);
  };
  // The parent says when to stop; if the parent is gone, stop too. The IPC channel keeps order,
  // so a `synced` answer reaches the parent after every event sent before it.
  process.on('message', (message: EmulatorRequest) => {
    if (message === 'stop') void stop();
    else if (message.type === 'sync') send({ type: 'synced', id: message.id });
  });
  process.on('disconnect', () => void stop());
  process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole group: the parent decides.
  send({ type: 'ready', s3Endpoint: s3.endpoint, dynamodbEndpoint: dynamo.endpoint });
}

void main();
