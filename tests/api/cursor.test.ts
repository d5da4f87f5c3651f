// Signed cursors (shared/cursor.ts): round trips, and every way a cursor can be unusable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CursorError, MAX_CURSOR_LENGTH, createCursorSigner, queryFingerprint } from '../../shared/cursor.ts';

const signer = createCursorSigner('0123456789abcdef-secret');
const query = queryFingerprint('documents', { site: 'example.com' });
const position = '1#2024-05-01T10:30:00.000Z#d0123456789abcdef01234567';

function reasonOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(CursorError);
    return (error as CursorError).reason;
  }
}

describe('createCursorSigner', () => {
  it('round-trips a position as a URL-safe token', () => {
    const cursor = signer.sign(position, query);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(signer.verify(cursor, query)).toBe(position);
  });

  it('round-trips any position (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 50 }), (anyPosition, site) => {
        const q = queryFingerprint('documents', { site });
        expect(signer.verify(signer.sign(anyPosition, q), q)).toBe(anyPosition);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a cursor with any one character changed (property)', () => {
    const cursor = signer.sign(position, query);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.nat({ max: cursor.length - 1 }), fc.constantFrom(...alphabet), (index, char) => {
        fc.pre(cursor[index] !== char);
        const changed = cursor.slice(0, index) + char + cursor.slice(index + 1);
        expect(reasonOf(() => signer.verify(changed, query))).toMatch(/^(tampered|malformed|other-query)$/);
      }),
      { numRuns: 500 },
    );
  });

  it('tells an altered position from a cursor of another query', () => {
    const cursor = signer.sign(position, query);
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[bytes.length - 1]! ^= 1; // the last character of the position
    expect(reasonOf(() => signer.verify(bytes.toString('base64url'), query))).toBe('tampered');
    expect(reasonOf(() => signer.verify(cursor, queryFingerprint('documents', { site: 'other.example' })))).toBe('other-query');
    expect(reasonOf(() => signer.verify(cursor, queryFingerprint('failures')))).toBe('other-query');
  });

  it('refuses a cursor signed with another secret', () => {
    const other = createCursorSigner('another-secret-value-1234');
    expect(reasonOf(() => signer.verify(other.sign(position, query), query))).toBe('tampered');
  });

  it('refuses tokens that are not cursors', () => {
    const cursor = signer.sign(position, query);
    for (const token of ['', 'a', 'abc', '!!!!', `${cursor}=`, `${cursor} `, cursor.slice(0, 40), 'A'.repeat(MAX_CURSOR_LENGTH + 1)]) {
      expect(reasonOf(() => signer.verify(token, query)), token.slice(0, 20)).toBe('malformed');
    }
    // The version byte.
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[0] = 2;
    expect(reasonOf(() => signer.verify(bytes.toString('base64url'), query))).toBe('malformed');
  });

  it('refuses a secret shorter than 16 characters', () => {
    expect(() => createCursorSigner('short')).toThrow(RangeError);
  });
});

describe('queryFingerprint', () => {
  it('ignores absent filters and key order', () => {
    const a = queryFingerprint('documents', { site: 'x', author: undefined, to: null });
    const b = queryFingerprint('documents', { site: 'x' });
    const c = queryFingerprint('documents', { from: '2024', site: 'x' });
    const d = queryFingerprint('documents', { site: 'x', from: '2024' });
    expect(a.digest.equals(b.digest)).toBe(true);
    expect(c.digest.equals(d.digest)).toBe(true);
    expect(a.digest.equals(c.digest)).toBe(false);
  });

  it('tells filters apart even when their values could be concatenated alike', () => {
    const a = queryFingerprint('documents', { site: 'ab', author: 'c' });
    const b = queryFingerprint('documents', { site: 'a', author: 'bc' });
    expect(a.digest.equals(b.digest)).toBe(false);
  });
});

describe('rotating the cursor secret', () => {
  const OLD = 'the-secret-before-rotation-0123';
  const NEW = 'the-secret-after-rotation-45678';
  const until = new Date('2026-05-01T12:00:00Z');
  let now = until.getTime() - 60_000;
  const before = createCursorSigner(OLD);
  const after = createCursorSigner(NEW, { previous: { secret: OLD, until }, clock: () => now });

  it('accepts a cursor signed with the previous secret during the grace period', () => {
    now = until.getTime() - 1;
    expect(after.verify(before.sign(position, query), query)).toBe(position);
  });

  it('refuses it once the grace period is over, as if altered', () => {
    const cursor = before.sign(position, query);
    now = until.getTime();
    expect(reasonOf(() => after.verify(cursor, query))).toBe('tampered');
  });

  it('signs with the new secret only, and a signer without the previous secret refuses old cursors', () => {
    now = until.getTime() - 1;
    const fresh = after.sign(position, query);
    expect(createCursorSigner(NEW).verify(fresh, query)).toBe(position);
    expect(reasonOf(() => before.verify(fresh, query))).toBe('tampered');
    expect(reasonOf(() => createCursorSigner(NEW).verify(before.sign(position, query), query))).toBe('tampered');
  });

  it('still binds an old cursor to its query during the grace period', () => {
    now = until.getTime() - 1;
    expect(reasonOf(() => after.verify(before.sign(position, query), queryFingerprint('documents', {})))).toBe('other-query');
  });

  it('refuses a short previous secret or an invalid end', () => {
    expect(() => createCursorSigner(NEW, { previous: { secret: 'short', until } })).toThrow(RangeError);
    expect(() => createCursorSigner(NEW, { previous: { secret: OLD, until: new Date('nope') } })).toThrow(/valid date/);
  });
});
