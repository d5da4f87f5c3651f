// `npm run build:wasm`: compiles shared/wasm/*.wat into TypeScript modules holding the binary,
// so the normalizer needs no build step and no file reads at run time. `--check` compares instead
// of writing, and fails when a module is out of date.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wabt from 'wabt';

const DIR = 'shared/wasm';

/** The TypeScript module for a WAT file. */
export async function compileWat(path: string): Promise<string> {
  const tools = await wabt();
  const module = tools.parseWat(path, readFileSync(path, 'utf8'), { simd: true });
  try {
    module.validate();
    const { buffer } = module.toBinary({});
    const name = path.split('/').pop()!;
    return [
      `// Generated from ${name} by \`npm run build:wasm\`. Do not edit: change the .wat file and rebuild.`,
      `export const WASM_BASE64 =`,
      `  '${Buffer.from(buffer).toString('base64')}';`,
      '',
    ].join('\n');
  } finally {
    module.destroy();
  }
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const name of readdirSync(DIR).filter((file) => file.endsWith('.wat'))) {
    const target = join(DIR, name.replace(/\.wat$/, '.ts'));
    const source = await compileWat(join(DIR, name));
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // Not built yet.
    }
    if (current === source) continue;
    if (check) {
      console.error(`${target} is out of date: run npm run build:wasm`);
      stale++;
    } else {
      writeFileSync(target, source);
      console.error(`wrote ${target}`);
    }
  }
  if (stale > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
