import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function ingest(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/ingest.js', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('ingest CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-cli-'));
  writeFileSync(join(dir, 'a.txt'), 'Road Works\nThe bridge closes on Monday.');
  writeFileSync(join(dir, 'b.json'), JSON.stringify({ title: 'Budget', body: 'The council met.' }));
  writeFileSync(join(dir, 'c.txt'), '');

  it('lists its commands with --help', () => {
    const { status, stdout } = ingest('--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(/parse/);
  });

  it('prints one document as JSON on stdout and exits 0', () => {
    const { status, stdout, stderr } = ingest('parse', join(dir, 'a.txt'));
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ title: 'Road Works', body: 'The bridge closes on Monday.', format: 'text' });
    expect(stderr).toBe('');
  });

  it('prints one line a document for a directory, reports each error on stderr and exits non-zero', () => {
    const { status, stdout, stderr } = ingest('parse', dir);
    expect(status).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).title)).toEqual(['Road Works', 'Budget']);
    expect(stderr).toContain(`${join(dir, 'c.txt')}: empty: The file is empty (0 bytes).`);
  });

  it('names a missing file and keeps going', () => {
    const { status, stdout, stderr } = ingest('parse', join(dir, 'missing.txt'), join(dir, 'a.txt'));
    expect(status).toBe(1);
    expect(JSON.parse(stdout.trim()).title).toBe('Road Works');
    expect(stderr).toMatch(/missing\.txt: no such file or directory/);
  });
});
