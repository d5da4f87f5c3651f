// The embedded stack's AWS stand-ins: s3rver for S3 and dynalite for DynamoDB, real protocol
// servers on loopback ports, optionally keeping their data in a folder across restarts.
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTableInput } from '../shared/store/index.ts';

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
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: { Records: S3rverRecord[] }) => void): void;
}
interface S3rverRecord {
  eventName: string;
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
type DynaliteFactory = (options: Record<string, unknown>) => Server;
interface ObjectControllers {
  deleteMultipleObjects(ctx: S3rverContext): Promise<void>;
  __eventsPatched?: boolean;
}
interface S3rverContext {
  params: { bucket: string };
  request: { body: { Delete?: { Object?: { Key: string } | Array<{ Key: string }> } } };
  app: { emit(name: string, payload: unknown): void };
}

/**
 * s3rver emits no events for a multi-object delete (DeleteObjects, which `aws s3 rm --recursive`
 * uses), while S3 sends one ObjectRemoved:Delete per key. Wrap the controller so it does too.
 */
function patchMultiDeleteEvents(): void {
  const controllers = require('s3rver/lib/controllers/object') as ObjectControllers;
  if (controllers.__eventsPatched) return;
  const original = controllers.deleteMultipleObjects;
  controllers.deleteMultipleObjects = async (ctx) => {
    await original(ctx);
    // The original has parsed the request's XML into ctx.request.body. Deleting a key that did
    // not exist is reported as deleted too; its event only writes a tombstone.
    const objects = ctx.request.body.Delete?.Object;
    const keys = objects === undefined ? [] : Array.isArray(objects) ? objects.map((o) => o.Key) : [objects.Key];
    for (const key of keys) {
      ctx.app.emit('event', {
        Records: [{ eventName: 'ObjectRemoved:DeleteObjects', eventTime: new Date().toISOString(), s3: { bucket: { name: ctx.params.bucket }, object: { key: String(key) } } }],
      });
    }
  };
  controllers.__eventsPatched = true;
}

// What s3rver's file-system store hands `putObject`, and the parts of the store used here.
interface S3rverObject {
  bucket: string;
  key: string;
  content: NodeJS.ReadableStream | Buffer;
  metadata: Record<string, string>;
}
interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
}

/** Objects up to this size (by their Content-Length) are stored by `writeSmallObjectsAtOnce`. */
const SMALL_OBJECT_BYTES = 1 << 20;

/** The whole body of a request stream; rejects if the upload is cut off. */
function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks));
    });
    stream.once('error', reject);
    stream.once('close', () => {
      if (!ended) reject(new Error('The upload ended before its body did.'));
    });
  });
}

/**
 * s3rver stores an object as three files (the bytes, their MD5, the metadata), each written
 * with a stream or `writeFile`: nine file-system requests through libuv, which cost the
 * emulator process more than the rest of a small PUT did here. Objects up to 1 MiB are read
 * whole and written with three synchronous calls instead, in the same files and format (what
 * s3rver's own `putMetadata` keeps: its allowed headers, then `x-amz-meta-*`); larger objects,
 * and uploads with no Content-Length, keep s3rver's streaming path.
 */
function writeSmallObjectsAtOnce(store: S3rverStore): void {
  const { ALLOWED_METADATA } = require('s3rver/lib/models/object') as { ALLOWED_METADATA: readonly string[] };
  const streaming = store.putObject.bind(store);
  store.putObject = async (object) => {
    const declared = Number(object.metadata['content-length']);
    if (!Number.isFinite(declared) || declared > SMALL_OBJECT_BYTES) return streaming(object);
    const content = Buffer.isBuffer(object.content) ? object.content : await readBody(object.content);
    const stored: Record<string, string> = {};
    for (const name of ALLOWED_METADATA) if (name in object.metadata) stored[name] = object.metadata[name]!;
    for (const [name, value] of Object.entries(object.metadata)) if (name.startsWith('x-amz-meta-')) stored[name] = value;
    const md5 = createHash('md5').update(content).digest('hex');
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    mkdirSync(dirname(objectPath), { recursive: true });
    writeFileSync(objectPath, content);
    writeFileSync(store.getResourcePath(object.bucket, object.key, 'object.md5'), md5);
    writeFileSync(store.getResourcePath(object.bucket, object.key, 'metadata.json'), JSON.stringify(stored, null, 2));
    return { size: content.length, md5 };
  };
}

// Linux's shared-memory file system, where files live in RAM.
const SHARED_MEMORY = '/dev/shm';

/** Whether `path` is a folder this process may create files in. */
function writableFolder(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A new temporary folder for s3rver when the stack keeps nothing across restarts: in shared
 * memory where the system has it, else in the usual temporary folder. s3rver stores every
 * object as three files (object, ETag, metadata), and creating files on a disk file system
 * costs several times more CPU than in memory; on the 2-core machine the ingest benchmark
 * runs on, that roughly halved the emulator's CPU time per upload.
 *
 * @example
 * const directory = await memoryTempDir('ingest-s3-'); // e.g. /dev/shm/ingest-s3-k3Jd8a
 */
export async function memoryTempDir(prefix: string): Promise<string> {
  const base = writableFolder(SHARED_MEMORY) ? SHARED_MEMORY : tmpdir();
  return mkdtemp(join(base, prefix));
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
 * Starts s3rver with the given buckets, accepting the `test`/`test` credentials.
 *
 * @example
 * const s3 = await startLocalS3({ port: 0, directory: '.ingest/s3', buckets: ['documents'] });
 * console.log(s3.endpoint); // http://127.0.0.1:43121
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalServer> {
  // s3rver checks request signatures against its key registry (S3RVER/S3RVER by default).
  const account = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  account.DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);
  patchMultiDeleteEvents();
  await mkdir(options.directory, { recursive: true });
  const S3rver = require('s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    silent: true,
    directory: options.directory,
    resetOnClose: false,
    // Path-style requests only: `documents.localhost` names do not resolve everywhere.
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  writeSmallObjectsAtOnce((server as unknown as { store: S3rverStore }).store);
  const onEvent = options.onEvent;
  if (onEvent) {
    server.on('event', (event) => {
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
  const address = await server.run();
  return { endpoint: `http://127.0.0.1:${address.port}`, port: address.port, close: () => server.close() };
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
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
