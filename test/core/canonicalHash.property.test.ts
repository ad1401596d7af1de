import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalHash } from '../../src/core/ingestRecord.js';
import { jsonObjectWith, jsonString, jsonValue, numberText } from '../../src/core/jsonText.js';
import type { CanonicalRequest } from '../../src/core/request.js';
import { referenceCanonicalHash } from './reference/canonicalHash.js';

/** Any string: unicode, lone surrogates, quotes, backslashes, control characters, long or short. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', '\n', '\u0001', '\u007f', 'é', '\u2028', '\ud800', '\udc00', '😀', '日'), maxLength: 60 }),
  fc.string({ minLength: 24, maxLength: 300 }),
);
const num = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e21, 1e-7, Number.NaN, Infinity, -Infinity));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });

const request: fc.Arbitrary<CanonicalRequest> = fc.record({
  request_id: anyString,
  timestamp: opt(fc.date({ noInvalidDate: true })),
  feature: anyString,
  tenant_id: opt(anyString),
  user_id: opt(anyString),
  requested_model: opt(anyString),
  served_model: opt(anyString),
  provider: opt(anyString),
  system_prompt: opt(anyString),
  messages: fc.array(fc.record({ role: anyString, content: anyString, attachments: fc.nat() }), { maxLength: 4 }),
  has_prompt_text: fc.boolean(),
  tools: opt(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 })),
  response_format: fc.oneof(fc.constant(null), fc.constant(undefined), anyString, fc.dictionary(anyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
  max_tokens: opt(fc.nat()),
  temperature: opt(num),
  stream: opt(fc.boolean()),
  prompt_tokens: opt(fc.nat()),
  completion_tokens: opt(fc.nat()),
  reasoning_tokens: opt(fc.nat()),
  cached_tokens: opt(fc.nat()),
  cost_usd: opt(num),
  latency_ms: opt(num),
  ttft_ms: opt(num),
  finish_reason: opt(anyString),
  status: opt(anyString),
  error: opt(anyString),
  metadata: fc.dictionary(anyString, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
  source_format: fc.constant('canonical'),
}) as fc.Arbitrary<CanonicalRequest>;

describe('canonicalHash', () => {
  it('property: the same SHA-256 as one JSON.stringify of the fields (hashes stored by earlier versions)', () => {
    fc.assert(
      fc.property(request, (r) => {
        expect(canonicalHash(r)).toBe(referenceCanonicalHash(r));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('jsonText', () => {
  it('property: jsonString and jsonValue write what JSON.stringify writes', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(jsonString(s)).toBe(JSON.stringify(s));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyString, num, fc.constant(undefined), fc.constant(null))), (values) => {
        for (const v of values) expect(jsonValue(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 500 },
    );
  });

  it('property: jsonObjectWith writes JSON.stringify of the object, with one value replaced', () => {
    const obj = fc.dictionary(fc.oneof(anyString, fc.constantFrom('content', 'role', '0', '7', '__proto__')), fc.oneof(anyString, num, fc.boolean(), fc.constant(null), fc.constant(undefined)), { maxKeys: 5 });
    fc.assert(
      fc.property(obj, anyString, (o, replacement) => {
        expect(jsonObjectWith(o, 'content')).toBe(JSON.stringify(o));
        expect(jsonObjectWith(o, 'content', replacement)).toBe(JSON.stringify({ ...o, content: replacement }));
      }),
      { numRuns: 1000 },
    );
  });

  it('property: numberText writes what String writes (epoch milliseconds, their edges, any double)', () => {
    const n = fc.oneof(
      fc.integer({ min: 1e9 - 10, max: 1e15 + 10 }).map((x) => x),
      fc.double({ min: 1e9 - 1, max: 1e15 + 1 }),
      fc.double(),
      fc.constantFrom(1e9, 1e9 + 1, 1e15 - 1, 1e15, 999999999, 1790000000000, 1790000000001, 1790000100000, 1e9 + 0.5, -1e12, 0, -0),
    );
    fc.assert(
      fc.property(n, (v) => {
        if (Number.isFinite(v)) expect(numberText(v)).toBe(String(v));
      }),
      { numRuns: 5000 },
    );
  });
});
