import { describe, expect, it } from 'vitest';
import { cheaperAlternatives } from '../../../src/core/catalog/alternatives.js';
import { mapPricing } from '../../../src/core/catalog/openrouter.js';
import type { CatalogModel, ModelScores } from '../../../src/core/catalog/types.js';

const model = (id: string, prompt: string, completion: string): CatalogModel => ({
  id,
  canonical_slug: null,
  name: id,
  created: null,
  context_length: 128000,
  max_completion_tokens: null,
  input_modalities: ['text'],
  output_modalities: ['text'],
  pricing: mapPricing({ prompt, completion }),
  supported_parameters: [],
  is_moderated: null,
  expiration_date: null,
  knowledge_cutoff: null,
  reasoning: { supported: false, mandatory: false },
});
const scored = (id: string, caps: ModelScores['capabilities']): [string, ModelScores] => [id, { model_id: id, capabilities: caps, domains: {}, output_tokens_per_s: null, ttft_s: null, sources: [] }];

const current = model('a/current', '0.000003', '0.000015');
const usage = [{ feature: 'email_autocomplete', logged_model: 'a/current', catalog_id: 'a/current', requests: 100, prompt_tokens: 100_000, completion_tokens: 10_000 }];
const scores = new Map([
  scored('a/current', { general: 0.5, reasoning: 0.5, coding: 0.5 }),
  scored('b/better-cheap', { general: 0.6, reasoning: 0.5, coding: 0.7, tool_use: 0.1 }),
  scored('c/cheapest-but-weaker', { general: 0.6, reasoning: 0.4, coding: 0.9 }),
  scored('d/unscored-on-coding', { general: 0.9, reasoning: 0.9 }),
  scored('e/better-but-pricier', { general: 0.9, reasoning: 0.9, coding: 0.9 }),
  scored('b/better-cheap:free', { general: 0.6, reasoning: 0.5, coding: 0.7 }),
]);

describe('cheaperAlternatives', () => {
  it('proposes the cheapest new/cheaper model that is at least as good on every capability the current one is scored on', () => {
    const out = cheaperAlternatives(
      usage,
      new Map([['a/current', current]]),
      [
        { model: model('b/better-cheap', '0.0000018', '0.000009'), why: 'cheaper' },
        { model: model('c/cheapest-but-weaker', '0.0000001', '0.0000001'), why: 'new' },
        { model: model('d/unscored-on-coding', '0.0000001', '0.0000001'), why: 'new' },
        { model: model('e/better-but-pricier', '0.00001', '0.00003'), why: 'new' },
        { model: model('b/better-cheap:free', '0', '0'), why: 'new' },
      ],
      scores,
    );
    // current: 100k × $3/M + 10k × $15/M = $0.45; b: 100k × $1.8/M + 10k × $9/M = $0.27 (40% cheaper)
    expect(out).toEqual([
      {
        feature: 'email_autocomplete',
        current_model: 'a/current',
        alternative: 'b/better-cheap',
        cost_current: expect.closeTo(0.45, 10),
        cost_alternative: expect.closeTo(0.27, 10),
        saving: expect.closeTo(0.4, 10),
        compared: [
          { capability: 'general', current: 0.5, alternative: 0.6 },
          { capability: 'reasoning', current: 0.5, alternative: 0.5 },
          { capability: 'coding', current: 0.5, alternative: 0.7 },
        ],
        why: 'cheaper',
      },
    ]);
  });

  it('proposes nothing when the current model has too few scores', () => {
    const thin = new Map([scored('a/current', { general: 0.5, reasoning: 0.5 }), ...[...scores].filter(([k]) => k !== 'a/current')]);
    expect(cheaperAlternatives(usage, new Map([['a/current', current]]), [{ model: model('b/better-cheap', '0.0000018', '0.000009'), why: 'cheaper' }], thin)).toEqual([]);
  });
});
