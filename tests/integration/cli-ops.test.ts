import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../local/stack.ts';
import { documentIdForKey } from '../../shared/index.ts';
import { ingest } from './support.ts';

describe('ingest upload, redrive and reprocess against the embedded stack', () => {
  let stack: LocalStack;
  let dataDir: string;
  let failuresLeft = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ingest-cli-'));
    stack = await startLocalStack({
      // A visibility timeout well above a slow batch under load, so only injected faults dead-letter.
      dataDir, ...FREE_PORTS, visibilityTimeoutMs: 1_500, maxBatchingWindowMs: 20, maxReceiveCount: 2, logLevel: 'SILENT',
      wrapHandler: (handler) => async (event, context) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new Error('injected outage');
        }
        return handler(event, context);
      },
    });
  });
  afterAll(() => stack?.stop());

  it('uploads a directory with a prefix, then skips what is unchanged', async () => {
    const first = await ingest('upload', 'seeds', '--prefix', 'cli/', '--data-dir', dataDir);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^uploaded (\d+), skipped 0 \(unchanged\), failed 0$/m);
    await stack.drained(30_000);
    expect(await stack.store.getDocument(documentIdForKey('cli/000_5f7353310f704cc7.txt'))).toMatchObject({ authors: ['Reuters'] });
    const second = await ingest('upload', 'seeds', '--prefix', 'cli/', '--data-dir', dataDir);
    expect(second.stdout).toMatch(/^uploaded 0, skipped \d+ \(unchanged\), failed 0$/m);
  });

  it('reports a missing path and exits non-zero', async () => {
    const result = await ingest('upload', 'no-such-dir', '--data-dir', dataDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no-such-dir: no such file or directory');
  });

  it('says how to start the stack when it is not running', async () => {
    const result = await ingest('redrive', '--data-dir', join(dataDir, 'nowhere'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/npm start/);
  });

  it('redrives dead letters and reprocesses a prefix', async () => {
    const deadBefore = stack.queue.depth().dead;
    failuresLeft = 2; // both receives of the next batch fail: it is dead-lettered
    await ingest('upload', 'seeds/001_river-trams-new-routes.txt', '--prefix', 'dlq/', '--data-dir', dataDir);
    await stack.drained(30_000);
    expect(stack.queue.depth().dead - deadBefore).toBe(1);
    const redrive = await ingest('redrive', '--data-dir', dataDir);
    expect(redrive.stdout).toContain(`redrove ${deadBefore + 1} message(s)`);
    await stack.drained(30_000);
    const id = documentIdForKey('dlq/seeds/001_river-trams-new-routes.txt');
    const before = await stack.store.getDocument(id);
    expect(before).not.toBeNull();
    const reprocess = await ingest('reprocess', '--prefix', 'dlq/', '--data-dir', dataDir);
    expect(reprocess.stdout).toContain('queued 1 object(s) under "dlq/"');
    await stack.drained(30_000);
    expect((await stack.store.getDocument(id))!.ingestedAt > before!.ingestedAt).toBe(true);
  });
});
