import { Command, InvalidArgumentError, Option } from 'commander';
import { apiKeyCommand } from './api-key.ts';
import { devCommand, type DevOptions } from './dev.ts';
import { redriveCommand, reprocessCommand } from './ops.ts';
import { parseCommand } from './parse.ts';
import { describeError } from './errors.ts';
import { CliError } from './target.ts';
import { uploadCommand } from './upload.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free one).');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}

/**
 * Runs a command's action and turns its result into the exit code: 2 for a CliError (the
 * command cannot run as asked), 1 for any other error. Either is one `ingest: ...` line on
 * stderr; `--debug` adds the stack.
 */
function run<A extends unknown[]>(action: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      process.exitCode = await action(...args);
    } catch (error) {
      const debug = program.opts<{ debug?: boolean }>().debug === true;
      process.stderr.write(`ingest: ${describeError(error)}${debug || error instanceof CliError ? '' : ' (--debug shows the stack trace)'}\n`);
      if (debug && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error instanceof CliError ? 2 : 1;
    }
  };
}

const program = new Command('ingest')
  .description('Document ingestion: normalize documents, run the embedded stack, upload, replay.')
  .option('--debug', 'print the stack trace of an error')
  .showHelpAfterError();

program
  .command('parse')
  .description('normalize files or directories and print the documents as JSON (one object a line for several)')
  .argument('<paths...>', 'files or directories')
  .option('--pretty', 'indent the JSON even for several files')
  .option('--no-pretty', 'print one line even for a single file')
  .action(run((paths: string[], options: { pretty?: boolean }) => parseCommand(paths, options)));

program
  .command('dev')
  .description('run the embedded stack: local S3 and DynamoDB, the queue and parser, the read API (npm start)')
  .option('--data-dir <dir>', 'where data is kept across restarts', '.ingest')
  .option('--fresh', 'wipe the data folder first', false)
  .option('--bucket <name>', 'the documents bucket', 'documents')
  .option('--s3-port <port>', 'local S3 port', port, 4568)
  .option('--dynamodb-port <port>', 'local DynamoDB port', port, 4567)
  .option('--api-port <port>', 'read API port', port, 3000)
  .option('--control-port <port>', 'control endpoint port (used by redrive and reprocess)', port, 4570)
  .option('--seed', 'upload seeds/ at start', false)
  .option('--visibility-timeout <seconds>', 'seconds before a failed message is retried', positiveInt, 30)
  .option('--max-receive-count <n>', 'receives before a message goes to the dead-letter queue', positiveInt, 5)
  .option('--concurrency <n>', 'batches processed at once', positiveInt, 2)
  .addOption(new Option('--log-level <level>', 'parser and store log level').choices(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('WARN'))
  .option('--api-key <key>', 'make the read API require this key in x-api-key (default: API_KEY, else no key)')
  .option('--private-docs', 'with a key: /docs and /openapi.json need it too', false)
  .action(run((options: DevOptions) => devCommand(options)));

program
  .command('api-key')
  .description("print the read API's key (deployed with apiAuth=apiKey, or the embedded stack with --api-key)")
  .option('--outputs <file>', 'a deployed stack outputs file (outputs/aws.json); the embedded stack by default')
  .option('--data-dir <dir>', "the embedded stack's data folder", '.ingest')
  .action(run((options: Parameters<typeof apiKeyCommand>[0]) => apiKeyCommand(options)));

program
  .command('upload')
  .description('upload files or directories to the bucket, with a progress bar (embedded stack by default)')
  .argument('<paths...>', 'files or directories')
  .option('--bucket <name>', 'upload to this bucket on AWS (credentials from the usual AWS chain)')
  .option('--prefix <prefix>', 'key prefix, e.g. news/2026/')
  .option('--endpoint <url>', 'an S3 endpoint instead of AWS (LocalStack or MiniStack: http://127.0.0.1:4566)')
  .option('--concurrency <n>', 'uploads at once', positiveInt, 8)
  .option('--data-dir <dir>', "the embedded stack's data folder", '.ingest')
  .action(run((paths: string[], options: Parameters<typeof uploadCommand>[1]) => uploadCommand(paths, options)));

program
  .command('redrive')
  .description('move every message in the dead-letter queue back to the queue')
  .option('--outputs <file>', 'a deployed stack outputs file (outputs/aws.json); the embedded stack by default')
  .option('--data-dir <dir>', "the embedded stack's data folder", '.ingest')
  .option('--timeout <seconds>', 'give up waiting for the move after this long', positiveInt, 300)
  .action(run((options: Parameters<typeof redriveCommand>[0] & { timeout: number }) => redriveCommand({ ...options, timeoutSeconds: options.timeout })));

program
  .command('reprocess')
  .description('run every object under a prefix through the parser again (after a parser upgrade)')
  .option('--prefix <prefix>', 'only keys that start with this', '')
  .option('--outputs <file>', 'a deployed stack outputs file (outputs/aws.json); the embedded stack by default')
  .option('--data-dir <dir>', "the embedded stack's data folder", '.ingest')
  .action(run((options: Parameters<typeof reprocessCommand>[0]) => reprocessCommand(options)));

await program.parseAsync(process.argv);
