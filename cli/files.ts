import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** One input file: its path on disk and the key it gets (relative, with `/` separators). */
export interface InputFile {
  path: string;
  key: string;
}

/**
 * Expands files and directories (recursively, sorted, skipping dot-files) into input files.
 * A directory's files are keyed relative to the directory; a file given directly by its name.
 * Paths that do not exist are returned in `missing`.
 */
export async function expandInputs(inputs: readonly string[]): Promise<{ files: InputFile[]; missing: string[] }> {
  const files: InputFile[] = [];
  const missing: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (info === null) missing.push(input);
    else if (info.isDirectory()) {
      for (const path of await walk(input)) files.push({ path, key: relative(input, path).split(sep).join('/') });
    } else {
      files.push({ path: input, key: input.split(sep).filter((part) => part !== '.' && part !== '').join('/') });
    }
  }
  return { files, missing };
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const paths: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) paths.push(...(await walk(path)));
    else if (entry.isFile()) paths.push(path);
  }
  return paths;
}
