import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import { readJsonLine } from '../../src/core/ingestRecord.js';
import { redactText } from '../../src/core/redact.js';
import { maskText, textForStorage, type StoreTextMode } from '../../src/core/storeText.js';

/** The plain definition textForStorage must match: every string of the record masked, a copy made whenever anything changed. */
const TEXT_KEYS = new Set(['content', 'text', 'prompt', 'system', 'system_prompt', 'instructions', 'input', 'output', 'completion', 'arguments', 'url', 'data', 'b64_json', 'refusal']);
function reference(v: unknown, mode: StoreTextMode, textual: boolean): unknown {
  if (typeof v === 'string') return textual ? maskText(v, mode) : redactText(v);
  if (Array.isArray(v)) return v.map((x) => reference(x, mode, textual));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reference(x, mode, TEXT_KEYS.has(k))]));
  return v;
}

const snippet = fc.constantFrom(
  'plain words of a prompt that is long enough to be cached',
  'mail jane.doe@example.com today',
  'card 4111 1111 1111 1111 please',
  'key sk-abcdefghijklmnopqrstuvwx1234',
  'password: hunter22',
  'call +49 30 1234567',
  'x',
);
const text = fc.array(snippet, { minLength: 1, maxLength: 3 }).map((a) => a.join(' '));
const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('content', 'note', 'text', 'a', 'b', 'url'), tie('v'), { maxKeys: 3 })),
})).v;

describe('textForStorage', () => {
  it('stores the raw record exactly as masking every string would (original text kept when nothing changed)', () => {
    fc.assert(
      fc.property(fc.constantFrom<StoreTextMode>('redacted', 'hash', 'none'), text, text, value, value, (mode, system, user, extra, meta) => {
        const record = { id: 'r1', model: 'm', messages: [{ role: 'system', content: system }, { role: 'user', content: user }], extra, metadata: { feature: 'f', meta } };
        const line = JSON.stringify(record);
        const outcome = readJsonLine(line, { mapping: DEFAULT_MAPPING });
        if (!outcome.ok) throw new Error(outcome.reason);
        const stored = textForStorage(outcome.request, outcome.raw, line, mode);
        const masked = reference(outcome.raw, mode, false);
        expect(stored.raw).toBe(JSON.stringify(masked) === line ? line : JSON.stringify(masked));
        expect(stored.system_prompt).toBe(maskText(system, mode));
        expect(JSON.parse(stored.messages!)).toEqual(outcome.request.messages.map((m) => ({ ...m, content: maskText(m.content, mode) ?? '' })));
      }),
      { numRuns: 300 },
    );
  });
});
