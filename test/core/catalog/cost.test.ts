import { describe, expect, it } from 'vitest';
import { priceTier, requestCost } from '../../../src/core/catalog/cost.js';
import { mapPricing } from '../../../src/core/catalog/openrouter.js';

// Real OpenRouter prices of 2026-08-19 (USD per token, as the API gives them).
const sonnet45 = {
  pricing: mapPricing({
    prompt: '0.000003',
    completion: '0.000015',
    web_search: '0.01',
    input_cache_read: '0.0000003',
    input_cache_write: '0.00000375',
    overrides: [{ min_prompt_tokens: 200000, prompt: '0.000006', completion: '0.0000225', input_cache_read: '0.0000006', input_cache_write: '0.0000075' }],
  }),
};
const gemini25pro = {
  pricing: mapPricing({
    prompt: '0.00000125',
    completion: '0.00001',
    image: '0.00000125',
    internal_reasoning: '0.00001',
    input_cache_read: '0.000000125',
    overrides: [{ min_prompt_tokens: 200000, prompt: '0.0000025', completion: '0.000015', input_cache_read: '0.00000025' }],
  }),
};
const gpt5 = { pricing: mapPricing({ prompt: '0.00000125', completion: '0.00001', input_cache_read: '0.000000125' }) };

describe('requestCost', () => {
  it('prices a plain request at base prices', () => {
    const c = requestCost(sonnet45, { prompt_tokens: 1000, completion_tokens: 200 });
    expect(c.total).toBeCloseTo(1000 * 0.000003 + 200 * 0.000015, 12); // $0.006
    expect(c.tier).toBeNull();
  });

  it('applies the tier when the prompt reaches min_prompt_tokens', () => {
    const below = requestCost(sonnet45, { prompt_tokens: 199_999, completion_tokens: 1000 });
    const at = requestCost(sonnet45, { prompt_tokens: 200_000, completion_tokens: 1000 });
    expect(below.total).toBeCloseTo(199_999 * 0.000003 + 1000 * 0.000015, 10);
    expect(at.total).toBeCloseTo(200_000 * 0.000006 + 1000 * 0.0000225, 10); // $1.2225
    expect(at.tier).toBe(200_000);
  });

  it('prices cached tokens at the cache-read price (of the tier)', () => {
    const c = requestCost(gpt5, { prompt_tokens: 10_000, completion_tokens: 500, cached_tokens: 8000 });
    expect(c.prompt).toBeCloseTo(2000 * 0.00000125, 12);
    expect(c.cached).toBeCloseTo(8000 * 0.000000125, 12);
    expect(c.total).toBeCloseTo(0.0025 + 0.001 + 0.005, 12);
    const big = requestCost(gemini25pro, { prompt_tokens: 300_000, completion_tokens: 0, cached_tokens: 100_000 });
    expect(big.cached).toBeCloseTo(100_000 * 0.00000025, 10);
    expect(big.prompt).toBeCloseTo(200_000 * 0.0000025, 10);
  });

  it('prices reasoning tokens at internal_reasoning when priced, else at the completion price', () => {
    const g = requestCost(gemini25pro, { prompt_tokens: 0, completion_tokens: 3000, reasoning_tokens: 2000 });
    expect(g.reasoning).toBeCloseTo(2000 * 0.00001, 12);
    expect(g.completion).toBeCloseTo(1000 * 0.00001, 12);
    const o = requestCost(gpt5, { prompt_tokens: 0, completion_tokens: 3000, reasoning_tokens: 2000 });
    expect(o.total).toBeCloseTo(3000 * 0.00001, 12);
  });

  it('counts images, per-request fees and several requests (tier by the per-request prompt)', () => {
    const withFee = { pricing: mapPricing({ prompt: '0.000001', completion: '0.000002', request: '0.005', image: '0.001', overrides: [{ min_prompt_tokens: 100_000, prompt: '0.000004' }] }) };
    const c = requestCost(withFee, { prompt_tokens: 150_000, completion_tokens: 1000, images: 2, requests: 3 });
    expect(c.tier).toBeNull(); // 50k per request: base price
    expect(c.total).toBeCloseTo(150_000 * 0.000001 + 1000 * 0.000002 + 2 * 0.001 + 3 * 0.005, 12);
  });

  it('returns a null total for unknown prices and never goes negative', () => {
    expect(requestCost({ pricing: mapPricing({ prompt: '-1', completion: '-1' }) }, { prompt_tokens: 10, completion_tokens: 10 }).total).toBeNull();
    const weird = requestCost(gpt5, { prompt_tokens: 100, completion_tokens: 10, cached_tokens: 500, reasoning_tokens: 50 });
    expect(weird.prompt).toBe(0);
    expect(weird.completion).toBe(0);
    expect(weird.total).toBeCloseTo(100 * 0.000000125 + 10 * 0.00001, 12);
  });

  it('picks the highest tier reached', () => {
    const p = mapPricing({ prompt: '1', completion: '1', overrides: [{ min_prompt_tokens: 10, prompt: '2' }, { min_prompt_tokens: 100, prompt: '3' }] });
    expect(priceTier(p, 5)).toBeNull();
    expect(priceTier(p, 50)?.prompt).toBe(2);
    expect(priceTier(p, 100)?.prompt).toBe(3);
  });
});
