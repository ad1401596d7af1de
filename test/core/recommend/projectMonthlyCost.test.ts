import { describe, expect, it } from 'vitest';
import { costOn } from '../../../src/core/recommend/bucket.js';
import { DAYS_PER_MONTH, projectMonthlyCost } from '../../../src/core/recommend/projectMonthlyCost.js';
import { model } from './handCatalog.js';

// Real OpenRouter prices (2026-08-19 snapshot), USD per 1M tokens.
const gpt5mini = model('openai/gpt-5-mini', { prompt: 0.25, completion: 2, cache_read: 0.025 }, { reasoning: { supported: true, mandatory: true } });
const sonnet45 = model('anthropic/claude-sonnet-4.5', {
  prompt: 3,
  completion: 15,
  cache_read: 0.3,
  overrides: [{ min_prompt_tokens: 200_000, prompt: 6, completion: 22.5, input_cache_read: 0.6 }],
});

describe('cost arithmetic with real prices', () => {
  it('gpt-5-mini: cached prompt at the cache price, reasoning tokens at the completion price', () => {
    // 1000 requests × 2000 prompt (500 cached) + 800 completion (600 of them reasoning).
    const t = { requests: 1000, prompt_tokens: 2_000_000, cached_tokens: 500_000, completion_tokens: 800_000, reasoning_tokens: 600_000 };
    // 1.5M × $0.25 + 0.5M × $0.025 + 0.8M × $2 = 0.375 + 0.0125 + 1.6
    expect(costOn(gpt5mini, t)).toBeCloseTo(1.9875, 10);
    // A model without reasoning would not spend the 600k reasoning tokens.
    const noReasoning = { ...gpt5mini, reasoning: { supported: false, mandatory: false } };
    expect(costOn(noReasoning, t)).toBeCloseTo(0.375 + 0.0125 + 0.4, 10);
  });

  it('claude-sonnet-4.5: the long-context tier applies from 200k prompt tokens per request', () => {
    const short = { requests: 10, prompt_tokens: 10 * 150_000, cached_tokens: 0, completion_tokens: 10 * 1000, reasoning_tokens: 0 };
    const long = { requests: 10, prompt_tokens: 10 * 250_000, cached_tokens: 0, completion_tokens: 10 * 1000, reasoning_tokens: 0 };
    expect(costOn(sonnet45, short)).toBeCloseTo(1.5 * 3 + 0.01 * 15, 10); // $4.65
    expect(costOn(sonnet45, long)).toBeCloseTo(2.5 * 6 + 0.01 * 22.5, 10); // $15.225
  });
});

describe('projectMonthlyCost', () => {
  it('scales the sample by 1/sample rate and by the window to a month', () => {
    const m = projectMonthlyCost({
      current_sample_usd: 70,
      projected_sample_usd: 7,
      window: { from: new Date('2026-08-01T00:00:00Z'), to: new Date('2026-08-08T00:00:00Z') },
      sample_rate: 0.1,
    });
    // $70 over 7 days at 10% sampling = $100/day → × 30.4375
    expect(m.current).toBeCloseTo(100 * DAYS_PER_MONTH, 8);
    expect(m.projected).toBeCloseTo(10 * DAYS_PER_MONTH, 8);
    expect(m.delta_pct).toBeCloseTo(-0.9, 10);
    expect(m.basis).toContain('7.00 days');
  });

  it('no window, no extrapolation', () => {
    const m = projectMonthlyCost({ current_sample_usd: 1, projected_sample_usd: 1, window: { from: null, to: null }, sample_rate: 1 });
    expect(m).toMatchObject({ current: null, projected: null, delta: null });
  });
});
