import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScoresCsv, parseScoresJson } from '../../../src/core/catalog/importScores.js';
import { mapPricing, parseOpenRouterResponse, toCatalogModel } from '../../../src/core/catalog/openrouter.js';
import { requestCost } from '../../../src/core/catalog/cost.js';

const priceString = fc.oneof(fc.constant('0'), fc.constant('-1'), fc.double({ min: 0, max: 0.001, noNaN: true }).map((v) => v.toFixed(12)));

describe('catalog parsers never throw on arbitrary input', () => {
  it('parseOpenRouterResponse returns ok or a one-line error for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseOpenRouterResponse(v);
        if (!r.ok) expect(r.error).not.toContain('\n');
      }),
      { numRuns: 300 },
    );
  });

  it('maps any valid model to a CatalogModel with non-negative prices', () => {
    const model = fc.record({
      id: fc.string({ minLength: 1, maxLength: 20 }),
      name: fc.string({ maxLength: 20 }),
      pricing: fc.record({ prompt: priceString, completion: priceString, input_cache_read: fc.option(priceString, { nil: undefined }) }, { requiredKeys: ['prompt', 'completion'] }),
      context_length: fc.option(fc.nat(), { nil: null }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(model, { selector: (m) => m.id, maxLength: 5 }), (data) => {
        const r = parseOpenRouterResponse({ data });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        for (const m of r.response.data.map(toCatalogModel)) {
          expect(m.pricing.prompt).toBeGreaterThanOrEqual(0);
          const c = requestCost(m, { prompt_tokens: 1000, completion_tokens: 100 });
          if (c.total !== null) expect(c.total).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('import-scores parsers return ok or problems with a line, for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        for (const r of [parseScoresCsv(`model,capability,score,n\n${s}`), parseScoresJson(s)]) {
          if (!r.ok) expect(r.problems.every((p) => p.line >= 1)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('requestCost is monotone in tokens and never negative', () => {
    const p = { pricing: mapPricing({ prompt: '0.000003', completion: '0.000015', input_cache_read: '0.0000003', overrides: [{ min_prompt_tokens: 200000, prompt: '0.000006', completion: '0.0000225' }] }) };
    fc.assert(
      fc.property(fc.nat(400000), fc.nat(50000), fc.nat(1000), (pt, ct, extra) => {
        const a = requestCost(p, { prompt_tokens: pt, completion_tokens: ct }).total as number;
        const b = requestCost(p, { prompt_tokens: pt, completion_tokens: ct + extra }).total as number;
        expect(a).toBeGreaterThanOrEqual(0);
        expect(b).toBeGreaterThanOrEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});
