import { existsSync } from 'node:fs';
import { startLocalStack, type LocalStackOptions } from '../local/stack.ts';
import { uploadFiles } from './upload.ts';

export interface DevOptions {
  dataDir: string;
  fresh: boolean;
  bucket: string;
  s3Port: number;
  dynamodbPort: number;
  apiPort: number;
  controlPort: number;
  seed: boolean;
  visibilityTimeout: number;
  maxReceiveCount: number;
  concurrency: number;
  logLevel: NonNullable<LocalStackOptions['logLevel']>;
}

/** `ingest dev` (`npm start`): runs the embedded stack until Ctrl-C. */
export async function devCommand(options: DevOptions): Promise<number> {
  const stack = await startLocalStack({
    dataDir: options.dataDir,
    fresh: options.fresh,
    bucket: options.bucket,
    s3Port: options.s3Port,
    dynamodbPort: options.dynamodbPort,
    apiPort: options.apiPort,
    controlPort: options.controlPort,
    visibilityTimeoutMs: options.visibilityTimeout * 1000,
    maxReceiveCount: options.maxReceiveCount,
    concurrency: options.concurrency,
    logLevel: options.logLevel,
  });
  const seedFile = 'seeds/000_5f7353310f704cc7.txt';
  const lines = [
    'docflow embedded stack is running',
    `  API       ${stack.apiUrl}   (reference: ${stack.apiUrl}/docs)`,
    `  S3        ${stack.s3Endpoint}   bucket: ${stack.bucket}`,
    `  DynamoDB  ${stack.dynamodbEndpoint}   table: ${stack.tableName}`,
    `  control   ${stack.controlUrl}`,
    `  data      ${options.dataDir}/ (endpoints in ${stack.outputsPath})`,
    '',
    'Try it (credentials test/test, as for LocalStack):',
    `  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=${stack.region} \\`,
    `    aws --endpoint-url ${stack.s3Endpoint} s3 cp ${seedFile} s3://${stack.bucket}/`,
    '  npx ingest upload seeds',
    `  curl '${stack.apiUrl}/documents?site=themoscowtimes.com'`,
    '',
    `Ctrl-C stops it; the data stays in ${options.dataDir}/ (--fresh wipes it).`,
  ];
  process.stdout.write(lines.join('\n') + '\n');

  if (options.seed) {
    if (existsSync('seeds')) {
      const { localS3Client } = await import('../local/emulators.ts');
      const s3 = localS3Client(stack.s3Endpoint);
      const summary = await uploadFiles(s3, stack.bucket, ['seeds'], { progress: false });
      s3.destroy();
      process.stdout.write(`seeded: uploaded ${summary.uploaded}, skipped ${summary.skipped} (unchanged), failed ${summary.failed}\n`);
    } else {
      process.stderr.write('--seed: no seeds/ folder here; nothing uploaded\n');
    }
  }

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.stdout.write('\nstopping...\n');
  await stack.stop();
  process.stdout.write('stopped; data kept\n');
  return 0;
}
