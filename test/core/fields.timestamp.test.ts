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

  it('property: ISO strings with any digits in every field (month 13, day 00, hour 24, second 60, year 0050) read as Date.parse reads them', () => {
    const d = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((a) => a.join(''));
    const edge = (n: number, values: string[]) => fc.oneof(d(n), fc.constantFrom(...values));
    const iso = fc
      .tuple(
        edge(4, ['0000', '0050', '0099', '0100', '1999', '2000', '2026', '2099', '2100', '9999']),
        edge(2, ['00', '01', '02', '12', '13', '99']),
        edge(2, ['00', '01', '28', '29', '30', '31', '32']),
        edge(2, ['00', '23', '24', '25']),
        edge(2, ['00', '59', '60']),
        edge(2, ['00', '59', '60', '61']),
        d(3),
      )
      .map(([y, mo, day, h, mi, s, ms]) => `${y}-${mo}-${day}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(iso, (v) => {
        expect(outcome(parseTimestamp, v)).toEqual(outcome(referenceParseTimestamp, v));
      }),
      { numRuns: 5000 },
    );
  });
});
