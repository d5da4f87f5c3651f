/**
 * How the Lambda handlers are bundled, in one place.
 *
 * The stack hands these options to `NodejsFunction` (which runs the local esbuild CLI),
 * and `bench/bundle.ts` hands the same options to esbuild's JS API, so the bundles the
 * bench measures are the bundles that get deployed. `tests/infra` checks that both
 * routes produce byte-identical output, so the two cannot drift apart silently.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** Repository root (this file lives in `infra/`). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The two deployed functions and their entry points, relative to the project root. */
export const FUNCTION_ENTRIES = {
  parser: 'functions/parser/handler.ts',
  api: 'functions/api/handler.ts',
} as const;

export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/**
 * Whether `@aws-sdk/*` goes into the bundle or is left to the copy the Lambda runtime ships.
 *
 * `'bundled'`: the SDK version is the one in package-lock.json (the one the tests ran
 * against), esbuild tree-shakes the ES module builds down to the commands in use, and
 * the module loader reads one file instead of hundreds at cold start. See
 * docs/deploy.md for the figures from `npm run bench:bundle` that decided it.
 */
export const AWS_SDK_MODE = 'bundled' as 'bundled' | 'external';

/**
 * Lines placed at the top of every ESM bundle.
 *
 * Some dependencies are CommonJS and call `require()` for Node built-ins; esbuild turns
 * those calls into a shim that throws in an ES module unless a `require` exists in
 * module scope. The aliased import keeps the name from clashing with bundled code.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __docflowCreateRequire } from 'node:module'; const require = __docflowCreateRequire(import.meta.url);";

/** The bundle settings both routes share. */
export const BUNDLE_SETTINGS = {
  /** Node 20 syntax runs on the nodejs24.x runtime and on this repository's Node 20. */
  target: 'node20',
  format: 'esm',
  platform: 'node',
  minify: true,
  // Class and function names survive minification, so error names in logs stay readable.
  keepNames: true,
  // No source maps: `--enable-source-maps` costs cold-start time and the map doubles the
  // asset; keepNames plus structured logs are enough to find a failing handler.
  sourceMap: false,
  // Prefer the ES module builds of dependencies: esbuild can only tree-shake ESM.
  mainFields: ['module', 'main'],
  externalModules: AWS_SDK_MODE === 'external' ? ['@aws-sdk/*', '@smithy/*'] : [],
  banner: ESM_REQUIRE_BANNER,
  // linkedom's CSS parser, only behind `<style>.sheet`, which the normalizer never reads:
  // 200 KB and a tenth of the parser's cold-start import (`npm run bench:bundle`).
  alias: { 'cssomnom/parse': './functions/cssomnom-parse.ts' },
} as const;

/** The file name the bundle is written to; the Lambda handler string is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';

/** `NodejsFunction` bundling options: local esbuild only, never Docker. */
export function cdkBundlingOptions(): BundlingOptions {
  return {
    target: BUNDLE_SETTINGS.target,
    format: OutputFormat.ESM,
    minify: BUNDLE_SETTINGS.minify,
    keepNames: BUNDLE_SETTINGS.keepNames,
    sourceMap: BUNDLE_SETTINGS.sourceMap,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    externalModules: [...BUNDLE_SETTINGS.externalModules],
    banner: BUNDLE_SETTINGS.banner,
    esbuildArgs: { '--alias': Object.entries(BUNDLE_SETTINGS.alias).map(([from, to]) => `${from}=${to}`) },
    logLevel: LogLevel.WARNING,
    forceDockerBundling: false,
  };
}

/**
 * esbuild JS API options equivalent to {@link cdkBundlingOptions}.
 *
 * @example
 * await esbuild.build(esbuildOptions('functions/api/handler.ts', '/tmp/api/index.mjs'));
 */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [path.resolve(PROJECT_ROOT, entry)],
    outfile,
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: BUNDLE_SETTINGS.platform,
    target: BUNDLE_SETTINGS.target,
    format: BUNDLE_SETTINGS.format,
    minify: BUNDLE_SETTINGS.minify,
    keepNames: BUNDLE_SETTINGS.keepNames,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    external: [...BUNDLE_SETTINGS.externalModules],
    banner: { js: BUNDLE_SETTINGS.banner },
    alias: { ...BUNDLE_SETTINGS.alias },
    logLevel: 'warning',
  };
}
