// The S3 event edge: keys encoded the way S3 encodes them decode back to the exact key, and
// sequencers of different lengths order like the hex numbers they are.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareSequencers,
  decodeS3EventKey,
  encodeS3EventKey,
  normalizeSequencer,
  s3EventNotification,
} from '../../shared/s3-event.ts';

describe('S3 event keys', () => {
  it('encodes as S3 does: + for a space, %XX of UTF-8 for the rest, / kept', () => {
    expect(encodeS3EventKey('red flower.jpg')).toBe('red+flower.jpg');
    expect(encodeS3EventKey('a+b')).toBe('a%2Bb');
    expect(encodeS3EventKey('100%')).toBe('100%25');
    expect(encodeS3EventKey('dir/sub dir/é.txt')).toBe('dir/sub+dir/%C3%A9.txt');
    expect(encodeS3EventKey('x=1;y:2(3)~')).toBe('x%3D1%3By%3A2%283%29%7E');
    expect(encodeS3EventKey('🎉')).toBe('%F0%9F%8E%89');
  });

  it('decodes what it encodes, for any key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (key) => {
        const encoded = encodeS3EventKey(key);
        expect(encoded).toMatch(/^[A-Za-z0-9\-_.*/+%]*$/);
        expect(decodeS3EventKey(encoded)).toBe(key);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes keys encoded by other encoders too (%20, %2F)', () => {
    expect(decodeS3EventKey('a%20b%2Fc+d')).toBe('a b/c d');
  });

  it('builds an event whose key is encoded and whose object fields match the event type', () => {
    const created = s3EventNotification({ bucket: 'b', key: 'a b', eventName: 'ObjectCreated:Put', sequencer: '0A', size: 3 });
    expect(created.Records[0]).toMatchObject({ eventName: 'ObjectCreated:Put', s3: { object: { key: 'a+b', size: 3, sequencer: '0A' } } });
    const removed = s3EventNotification({ bucket: 'b', key: 'a b', eventName: 'ObjectRemoved:Delete', sequencer: '0B' });
    expect(removed.Records[0]).toMatchObject({ s3: { object: { key: 'a+b', sequencer: '0B' } } });
    expect((removed.Records[0].s3 as { object: object }).object).not.toHaveProperty('size');
  });
});

describe('S3 sequencers', () => {
  const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 1, maxLength: 32 });

  it('orders like the hex numbers they are, whatever their lengths', () => {
    fc.assert(
      fc.property(hex, hex, (a, b) => {
        const numeric = BigInt(`0x${a}`) - BigInt(`0x${b}`);
        expect(Math.sign(compareSequencers(a, b))).toBe(numeric > 0n ? 1 : numeric < 0n ? -1 : 0);
        const [x, y] = [normalizeSequencer(a), normalizeSequencer(b)];
        // Plain string comparison of the normalized form, as DynamoDB condition expressions do it.
        expect(x < y ? -1 : x > y ? 1 : 0).toBe(Math.sign(compareSequencers(a, b)));
      }),
    );
  });

  it('normalizes to 32 upper-case digits and rejects anything else', () => {
    expect(normalizeSequencer('0055aed6dcd90281e5')).toBe('000000000000000055AED6DCD90281E5');
    expect(() => normalizeSequencer('')).toThrow(RangeError);
    expect(() => normalizeSequencer('12G')).toThrow(RangeError);
    expect(() => normalizeSequencer('1'.repeat(33))).toThrow(RangeError);
  });
});
