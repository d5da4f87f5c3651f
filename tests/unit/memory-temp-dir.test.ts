import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryTempDir } from '../../local/emulators.ts';

describe('memoryTempDir', () => {
  it('makes a new, writable folder in shared memory when the system has it, else in the temporary folder', async () => {
    const first = await memoryTempDir('docflow-test-');
    const second = await memoryTempDir('docflow-test-');
    try {
      expect(first).not.toBe(second);
      expect(statSync(first).isDirectory()).toBe(true);
      writeFileSync(join(first, 'object'), 'bytes');
      expect(dirname(first)).toBe(existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
    } finally {
      rmSync(first, { recursive: true, force: true });
      rmSync(second, { recursive: true, force: true });
    }
  });
});
