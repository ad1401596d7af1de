import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combineScores } from '../../../src/core/catalog/scores.js';
import { CAPABILITIES, type ModelCatalog } from '../../../src/core/catalog/types.js';
import { DOMAINS } from '../../../src/core/profile.js';
import { costOn } from '../../../src/core/recommend/bucket.js';
import { adequacyInto, candidateTable, costInto } from '../../../src/core/recommend/candidateTable.js';
import { eligibleCandidates, isAdequate, type Candidate } from '../../../src/core/recommend/candidates.js';
import type { CapabilityNeeds } from '../../../src/core/recommend/needs.js';
import { bundledScores, bundledSnapshots } from '../../../src/db/bundledCatalog.js';
import { model, scores } from './handCatalog.js';

// The bundled catalog's candidates, plus hand-made ones for the cases it may lack: tiered
// prices, an unknown price, no context length, no scores at all.
const snap = bundledSnapshots().at(-1)!;
const catalog: ModelCatalog = {
  source: 'bundled',
  snapshot_date: snap.snapshot_date,
  models: snap.models,
  scores: new Map([...bundledScores().figures].map(([id, f]) => [id, combineScores(id, f)])),
};
const extra = (c: Candidate['model'], s = scores(c.id, 0.55, { domains: { legal: 0.4 } })): Candidate => ({ model: c, scores: s, tier: 'mid', capability_index: 0.55 });
const tiered = model('x/tiered', { prompt: 1, completion: 4, cache_read: 0.1, overrides: [{ min_prompt_tokens: 1000, prompt: 2, completion: 8 }] });
const unknown = model('x/unknown', { prompt: 1, completion: 2 });
unknown.pricing.unknown = true;
const candidates: Candidate[] = [
  ...eligibleCandidates(catalog, {}, '2026-09-01'),
  extra(tiered),
  extra(unknown),
  extra({ ...model('x/nocontext', { prompt: 1, completion: 2, reasoning: 3 }), context_length: null, reasoning: { supported: true, mandatory: false } }),
  extra(model('x/noscores', { prompt: 0.1, completion: 0.2 }), { ...scores('x/noscores', 0), capabilities: {}, ttft_s: null }),
];
const table = candidateTable(candidates);

const level = fc.double({ min: 0, max: 1, noNaN: true });
const needsArb: fc.Arbitrary<CapabilityNeeds> = fc.record({
  capabilities: fc.record(Object.fromEntries(CAPABILITIES.map((c) => [c, fc.oneof(fc.constant(0), level)])) as Record<(typeof CAPABILITIES)[number], fc.Arbitrary<number>>),
  domain: fc.option(fc.record({ domain: fc.constantFrom(...DOMAINS.filter((d) => d !== 'general')), level }), { nil: null }),
  context_tokens: fc.integer({ min: 0, max: 2_000_000 }),
  tools: fc.boolean(),
  structured_output: fc.boolean(),
  multimodal: fc.boolean(),
  interactive: fc.boolean(),
});
const count = fc.integer({ min: 0, max: 5_000_000 });
const tokensArb = fc.record({ requests: fc.integer({ min: 0, max: 5_000 }), prompt_tokens: count, completion_tokens: count, reasoning_tokens: count, cached_tokens: count });

describe('candidateTable', () => {
  it('has the bundled candidates and the hand-made edge cases', () => {
    expect(candidates.length).toBeGreaterThan(50);
    expect(table.flatPrices.filter((p) => p === null).length).toBeGreaterThanOrEqual(1);
  });

  it('adequacyInto gives isAdequate for every candidate', () => {
    const out = new Uint8Array(table.size);
    fc.assert(
      fc.property(needsArb, (needs) => {
        adequacyInto(table, needs, out);
        expect([...out]).toEqual(candidates.map((c) => (isAdequate(c, needs) ? 1 : 0)));
      }),
      { numRuns: 300 },
    );
  });

  it('costInto gives costOn bit for bit (NaN when unpriced)', () => {
    const out = new Float64Array(table.size);
    fc.assert(
      fc.property(tokensArb, (tokens) => {
        costInto(table, tokens, out);
        candidates.forEach((c, i) => expect(Object.is(out[i], costOn(c.model, tokens) ?? Number.NaN), `${c.model.id}: ${out[i]} vs ${costOn(c.model, tokens)}`).toBe(true));
      }),
      { numRuns: 300 },
    );
  });
});
