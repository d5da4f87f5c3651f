// `npm run build:wasm`: compiles shared/wasm/*.wat into TypeScript modules holding the binary,
// so the normalizer needs no build step and no file reads at run time. A unit test checks that
// the committed modules match their sources.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import wabt from 'wabt';

const DIR = fileURLToPath(new URL('../shared/wasm/', import.meta.url));

/** The TypeScript module for a WAT file. */
export async function compileWat(path: string): Promise<string> {
  const tools = await wabt();
  const module = tools.parseWat(path, readFileSync(path, 'utf8'), { simd: true });
  try {
    module.validate();
    const { buffer } = module.toBinary({});
    return [
      `// Generated from ${basename(path)} by \`npm run build:wasm\`. Do not edit: change the .wat file and rebuild.`,
      `export const WASM_BASE64 =`,
      `  '${Buffer.from(buffer).toString('base64')}';`,
      '',
    ].join('\n');
  } finally {
    module.destroy();
  }
}

async function main(): Promise<void> {
  for (const name of readdirSync(DIR).filter((file) => file.endsWith('.wat'))) {
    const target = join(DIR, name.replace(/\.wat$/, '.ts'));
    writeFileSync(target, await compileWat(join(DIR, name)));
    console.error(`wrote ${target}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
