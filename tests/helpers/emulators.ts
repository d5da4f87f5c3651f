// Real local emulators for integration tests: s3rver (S3) and dynalite (DynamoDB) over HTTP on
// free ports, with the buckets and the documents table created exactly as deployed.
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTableInput } from '../../shared/store/index.ts';

const require = createRequire(import.meta.url);

// Neither package ships types; these are the parts used here.
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;
type Dynalite = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

/** Credentials both emulators accept (s3rver is taught them below). */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const EMULATOR_REGION = 'us-east-1';

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

  // s3rver checks signatures against its own key registry (S3RVER/S3RVER by default).
  const account = require('s3rver/lib/models/account') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  account.DUMMY_ACCOUNT.createKeyPair(EMULATOR_CREDENTIALS.accessKeyId, EMULATOR_CREDENTIALS.secretAccessKey);

  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const S3rver = require('s3rver') as S3rverConstructor;
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: documentsBucket }, { name: bodiesBucket }],
  });
  const s3Address = await s3rver.run();

  const dynalite = require('dynalite') as Dynalite;
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamoServer.once('error', reject);
    dynamoServer.listen(0, '127.0.0.1', () => resolve());
  });
  const dynamoAddress = dynamoServer.address() as AddressInfo;

  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
  const dynamodbEndpoint = `http://127.0.0.1:${dynamoAddress.port}`;

  const s3Client = () =>
    new S3Client({
      endpoint: s3Endpoint,
      region: EMULATOR_REGION,
      credentials: EMULATOR_CREDENTIALS,
      forcePathStyle: true,
      // s3rver predates the SDK's default CRC32 trailers on uploads.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const dynamodbClient = () =>
    new DynamoDBClient({ endpoint: dynamodbEndpoint, region: EMULATOR_REGION, credentials: EMULATOR_CREDENTIALS });

  const admin = dynamodbClient();
  const createTable = async (name: string) => {
    await admin.send(new CreateTableCommand(createTableInput(name)));
    for (let attempt = 0; ; attempt++) {
      const { Table } = await admin.send(new DescribeTableCommand({ TableName: name }));
      if (Table?.TableStatus === 'ACTIVE') return;
      if (attempt > 100) throw new Error(`Table ${name} did not become ACTIVE.`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await createTable(tableName);

  return {
    s3Endpoint,
    dynamodbEndpoint,
    documentsBucket,
    bodiesBucket,
    tableName,
    s3Client,
    dynamodbClient,
    createTable,
    async stop() {
      admin.destroy();
      await Promise.allSettled([
        s3rver.close(),
        new Promise<void>((resolve) => dynamoServer.close(() => resolve())),
      ]);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
