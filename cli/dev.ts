import { existsSync } from 'node:fs';
import { startLocalStack, type LocalStackOptions } from '../local/stack.ts';
import { CliError } from './target.ts';
import { uploadFiles } from './upload.ts';

/** API Gateway's own lower bound for a key's value: the same rule locally. */
export const MIN_API_KEY_LENGTH = 20;

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
  /** `--api-key`; `API_KEY` in the environment when absent. */
  apiKey?: string;
  /** `--private-docs`: /docs and /openapi.json need the key too. */
  privateDocs?: boolean;
}

/**
 * The key the local API requires, from `--api-key` or else `API_KEY`; undefined for none.
 *
 * @example
 * apiKeyOf({ apiKey: undefined }, { API_KEY: 'a-local-key-of-20-chars' }); // 'a-local-key-of-20-chars'
 */
export function apiKeyOf(options: Pick<DevOptions, 'apiKey'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const [source, raw] = options.apiKey !== undefined ? ['--api-key', options.apiKey] : ['API_KEY', env.API_KEY];
  if (raw === undefined || (source === 'API_KEY' && raw === '')) return undefined;
  if (raw.trim() !== raw || raw.length < MIN_API_KEY_LENGTH || /[^\x21-\x7e]/.test(raw)) {
    throw new CliError(`${source} must be at least ${MIN_API_KEY_LENGTH} printable characters with no spaces (API Gateway's rule for key values), got ${raw.length}.`);
  }
  return raw;
}

/** The banner lines that say what the local API asks for. */
export function authBanner(apiKey: string | undefined, privateDocs: boolean): string[] {
  if (apiKey === undefined) {
    return [
      '  auth      none: the API answers anyone who can reach this machine\'s loopback (--api-key KEY or API_KEY=KEY requires a key)',
    ];
  }
  const open = privateDocs ? '/health' : '/health, /docs and /openapi.json';
  return [`  auth      x-api-key required (npx ingest api-key prints it); only ${open} and CORS preflights answer without it`];
}


/** `ingest dev` (`npm start`): runs the embedded stack until Ctrl-C. */
export async function devCommand(options: DevOptions): Promise<number> {
  const apiKey = apiKeyOf(options);
  const privateDocs = options.privateDocs ?? false;
  if (privateDocs && apiKey === undefined) throw new CliError('--private-docs needs an API key (--api-key KEY or API_KEY=KEY).');
  const stack = await startLocalStack({
    ...(apiKey !== undefined ? { apiKey, publicDocs: !privateDocs } : {}),
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
    ...authBanner(apiKey, privateDocs),
    `  S3        ${stack.s3Endpoint}   bucket: ${stack.bucket}`,
    `  DynamoDB  ${stack.dynamodbEndpoint}   table: ${stack.tableName}`,
    `  control   ${stack.controlUrl}`,
    `  data      ${options.dataDir}/ (endpoints in ${stack.outputsPath})`,
    '',
    'Try it (credentials test/test, as for LocalStack):',
    `  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=${stack.region} \\`,
    `    aws --endpoint-url ${stack.s3Endpoint} s3 cp ${seedFile} s3://${stack.bucket}/`,
    '  npx ingest upload seeds',
    apiKey === undefined
      ? `  curl '${stack.apiUrl}/documents?site=themoscowtimes.com'`
      : `  curl -H "x-api-key: $(npx ingest api-key)" '${stack.apiUrl}/documents?site=themoscowtimes.com'`,
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
