// Date parameters: what `from` and `to` accept and how they compare.
import { describe, expect, it } from 'vitest';
import { inDateRange, isEmptyRange, normalizeDate } from '../../functions/api/dates.ts';

describe('normalizeDate', () => {
  it.each([
    ['2024', '2024'],
    ['2024-05', '2024-05'],
    ['2024-05-01', '2024-05-01'],
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
    ['2024-05-01T12:30:00Z', '2024-05-01T12:30:00.000Z'],
    ['2024-05-01T12:30Z', '2024-05-01T12:30:00.000Z'],
    ['2024-05-01t12:30:00.123456789z', '2024-05-01T12:30:00.123Z'],
    ['2024-05-01T12:30:00+02:00', '2024-05-01T10:30:00.000Z'],
    ['2024-05-01T01:00:00+05:30', '2024-04-30T19:30:00.000Z'],
    ['2024-12-31T23:00:00-02:00', '2025-01-01T01:00:00.000Z'],
  ])('accepts %s as %s', (input, expected) => {
    expect(normalizeDate(input)).toBe(expected);
  });

  it.each([
    '',
    '24-05-01',
    '2024-13',
    '2024-00-10',
    '2023-02-29',
    '1900-02-29',
    '2024-04-31',
    '2024-05-01T12:30',
    '2024-05-01T24:00Z',
    '2024-05-01T12:60Z',
    '2024-05-01T12:30:61Z',
    '2024-05-01T12:30+24:00',
    '2024-05-01 12:30Z',
    '0000-01-01T00:00+01:00',
    '9999-12-31T23:00-02:00',
    'yesterday',
    '2024-05-01Z',
    '+002024-05-01',
  ])('refuses %j', (input) => {
    expect(normalizeDate(input)).toBeNull();
  });
});

describe('isEmptyRange', () => {
  it('is true only when from is after everything to covers', () => {
    expect(isEmptyRange('2024-05-02', '2024-05-01')).toBe(true);
    expect(isEmptyRange('2024-06', '2024-05-31')).toBe(true);
    expect(isEmptyRange('2024-05-01', '2024-05-01')).toBe(false);
    expect(isEmptyRange('2024-05-01T23:59:00.000Z', '2024-05-01')).toBe(false);
    expect(isEmptyRange('2024-05', '2024-05-01')).toBe(false);
    expect(isEmptyRange('2024-05-01T10:00:00.000Z', '2024-05-01T09:59:00.000Z')).toBe(true);
  });
});

describe('inDateRange', () => {
  it('applies the store\'s bounds to sort keys', () => {
    expect(inDateRange('1#2024-05-01#d1', '2024-05-01', '2024-05-01')).toBe(true);
    expect(inDateRange('1#2024-05-01T23:00:00.000Z#d1', undefined, '2024-05-01')).toBe(true);
    expect(inDateRange('1#2024-05-02#d1', undefined, '2024-05-01')).toBe(false);
    expect(inDateRange('1#2024-04-30#d1', '2024-05', undefined)).toBe(false);
    expect(inDateRange('0#d1', undefined, '2024-05-01')).toBe(false);
    expect(inDateRange('0#d1', '2024', undefined)).toBe(false);
    expect(inDateRange('0#d1', undefined, undefined)).toBe(true);
  });
});
