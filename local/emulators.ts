// The embedded stack's AWS stand-ins: s3rver for S3 and dynalite for DynamoDB, real protocol
// servers on loopback ports, optionally keeping their data in a folder across restarts.
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTableInput } from '../shared/store/index.ts';
import { s3Front } from './s3-front.ts';
import { KeySafeStore } from './s3-store.ts';

const require = createRequire(import.meta.url);

/** The credentials both emulators accept: LocalStack's, so one AWS CLI profile serves both. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const LOCAL_REGION = 'us-east-1';

/** One record of an s3rver event: key not encoded, sequencer only millisecond-precise. */
export interface EmulatorS3Event {
  eventName: string;
  eventTime: string;
  bucket: string;
  key: string;
  size?: number;
  eTag?: string;
}

// s3rver and dynalite ship no types; these are the parts used here.
interface S3rverInstance {
  /** The store s3rver's controllers use (`ctx.store`) and its bucket checks (`ctx.app.store`). */
  store: unknown;
  context: { store: unknown };
  configureBuckets(): Promise<void>;
  /** The request handler, for `http.createServer()`. */
  callback(): RequestListener;
  on(event: 'event', listener: (event: { Records: S3rverRecord[] }) => void): void;
}
interface S3rverRecord {
  eventName: string;
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
type DynaliteFactory = (options: Record<string, unknown>) => Server;

/**
 * A new, empty temporary folder, for a stack that keeps nothing across restarts.
 *
 * @example
 * const directory = await temporaryFolder('ingest-s3-'); // e.g. /tmp/ingest-s3-k3Jd8a
 */
export function temporaryFolder(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface LocalS3Options {
  /** Loopback port; 0 picks a free one. */
  port: number;
  /** Where objects are kept. */
  directory: string;
  buckets: readonly string[];
  /** Called for every object created or removed, in the order s3rver applied them. */
  onEvent?: (event: EmulatorS3Event) => void;
}

export interface LocalServer {
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the embedded S3 with the given buckets, accepting the `test`/`test` credentials:
 * s3rver's protocol handling over a store that keeps any key S3 accepts (`./s3-store.ts`),
 * behind the key checks, listings and multi-object deletes of `./s3-front.ts`.
 *
 * @example
 * const s3 = await startLocalS3({ port: 0, directory: '.ingest/s3', buckets: ['documents'] });
 * console.log(s3.endpoint); // http://127.0.0.1:43121
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalServer> {
  // s3rver checks request signatures against its key registry (S3RVER/S3RVER by default).
  const account = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  account.DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);
  // Opening the store moves objects kept in s3rver's own layout into the store's.
  const store = await KeySafeStore.open(options.directory);
  const S3rver = require('s3rver') as S3rverConstructor;
  const s3rver = new S3rver({
    silent: true,
    directory: options.directory,
    resetOnClose: false,
    // Path-style requests only: `documents.localhost` names do not resolve everywhere.
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  // s3rver takes no store option: the one its constructor made is replaced before any request.
  s3rver.store = s3rver.context.store = store;
  await s3rver.configureBuckets();
  const onEvent = options.onEvent;
  if (onEvent) {
    s3rver.on('event', (event) => {
      for (const record of event.Records) {
        onEvent({
          eventName: record.eventName,
          eventTime: record.eventTime,
          bucket: record.s3.bucket.name,
          key: record.s3.object.key,
          ...(record.s3.object.size === undefined ? {} : { size: record.s3.object.size }),
          ...(record.s3.object.eTag === undefined ? {} : { eTag: record.s3.object.eTag }),
        });
      }
    });
  }
  const server = createServer(
    s3Front(s3rver.callback(), {
      store,
      // S3 sends one ObjectRemoved:Delete per key of a multi-object delete.
      onRemoved: ({ bucket, key }) => onEvent?.({ eventName: 'ObjectRemoved:Delete', eventTime: new Date().toISOString(), bucket, key }),
    }),
  );
  return listenOnLoopback(server, options.port);
}

/** Serves `server` on 127.0.0.1 (port 0 picks a free one). */
async function listenOnLoopback(server: Server, port: number): Promise<LocalServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return loopbackServer(server);
}

/** A listening loopback server as a {@link LocalServer}; closing it also ends open connections. */
export function loopbackServer(server: Server): LocalServer {
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface LocalDynamoOptions {
  port: number;
  /** Where dynalite keeps its LevelDB store; in memory when absent. */
  directory?: string;
}

/**
 * Starts dynalite, in memory or on disk.
 *
 * @example
 * const dynamo = await startLocalDynamo({ port: 0 });
 */
export async function startLocalDynamo(options: LocalDynamoOptions): Promise<LocalServer> {
  if (options.directory) await mkdir(options.directory, { recursive: true });
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.directory ? { path: options.directory } : {}),
  });
  return listenOnLoopback(server, options.port);
}

/** An S3 client for the local S3 (path-style, local credentials). */
export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    // s3rver predates the SDK's default CRC32 checksum trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A DynamoDB client for the local DynamoDB. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/** Creates the documents table with the deployed schema, unless it exists; waits until ACTIVE. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existed'> {
  let created: 'created' | 'existed' = 'existed';
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    created = 'created';
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return created;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`The local table ${tableName} did not become ACTIVE.`);
}
