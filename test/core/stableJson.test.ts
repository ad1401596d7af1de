import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableJson } from '../../src/core/ingestRecord.js';

/** The reference: JSON.stringify of a key-sorted copy. */
function sortKeys(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}

describe('stableJson', () => {
  it('equals JSON.stringify of a key-sorted copy for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stableJson(v)).toBe(JSON.stringify(sortKeys(v)));
      }),
      { numRuns: 500 },
    );
  });
  it('orders integer-like keys as JavaScript objects do, and handles dates and undefined', () => {
    const v = { b: 1, '10': 2, '9': 3, a: [undefined, new Date(Date.UTC(2026, 0, 1))], skip: undefined, '01': 4 };
    expect(stableJson(v)).toBe(JSON.stringify(sortKeys(v)));
    expect(stableJson(v)).toBe('{"9":3,"10":2,"01":4,"a":[null,"2026-01-01T00:00:00.000Z"],"b":1}');
  });
});
