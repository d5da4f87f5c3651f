// The embedded stack with a key: `ingest dev --api-key` / API_KEY in a real process (banner, 401,
// 403, the right key), and `ingest api-key` reading the key from the running stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiKeyOf } from '../../cli/dev.ts';
import { CliError } from '../../cli/target.ts';
import { ingest } from './support.ts';

const KEY = 'local-key-for-the-dev-test-0123456789';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});


/** Starts `ingest dev` on free ports and resolves with its banner once it is serving. */
async function dev(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; banner: string; apiUrl: string; dataDir: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ingest-dev-key-'));
  dirs.push(dataDir);
  const ports = ['--s3-port', '0', '--dynamodb-port', '0', '--api-port', '0', '--control-port', '0'];
  const child = spawn(process.execPath, ['bin/ingest.js', 'dev', '--data-dir', dataDir, ...ports, '--log-level', 'SILENT', ...args], {
    env: { ...process.env, API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let banner = '';
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      banner += chunk.toString('utf8');
      if (banner.includes('Ctrl-C stops it')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`ingest dev exited with ${code}: ${errors}`)));
  });
  const apiUrl = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!;
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  return { child, banner, apiUrl, dataDir, stop };
}

describe('ingest dev with an API key', () => {
  it('requires the key given by --api-key, says so in the banner, and ingest api-key prints it', async () => {
    const stack = await dev(['--api-key', KEY]);
    try {
      expect(stack.banner).toMatch(/auth\s+x-api-key required/);
      expect(stack.banner).toContain('curl -H "x-api-key: $(npx ingest api-key)"');
      const missing = await fetch(`${stack.apiUrl}/documents`);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('content-type')).toBe('application/problem+json');
      expect(missing.headers.get('www-authenticate')).toBe('ApiKey header="x-api-key"');
      expect((await fetch(`${stack.apiUrl}/documents`, { headers: { 'x-api-key': 'not-the-key-at-all-000' } })).status).toBe(403);
      expect((await fetch(`${stack.apiUrl}/documents`, { headers: { 'x-api-key': KEY } })).status).toBe(200);
      expect((await fetch(`${stack.apiUrl}/health`)).status).toBe(200);
      expect((await fetch(`${stack.apiUrl}/openapi.json`)).status).toBe(200);

      const printed = await ingest('api-key', '--data-dir', stack.dataDir);
      expect(printed).toMatchObject({ code: 0, stdout: `${KEY}\n` });
    } finally {
      await stack.stop();
    }
  });

  it('takes the key from API_KEY, and --private-docs closes /docs and /openapi.json', async () => {
    const stack = await dev(['--private-docs'], { API_KEY: KEY });
    try {
      expect(stack.banner).toMatch(/only \/health and CORS preflights answer without it/);
      expect((await fetch(`${stack.apiUrl}/openapi.json`)).status).toBe(401);
      expect((await fetch(`${stack.apiUrl}/openapi.json`, { headers: { 'x-api-key': KEY } })).status).toBe(200);
    } finally {
      await stack.stop();
    }
  });

  it('stays open without a key, says so, and ingest api-key explains there is none', async () => {
    const stack = await dev([]);
    try {
      expect(stack.banner).toMatch(/auth\s+none: the API answers anyone/);
      expect((await fetch(`${stack.apiUrl}/documents`)).status).toBe(200);
      const printed = await ingest('api-key', '--data-dir', stack.dataDir);
      expect(printed.code).toBe(2);
      expect(printed.stdout).toBe('');
      expect(printed.stderr).toBe('ingest: The embedded stack runs without an API key: start it with --api-key KEY (or API_KEY=KEY) to require one.\n');
    } finally {
      await stack.stop();
    }
  });

  it('refuses a short or spaced key with a clear message and no stack trace', async () => {
    const result = await ingest('dev', '--api-key', 'short', '--data-dir', join(tmpdir(), 'ingest-never-created'));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("ingest: --api-key must be at least 20 printable characters with no spaces (API Gateway's rule for key values), got 5.\n");
  });
});

describe('apiKeyOf', () => {
  it('prefers --api-key, falls back to API_KEY, and treats an empty API_KEY as none', () => {
    expect(apiKeyOf({ apiKey: KEY }, { API_KEY: 'x'.repeat(30) })).toBe(KEY);
    expect(apiKeyOf({}, { API_KEY: KEY })).toBe(KEY);
    expect(apiKeyOf({}, { API_KEY: '' })).toBeUndefined();
    expect(apiKeyOf({}, {})).toBeUndefined();
    expect(() => apiKeyOf({}, { API_KEY: ` ${KEY}` })).toThrow(CliError);
    expect(() => apiKeyOf({ apiKey: '' }, {})).toThrow(/--api-key/);
  });
});
