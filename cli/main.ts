import { Command, InvalidArgumentError } from 'commander';
import { parseCommand } from './parse.ts';

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}

const program = new Command('ingest')
  .description('Document ingestion: normalize documents, run the local stack, upload, replay failures.')
  .showHelpAfterError()
  .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

program
  .command('parse')
  .description('normalize files or directories and print the documents as JSON (one object a line for several)')
  .argument('<paths...>', 'files or directories')
  .option('--pretty', 'indent the JSON even for several files')
  .option('--no-pretty', 'print one line even for a single file')
  .action(async (paths: string[], options: { pretty?: boolean }) => {
    process.exitCode = await parseCommand(paths, options);
  });

await program.parseAsync(process.argv);
