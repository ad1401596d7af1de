import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/core/adapters/fields.js';
import { referenceParseTimestamp } from './reference/parseTimestamp.js';

/** Outcome of a timestamp parse: the time, or the error's field, message and excerpt. */
function outcome(parse: (v: unknown, f: string) => Date, v: unknown): unknown {
  try {
    return parse(v, 'ts').getTime();
  } catch (err) {
    return { err: String(err), excerpt: (err as { excerpt?: string }).excerpt };
  }
}

/** ISO-like strings near the fast path's shape: valid, out of range, with zones, spaces, wrong digits. */
const isoLike = fc
  .tuple(fc.date({ min: new Date(-1e14), max: new Date(1e14), noInvalidDate: true }), fc.constantFrom('', ' ', 'x', '+02:00', 'z', '0', '\u0661'), fc.nat({ max: 30 }), fc.constantFrom('T', ' ', 't', ':', '9'))
  .map(([d, suffix, at, ch]) => {
    const iso = d.toISOString();
    const cut = iso.endsWith('Z') ? iso.slice(0, -1) : iso;
    const s = at % 3 === 0 ? iso : at % 3 === 1 ? cut + suffix : iso.slice(0, at) + ch + iso.slice(at + 1);
    return s;
  });

describe('parseTimestamp fast path', () => {
  it('property: the same Date or the same error as the general parser', () => {
    fc.assert(
      fc.property(fc.oneof(isoLike, fc.string({ maxLength: 30 }), fc.integer(), fc.jsonValue()), (v) => {
        expect(outcome(parseTimestamp, v)).toEqual(outcome(referenceParseTimestamp, v));
      }),
      { numRuns: 3000 },
    );
  });
});
