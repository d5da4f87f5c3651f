import { readFile } from 'node:fs/promises';
import { DocumentError, normalizeDocument } from '../shared/index.ts';
import { expandInputs } from './files.ts';

export interface ParseOptions {
  pretty?: boolean;
}

/**
 * `ingest parse`: prints one normalized document as JSON, or one JSON object a line for several
 * files or a directory. Errors go to stderr, one line a file; returns the process exit code.
 */
export async function parseCommand(inputs: readonly string[], options: ParseOptions, out = process.stdout, err = process.stderr): Promise<number> {
  const { files, missing } = await expandInputs(inputs);
  for (const path of missing) err.write(`${path}: no such file or directory\n`);
  const single = files.length === 1 && inputs.length === 1 && missing.length === 0 && files[0]!.path === inputs[0];
  const pretty = options.pretty ?? single;
  let failed = missing.length;
  for (const file of files) {
    try {
      const doc = normalizeDocument(new Uint8Array(await readFile(file.path)), { key: file.key });
      out.write((pretty ? JSON.stringify(doc, null, 2) : JSON.stringify(doc)) + '\n');
    } catch (error) {
      failed++;
      if (error instanceof DocumentError) err.write(`${file.path}: ${error.code}: ${error.message}\n`);
      else err.write(`${file.path}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  if (files.length + missing.length > 1) {
    err.write(`parsed ${files.length} file(s): ${files.length - failed + missing.length} document(s), ${failed} error(s)\n`);
  }
  return failed > 0 ? 1 : 0;
}
