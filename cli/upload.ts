import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SingleBar } from 'cli-progress';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { localS3Client } from '../local/emulators.ts';
import { expandInputs } from './files.ts';
import { CliError, embeddedOutputsPath, readStackOutputs } from './target.ts';

export interface UploadOptions {
  bucket?: string;
  prefix?: string;
  endpoint?: string;
  concurrency?: number;
  dataDir?: string;
}

export interface UploadSummary {
  uploaded: number;
  skipped: number;
  failed: number;
}

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain',
  text: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  json: 'application/json',
};

function contentTypeOf(key: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase() ?? '';
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

function isLoopback(endpoint: string): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/** The S3 client and bucket an upload goes to: an endpoint, AWS (given a bucket), or the embedded stack. */
async function resolveTarget(options: UploadOptions): Promise<{ s3: S3Client; bucket: string; where: string }> {
  if (options.endpoint) {
    const bucket = options.bucket ?? 'documents';
    // Emulators take LocalStack's test credentials; anything else gets the usual AWS chain.
    const s3 = isLoopback(options.endpoint) && !process.env.AWS_ACCESS_KEY_ID ? localS3Client(options.endpoint) : new S3Client({ endpoint: options.endpoint, forcePathStyle: true });
    return { s3, bucket, where: `${options.endpoint} (bucket ${bucket})` };
  }
  if (options.bucket) return { s3: new S3Client({}), bucket: options.bucket, where: `s3://${options.bucket} on AWS` };
  const outputs = readStackOutputs(embeddedOutputsPath(options.dataDir), 'start the embedded stack with `npm start`, or pass --bucket for AWS');
  if (!outputs.S3Endpoint || !outputs.BucketName) throw new CliError('The embedded outputs file has no S3Endpoint or BucketName.');
  return { s3: localS3Client(outputs.S3Endpoint), bucket: outputs.BucketName, where: `the embedded stack (${outputs.S3Endpoint}, bucket ${outputs.BucketName})` };
}

/**
 * Uploads files to a bucket with bounded concurrency, skipping objects that already hold the
 * same bytes (same ETag, the MD5 of a single-part upload).
 *
 * @example
 * const summary = await uploadFiles(s3, 'documents', ['seeds'], { prefix: 'samples/' });
 */
export async function uploadFiles(
  s3: S3Client,
  bucket: string,
  paths: readonly string[],
  options: { prefix?: string; concurrency?: number; progress?: boolean; err?: NodeJS.WritableStream } = {},
): Promise<UploadSummary> {
  const err = options.err ?? process.stderr;
  const { files, missing } = await expandInputs(paths);
  for (const path of missing) err.write(`${path}: no such file or directory\n`);
  const summary: UploadSummary = { uploaded: 0, skipped: 0, failed: missing.length };
  const bar = options.progress === false ? null : new SingleBar({ stream: err, format: 'uploading [{bar}] {value}/{total} files | {eta_formatted} left', hideCursor: true });
  bar?.start(files.length, 0);
  const limit = pLimit(options.concurrency ?? 8);
  const errors: string[] = [];
  await Promise.all(
    files.map((file) =>
      limit(async () => {
        const key = (options.prefix ?? '') + file.key;
        try {
          const body = await readFile(file.path);
          const md5 = createHash('md5').update(body).digest('hex');
          const existing = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => {
            if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return null;
            throw error;
          });
          if (existing?.ETag?.replace(/"/g, '') === md5) {
            summary.skipped++;
          } else {
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentTypeOf(key) }));
            summary.uploaded++;
          }
        } catch (error) {
          summary.failed++;
          errors.push(`${file.path}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          bar?.increment();
        }
      }),
    ),
  );
  bar?.stop();
  // After the bar, so the lines are not drawn over.
  for (const line of errors) err.write(line + '\n');
  return summary;
}

/** `ingest upload`: returns the exit code. */
export async function uploadCommand(paths: readonly string[], options: UploadOptions): Promise<number> {
  const target = await resolveTarget(options);
  process.stderr.write(`uploading to ${target.where}\n`);
  const summary = await uploadFiles(target.s3, target.bucket, paths, {
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    concurrency: options.concurrency ?? 8,
    progress: process.stderr.isTTY === true,
  });
  target.s3.destroy();
  process.stdout.write(`uploaded ${summary.uploaded}, skipped ${summary.skipped} (unchanged), failed ${summary.failed}\n`);
  return summary.failed > 0 ? 1 : 0;
}
