import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storableJson } from '../../src/core/jsonText.js';

/** What DuckDB stores for a string with lone surrogates: each one as U+FFFD (see ingestBytes.test.ts). */
const wellFormed = (s: string): string => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** The value with wellFormed strings and keys. */
function wellFormedValue(v: unknown): unknown {
  if (typeof v === 'string') return wellFormed(v);
  if (Array.isArray(v)) return v.map(wellFormedValue);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), wellFormedValue(x)]));
  return v;
}

describe('storableJson', () => {
  it('turns lone surrogate escapes into \\ufffd and keeps escaped pairs and escaped backslashes', () => {
    expect(storableJson('"a\\ud800b"')).toBe('"a\\ufffdb"');
    expect(storableJson('"\\uDC00"')).toBe('"\\ufffd"');
    expect(storableJson('"\\ud83d\\ude00"')).toBe('"\\ud83d\\ude00"');
    expect(storableJson('"\\\\ud800"')).toBe('"\\\\ud800"'); // a backslash, then the letters
    expect(storableJson('"\\\\\\ud800"')).toBe('"\\\\\\ufffd"'); // a backslash, then a lone surrogate
    expect(storableJson('"\\ud800\\ud800\\udc00"')).toBe('"\\ufffd\\ud800\\udc00"');
    expect(storableJson('"\\u00e9 plain"')).toBe('"\\u00e9 plain"');
  });

  it('holds the value with every lone surrogate as U+FFFD, for any JSON value, and leaves well-formed JSON as it is', () => {
    const text = fc
      .array(fc.oneof(fc.constantFrom('\ud800', '\udfff', '\ud83d', '\ude00', '\\', 'u', 'd', '8', '"'), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 8 })
      .map((parts) => parts.join(''));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.array(tie('v')), fc.dictionary(text, tie('v'))),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const json = JSON.stringify(v);
        const stored = storableJson(json);
        const fixed = wellFormedValue(v);
        // The same value with each lone surrogate as U+FFFD (keys too), and no text changed otherwise.
        expect(JSON.parse(stored)).toEqual(fixed);
        if (JSON.stringify(fixed) === json) expect(stored).toBe(json);
      }),
      { numRuns: 500 },
    );
  });
});
