// Real local emulators for integration tests: s3rver (S3) and dynalite (DynamoDB) over HTTP on
// free ports, with the buckets and the documents table created exactly as deployed. Built on
// the embedded stack's own emulator module, in this process, in memory and a temporary folder.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { rm } from 'node:fs/promises';
import {
  ensureTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDynamoClient,
  localS3Client,
  temporaryFolder,
  startLocalDynamo,
  startLocalS3,
  type LocalServer,
} from '../../local/emulators.ts';

/** Credentials both emulators accept. */
export const EMULATOR_CREDENTIALS = LOCAL_CREDENTIALS;
export const EMULATOR_REGION = LOCAL_REGION;

export interface EmulatorOptions {
  /** @default 'documents' */
  documentsBucket?: string;
  /** @default 'bodies' */
  bodiesBucket?: string;
  /** @default 'documents' */
  tableName?: string;
}

export interface Emulators {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly documentsBucket: string;
  readonly bodiesBucket: string;
  readonly tableName: string;
  /** A new S3 client for s3rver (path-style, test credentials). */
  s3Client(): S3Client;
  /** A new DynamoDB client for dynalite. */
  dynamodbClient(): DynamoDBClient;
  /** Creates another table with the documents table's schema (for tests that need an empty one). */
  createTable(tableName: string): Promise<void>;
  /** Stops both servers and removes s3rver's directory. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver and dynalite on free ports, creates both buckets and the table.
 *
 * @example
 * const emulators = await startEmulators();
 * afterAll(() => emulators.stop());
 * const s3 = emulators.s3Client();
 */
export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const documentsBucket = options.documentsBucket ?? 'documents';
  const bodiesBucket = options.bodiesBucket ?? 'bodies';
  const tableName = options.tableName ?? 'documents';
  const directory = await temporaryFolder('s3rver-');
  const s3 = await startLocalS3({ port: 0, directory, buckets: [documentsBucket, bodiesBucket] });
  const dynamo = await startLocalDynamo({ port: 0 });
  const admin = localDynamoClient(dynamo.endpoint);
  const createTable = async (name: string): Promise<void> => {
    await ensureTable(admin, name);
  };
  await createTable(tableName);

  return {
    s3Endpoint: s3.endpoint,
    dynamodbEndpoint: dynamo.endpoint,
    documentsBucket,
    bodiesBucket,
    tableName,
    s3Client: () => localS3Client(s3.endpoint),
    dynamodbClient: () => localDynamoClient(dynamo.endpoint),
    createTable,
    async stop() {
      admin.destroy();
      await Promise.allSettled([s3.close(), dynamo.close()]);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Starts dynalite alone on a free port, with one table of the documents table's schema.
 *
 * @example
 * const dynamo = await startDynamoTable('faults');
 * afterAll(() => dynamo.close());
 */
export async function startDynamoTable(tableName: string): Promise<LocalServer> {
  const dynamo = await startLocalDynamo({ port: 0 });
  const admin = localDynamoClient(dynamo.endpoint);
  try {
    await ensureTable(admin, tableName);
  } finally {
    admin.destroy();
  }
  return dynamo;
}
