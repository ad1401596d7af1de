import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/core/adapters/fields.js';

describe('parseTimestamp', () => {
  const want = Date.UTC(2026, 7, 10, 9, 15, 0);
  it.each([
    ['2026-08-10T09:15:00Z'],
    ['2026-08-10T09:15:00.000+00:00'],
    ['2026-08-10 09:15:00'],
    ['2026-08-10T11:15:00+02:00'],
    ['Mon, 10 Aug 2026 09:15:00 GMT'],
    [String(want / 1000)],
    [want / 1000],
    [want],
  ])('%s', (v) => {
    expect(parseTimestamp(v, 'timestamp').getTime()).toBe(want);
  });
  it('rejects nonsense and out-of-range values with the field', () => {
    expect(() => parseTimestamp('soon', 'ts')).toThrow('unreadable timestamp (a string of 4 characters)');
    expect(() => parseTimestamp(true, 'ts')).toThrow('expected a timestamp, got boolean true');
    expect(() => parseTimestamp('1850-01-01', 'ts')).toThrow('timestamp out of range');
  });
});
