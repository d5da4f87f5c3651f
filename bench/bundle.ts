/**
 * Bundle size and cold-start import time of the Lambda handlers.
 *
 *   npm run bench:bundle [-- --runs 15] [--compare LABEL=FILE ...]
 *
 * Bundles each function with the options the stack deploys (infra/bundling.ts), and the
 * same function with the other `@aws-sdk/*` choice (bundled vs left to the runtime) for
 * comparison. For each bundle it prints the size (bytes, KB, gzipped KB) and the time to
 * `import()` the module in a fresh `node` process, median and p90 over N processes, beside
 * an empty handler module measured the same way in the same run. `--compare` adds bundles built
 * elsewhere (say, from an earlier commit with the same options) as rows of the same run.
 *
 * The import time is what the bundle adds to a Lambda cold start's init phase on this
 * machine's Node (not the nodejs24.x runtime on arm64): compare rows with each other and
 * with the empty module, not with Lambda's reported Init Duration.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import {
  AWS_SDK_MODE,
  BUNDLE_FILE,
  FUNCTION_ENTRIES,
  PROJECT_ROOT,
  esbuildOptions,
  type FunctionName,
} from '../infra/bundling.ts';

interface Subject {
  label: string;
  file: string;
  deployed: boolean;
}

interface Row extends Subject {
  bytes: number;
  gzipBytes: number;
  importMs: number[];
  /** CPU time (user + system) of the same imports: less swayed by other work on the machine. */
  cpuMs: number[];
}

// Inside the project, so a bundle that leaves @aws-sdk/* external resolves it from
// node_modules the way the Lambda runtime resolves its own copy.
const OUT_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'docflow-bench-bundle');

// The handlers read their configuration at module scope; give them values so the import
// succeeds. No request is sent: SDK clients connect on first use, not on construction.
const HANDLER_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'bench-table',
  DOCUMENTS_BUCKET: 'bench-documents',
  BODIES_BUCKET: 'bench-bodies',
  CURSOR_SECRET: 'bench-cursor-secret-bench-cursor-secret',
  CORS_ORIGINS: '*',
  LOG_LEVEL: 'ERROR',
};

function parseRuns(argv: string[]): number {
  const index = argv.indexOf('--runs');
  if (index === -1) return 15;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 3) throw new Error('--runs must be a whole number of at least 3.');
  return value;
}

/** `--compare LABEL=FILE` pairs: bundles built elsewhere, measured beside this tree's. */
function parseComparisons(argv: string[]): Subject[] {
  const found: Subject[] = [];
  argv.forEach((arg, i) => {
    if (arg !== '--compare') return;
    const [label, file] = (argv[i + 1] ?? '').split(/=(.*)/s);
    if (!label || !file) throw new Error('--compare takes LABEL=FILE, for example --compare parser@main=/path/to/index.mjs');
    found.push({ label, file: path.resolve(file), deployed: false });
  });
  return found;
}

async function bundle(name: FunctionName, mode: 'bundled' | 'external'): Promise<Subject> {
  const outfile = path.join(OUT_DIR, `${name}-${mode}`, BUNDLE_FILE);
  const options = esbuildOptions(FUNCTION_ENTRIES[name], outfile);
  const external = mode === 'external' ? ['@aws-sdk/*', '@smithy/*'] : [];
  await esbuild.build({ ...options, external });
  const deployed = mode === AWS_SDK_MODE;
  return { label: `${name} (sdk ${mode})`, file: outfile, deployed };
}

/** Milliseconds to import `file` in a fresh node process: wall time, and the CPU time it took. */
function timeImport(file: string): { wall: number; cpu: number } {
  const url = pathToFileURL(file).href;
  const script = [
    'const cpu = process.cpuUsage();',
    'const start = performance.now();',
    `const mod = await import(${JSON.stringify(url)});`,
    'const ms = performance.now() - start;',
    'const used = process.cpuUsage(cpu);',
    "if (typeof mod.handler !== 'function') throw new Error('no handler export');",
    'process.stdout.write(`${ms} ${(used.user + used.system) / 1000}`);',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.dirname(file),
    env: { PATH: process.env.PATH ?? '', ...HANDLER_ENV },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`importing ${file} failed (exit ${result.status}):\n${result.stderr}`);
  }
  const [wall, cpu] = result.stdout.split(' ').map(Number);
  return { wall: wall!, cpu: cpu! };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const runs = parseRuns(process.argv.slice(2));
  const comparisons = parseComparisons(process.argv.slice(2));
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });

  const emptyFile = path.join(OUT_DIR, 'empty', BUNDLE_FILE);
  mkdirSync(path.dirname(emptyFile), { recursive: true });
  writeFileSync(emptyFile, 'export const handler = async () => ({});\n');

  const other = AWS_SDK_MODE === 'bundled' ? 'external' : 'bundled';
  const subjects: Subject[] = [{ label: 'empty handler', file: emptyFile, deployed: false }];
  for (const name of Object.keys(FUNCTION_ENTRIES) as FunctionName[]) {
    subjects.push(await bundle(name, AWS_SDK_MODE), await bundle(name, other));
  }
  subjects.push(...comparisons);

  const rows: Row[] = subjects.map((s) => {
    const content = readFileSync(s.file);
    return { ...s, bytes: content.byteLength, gzipBytes: gzipSync(content).byteLength, importMs: [], cpuMs: [] };
  });

  // Round-robin, so drift in machine load spreads evenly over the subjects.
  for (const row of rows) timeImport(row.file); // warm the file cache; not counted
  for (let run = 0; run < runs; run += 1) {
    for (const row of rows) {
      const { wall, cpu } = timeImport(row.file);
      row.importMs.push(wall);
      row.cpuMs.push(cpu);
    }
  }

  const empty = quantile(rows[0]!.importMs, 0.5);
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  // `+ 0` turns -0 into 0, so a difference that rounds to nothing prints as 0.0.
  const ms = (value: number) => (Math.round(value * 10) / 10 + 0).toFixed(1);
  console.log(`Bundles: esbuild ${esbuild.version}, options from infra/bundling.ts; node ${process.version}`);
  console.log(`Import time: ${runs} fresh node processes per bundle; * = what the stack deploys (sdk ${AWS_SDK_MODE})\n`);
  console.log(
    table(
      ['bundle', 'bytes', 'KB', 'gzip KB', 'import median ms', 'p90 ms', '+ms vs empty', 'x empty', 'CPU median ms'],
      rows.map((row) => {
        const median = quantile(row.importMs, 0.5);
        return [
          `${row.deployed ? '* ' : '  '}${row.label}`,
          String(row.bytes),
          kb(row.bytes),
          kb(row.gzipBytes),
          ms(median),
          ms(quantile(row.importMs, 0.9)),
          ms(median - empty),
          (median / empty).toFixed(1),
          ms(quantile(row.cpuMs, 0.5)),
        ];
      }),
    ),
  );
  console.log(
    '\nThe external rows load @aws-sdk/* from node_modules the way Lambda loads the runtime copy; their size leaves the SDK out.\n' +
      'CPU is the user + system time of the import, which other work on a busy machine sways less than the wall time.',
  );
}

await main();
