import { afterEach, describe, expect, it, vi } from 'vitest';
import { normalizeDocument } from '../../shared/index.ts';

afterEach(() => vi.restoreAllMocks());

describe('Markdown front matter with YAML tags the reader does not know', () => {
  it('reads the tagged values as plain values and prints no warning', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    const text = '---\ntitle: !custom Tagged title\nauthor: !person Ana Lima\ndate: 2024-01-02\n---\nThe body of the tagged document.\n';
    const doc = normalizeDocument(new TextEncoder().encode(text), { key: 'tagged.md' });
    expect(doc).toMatchObject({ format: 'markdown', title: 'Tagged title', authors: ['Ana Lima'], publishedAt: '2024-01-02' });
    expect(warn).not.toHaveBeenCalled();
  });
});
