import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import { MAX_TOKENS_PER_REQUEST, optNumber, parseTimestamp } from '../../src/core/adapters/fields.js';
import { RecordError } from '../../src/core/errors.js';
import { exceedsNesting, readJsonLine, readRecord, shallowJsonText, type RecordOutcome } from '../../src/core/ingestRecord.js';
import { CanonicalRequestSchema } from '../../src/core/request.js';

/**
 * Properties of the record readers: whatever a log line holds, the outcome is a canonical
 * request that passes the schema or a reject naming a field, never an exception; the same
 * input always gives the same outcome; values are in range.
 */
const opts = { mapping: DEFAULT_MAPPING };
const RUNS = { numRuns: 300 };

/** Checks one outcome against the documented contract. */
function expectWellFormed(out: RecordOutcome): void {
  if (out.ok) {
    expect(CanonicalRequestSchema.safeParse(out.request).success).toBe(true);
    expect(out.contentHash).toMatch(/^[0-9a-f]{64}$/);
    for (const k of ['prompt_tokens', 'completion_tokens', 'reasoning_tokens', 'cached_tokens', 'max_tokens'] as const) {
      const v = out.request[k];
      if (v !== null) expect(Number.isInteger(v) && v >= 0 && v <= MAX_TOKENS_PER_REQUEST).toBe(true);
    }
    const ts = out.request.timestamp;
    if (ts) expect(ts.getUTCFullYear() >= 2000 && ts.getUTCFullYear() <= 2100).toBe(true);
  } else {
    expect(out.field.length).toBeGreaterThan(0);
    expect(out.reason.length).toBeGreaterThan(0);
  }
}

/** Record-shaped objects: known field names with values of any JSON type. */
const FIELDS = ['id', 'request_id', 'model', 'messages', 'prompt', 'system', 'timestamp', 'feature', 'metadata', 'prompt_tokens', 'completion_tokens', 'cost_usd', 'latency_ms', 'temperature', 'stream', 'tools', 'response_format', 'usage', 'choices', 'request', 'response', 'tags', 'error'];
const recordLike = fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 10 });
const chatLike = fc.record({
  id: fc.oneof(fc.string(), fc.integer()),
  model: fc.oneof(fc.constant('openai/gpt-4o-mini'), fc.string(), fc.constant(null)),
  messages: fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'tool'), content: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })) }), { maxLength: 4 }),
  prompt_tokens: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
  timestamp: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
  metadata: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
});

describe('readRecord / readJsonLine properties', () => {
  it('any JSON value: a well-formed outcome, never a throw', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => expectWellFormed(readRecord(v, opts))), RUNS);
  });
  it('record-shaped objects with values of any type: well-formed and deterministic', () => {
    fc.assert(
      fc.property(fc.oneof(recordLike, chatLike), (rec) => {
        const a = readRecord(rec, opts);
        expectWellFormed(a);
        expect(readRecord(structuredClone(rec), opts)).toEqual(a);
      }),
      RUNS,
    );
  });
  it('any text line: a well-formed outcome; a line that is not JSON is a (json) reject', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), (line) => {
        const out = readJsonLine(line, opts);
        expectWellFormed(out);
        let parses = true;
        try {
          JSON.parse(line);
        } catch {
          parses = false;
        }
        if (!parses) expect(out).toMatchObject({ ok: false, field: '(json)' });
        expect(readJsonLine(line, opts)).toEqual(out);
      }),
      RUNS,
    );
  });
  it('a reject reason never quotes string values of the record', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }).filter((s) => /^[a-z]{8,}$/.test(s)), (secret) => {
        for (const rec of [{ id: 1, model: 'm', prompt: 'p', prompt_tokens: secret }, { id: 1, model: 'm', timestamp: secret }, { request: { model: 'm', messages: secret } }]) {
          const out = readRecord(rec, opts);
          expect(out.ok).toBe(false);
          if (!out.ok) expect(out.reason).not.toContain(secret);
        }
      }),
      { numRuns: 50 },
    );
  });
  it('nesting beyond the limit is a reject at any depth, and the check never recurses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), (depth) => {
        let v: unknown = 1;
        for (let i = 0; i < depth; i++) v = { a: v };
        expect(exceedsNesting(v, 500)).toBe(depth > 500);
        const out = readRecord({ id: 'x', model: 'm', prompt: 'p', metadata: v }, opts);
        expect(out.ok).toBe(depth + 1 <= 500);
      }),
      { numRuns: 40 },
    );
  });
  it('a JSONL line is rejected for nesting exactly when its record nests too deep, whatever brackets its strings hold', () => {
    const nested = (depth: number, open: '{' | '[') => {
      let v: unknown = 1;
      for (let i = 0; i < depth; i++) v = open === '{' ? { a: v } : [v];
      return v;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1200 }), fc.constantFrom('{', '['), fc.integer({ min: 0, max: 1200 }), (depth, open, strBrackets) => {
        const line = JSON.stringify({ id: 'x', model: 'm', prompt: '{['.repeat(strBrackets), metadata: { v: nested(depth, open) } });
        const tooDeep = depth + 2 > 500;
        // Shallow by its brackets implies shallow (never the other way round: strings hold brackets too).
        if (shallowJsonText(line)) expect(tooDeep).toBe(false);
        const out = readJsonLine(line, opts);
        expect(out.ok).toBe(!tooDeep);
        if (!out.ok) expect(out.reason).toBe('nested deeper than 500 levels');
      }),
      { numRuns: 60 },
    );
    expect(shallowJsonText('{"a":[1,{"b":[]}]}', 4)).toBe(true);
    expect(shallowJsonText('{"a":[1,{"b":[]}]}', 3)).toBe(false);
    expect(shallowJsonText('"{[{["', 3)).toBe(false);
  });
});

describe('parseTimestamp properties', () => {
  it('any value: a Date within 2000..2100 or a RecordError naming the field', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.integer(), fc.double(), fc.string()), (v) => {
        let d: Date | undefined;
        try {
          d = parseTimestamp(v, 'ts');
        } catch (err) {
          expect(err).toBeInstanceOf(RecordError);
          expect((err as RecordError).field).toBe('ts');
          return;
        }
        expect(Number.isFinite(d.getTime())).toBe(true);
        expect(d.getTime()).toBeGreaterThanOrEqual(Date.UTC(2000, 0, 1));
        expect(d.getTime()).toBeLessThanOrEqual(Date.UTC(2100, 0, 1));
        expect(parseTimestamp(v, 'ts').getTime()).toBe(d.getTime());
      }),
      RUNS,
    );
  });
  it('every in-range instant reads back the same from ISO, epoch seconds, epoch ms and RFC 2822', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2001, 0, 1) / 1000, max: Date.UTC(2099, 0, 1) / 1000 }), (s) => {
        const ms = s * 1000;
        const d = new Date(ms);
        for (const v of [d.toISOString(), s, ms, String(ms), d.toUTCString(), d.toISOString().replace('T', ' ').replace('.000Z', '')]) {
          expect(parseTimestamp(v, 'ts').getTime()).toBe(ms);
        }
      }),
      RUNS,
    );
  });
});

describe('optNumber properties', () => {
  const bounds = fc.record({ integer: fc.boolean(), max: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: undefined }) });
  it('any value: null, an in-range number, or a RecordError naming the path', () => {
    fc.assert(
      fc.property(fc.jsonValue(), bounds, (v, o) => {
        let n: number | null;
        try {
          n = optNumber({ x: v }, ['x'], o);
        } catch (err) {
          expect(err).toBeInstanceOf(RecordError);
          expect((err as RecordError).field).toBe('x');
          return;
        }
        if (v === null || v === undefined || v === '') expect(n).toBeNull();
        else {
          expect(typeof n).toBe('number');
          expect(Number.isFinite(n)).toBe(true);
          expect(n!).toBeGreaterThanOrEqual(0);
          if (o.max !== undefined) expect(n!).toBeLessThanOrEqual(o.max);
          if (o.integer) expect(Number.isInteger(n)).toBe(true);
          expect(optNumber({ x: v }, ['x'], o)).toBe(n);
        }
      }),
      RUNS,
    );
  });
  it('a number and its decimal string read the same', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (x) => {
        expect(optNumber({ x: String(x) }, ['x'])).toBe(optNumber({ x }, ['x']));
      }),
      RUNS,
    );
  });
});
