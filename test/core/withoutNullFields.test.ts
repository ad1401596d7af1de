import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutNullFields } from '../../src/core/ingestRecord.js';

/** The reference: JSON.parse with a reviver that drops every null held by an object (not by an array). */
function reference(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), function (this: unknown, _k: string, v: unknown) {
    return v === null && !Array.isArray(this) ? undefined : v;
  });
}

describe('withoutNullFields (a Parquet row read as the JSON it came from)', () => {
  it('drops null object fields at any depth, keeps nulls in arrays and the order of the other keys', () => {
    const row = JSON.parse(
      '{"id":"r1","error":null,"request":{"response_format":{"type":"json_schema","json_schema":{"schema":{"required":["a"],"properties":{"a":{"type":["string","null"],"enum":["x",null]},"score":null}}}},"tools":[{"type":"function","function":{"name":"f","description":null}},null]},"z":0}',
    ) as unknown;
    expect(JSON.stringify(withoutNullFields(row))).toBe(
      '{"id":"r1","request":{"response_format":{"type":"json_schema","json_schema":{"schema":{"required":["a"],"properties":{"a":{"type":["string","null"],"enum":["x",null]}}}}},"tools":[{"type":"function","function":{"name":"f"}},null]},"z":0}',
    );
  });

  it('returns the value itself when it holds no null field, and never changes its input', () => {
    const clean = JSON.parse('{"a":[1,null,{"b":"c"}],"d":{"e":false,"f":0,"g":""}}') as unknown;
    expect(withoutNullFields(clean)).toBe(clean);
    const text = '{"a":{"b":null,"c":[{"d":null}]},"e":1}';
    const row = JSON.parse(text) as unknown;
    const out = withoutNullFields(row);
    expect(out).not.toBe(row);
    expect(JSON.stringify(row)).toBe(text);
    expect(out).toEqual({ a: { c: [{}] }, e: 1 });
  });

  it('keeps a "__proto__" key as a field of the copy, not as its prototype', () => {
    const row = JSON.parse('{"x":null,"__proto__":{"polluted":true},"y":1}') as Record<string, unknown>;
    const out = withoutNullFields(row) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'y']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"y":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  // Rows are objects (the reviver's root holder would count a top-level null as a field).
  it('equals the reviver reference on any JSON object (fast-check)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 5 })), (v) => {
        expect(JSON.stringify(withoutNullFields(v))).toBe(JSON.stringify(reference(v)));
      }),
      { numRuns: 500 },
    );
  });
});
