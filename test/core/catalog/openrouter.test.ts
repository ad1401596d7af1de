import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapPricing, parseOpenRouterResponse, parsePrice, providerOf, resolveModelId, toCatalogModel } from '../../../src/core/catalog/openrouter.js';
import { FIXTURES } from '../../helpers/cli.js';
import { HAS_SHARED, sharedPath } from '../../helpers/shared.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, 'catalog', name), 'utf8'));

describe('OpenRouter /models schema on the real snapshots', () => {
  const cases: [string, number][] = [
    ['openrouter_models_2025-05-22_pydantic-llm-tester.json', 319],
    ['openrouter_models_2025-05-23_pydantic-llm-tester.json', 321],
    ['openrouter_models_2026-08-19_unified-llm-pricing.json', 414],
    ['openrouter_models_all_2026-08-19_unified-llm-pricing.json', 549],
  ];
  for (const [file, count] of cases) {
    it.skipIf(!HAS_SHARED)(`accepts ${file} (${count} models)`, () => {
      const r = parseOpenRouterResponse(JSON.parse(readFileSync(sharedPath('openrouter_models', file), 'utf8')));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.response.data.length).toBe(count);
      const models = r.response.data.map(toCatalogModel);
      expect(models.every((m) => m.id.length > 0 && m.input_modalities.length > 0)).toBe(true);
    });
  }

  it.skipIf(!HAS_SHARED)('maps the 2026 prices, tiers, limits and reasoning flags of real models', () => {
    const r = parseOpenRouterResponse(JSON.parse(readFileSync(sharedPath('openrouter_models', 'openrouter_models_2026-08-19_unified-llm-pricing.json'), 'utf8')));
    if (!r.ok) throw new Error(r.error);
    const byId = new Map(r.response.data.map((m) => [m.id, toCatalogModel(m)]));
    const gpt5 = byId.get('openai/gpt-5');
    expect(gpt5?.pricing).toEqual({
      prompt: 0.00000125,
      completion: 0.00001,
      request: 0,
      image: 0,
      web_search: 0.01,
      internal_reasoning: 0,
      input_cache_read: 0.000000125,
      input_cache_write: null,
      overrides: [],
      unknown: false,
    });
    expect(gpt5?.context_length).toBe(400000);
    expect(gpt5?.max_completion_tokens).toBe(128000);
    expect(gpt5?.reasoning).toEqual({ supported: true, mandatory: true });
    expect(gpt5?.created).toBe('2025-08-07');
    expect(byId.get('google/gemini-2.5-pro')?.pricing.overrides).toEqual([{ min_prompt_tokens: 200000, prompt: 0.0000025, completion: 0.000015, input_cache_read: 0.00000025 }]);
    expect(byId.get('openrouter/auto')?.pricing.unknown).toBe(true);
    // 61 models carry overrides; deepseek-v4-pro's are time-of-day windows, not prompt-size tiers
    expect(r.response.data.filter((m) => m.pricing.overrides?.length).length).toBe(61);
    expect(byId.get('deepseek/deepseek-v4-pro')?.pricing.overrides).toEqual([]);
    expect(byId.get('z-ai/glm-4.5')?.expiration_date).toBe('2026-12-31');
  });
});

describe('OpenRouter /models schema on the committed fixtures', () => {
  it('accepts a trimmed real response and keeps unknown fields', () => {
    const r = parseOpenRouterResponse(fixture('openrouter-2026-08-19-trimmed.json'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.response.data.map((m) => m.id)).toEqual([
      'anthropic/claude-sonnet-4.5',
      'openai/gpt-5',
      'openai/gpt-5-mini',
      'google/gemini-2.5-flash',
      'google/gemini-2.5-flash-lite',
      'google/gemini-2.5-pro',
      'deepseek/deepseek-v3.2',
      'deepseek/deepseek-v4-pro',
      'openai/gpt-oss-20b:free',
      'openrouter/auto',
    ]);
    expect((r.response.data[0] as Record<string, unknown>).benchmarks).toBeDefined();
    expect((r.response as Record<string, unknown>).total_count).toBe(10);
    const free = toCatalogModel(r.response.data[8]!);
    expect(free.pricing.prompt).toBe(0);
    expect(free.pricing.unknown).toBe(false);
  });

  it('reads the 2025 shape (no canonical_slug, no reasoning object)', () => {
    const r = parseOpenRouterResponse(fixture('openrouter-2025-05-23-trimmed.json'));
    if (!r.ok) throw new Error(r.error);
    const opus = toCatalogModel(r.response.data[0]!);
    expect(opus).toMatchObject({ id: 'anthropic/claude-opus-4', canonical_slug: null, context_length: 200000, max_completion_tokens: 32000, is_moderated: true });
    expect(opus.pricing.prompt).toBe(0.000015);
    expect(opus.pricing.input_cache_write).toBe(0.00001875);
    expect(opus.reasoning.supported).toBe(true);
  });

  it.each([
    ['drift-price-number.json', 'data[1].pricing.prompt: Invalid input: expected string, received number'],
    ['drift-data-not-array.json', 'data: Invalid input: expected array, received object'],
    ['drift-missing-id.json', 'data[0].id: Invalid input: expected string, received undefined'],
  ])('rejects %s naming the field', (name, error) => {
    expect(parseOpenRouterResponse(fixture(name))).toEqual({ ok: false, error });
  });

  it('rejects duplicate ids', () => {
    const r = fixture('openrouter-2025-05-22-trimmed.json') as { data: unknown[] };
    r.data.push(r.data[0]);
    expect(parseOpenRouterResponse(r)).toEqual({ ok: false, error: 'data[5].id: duplicate model id anthropic/claude-3.7-sonnet' });
  });
});

describe('price parsing', () => {
  it('reads "0" as free and "-1" or missing as unknown', () => {
    expect(parsePrice('0')).toBe(0);
    expect(parsePrice('0.000003')).toBe(0.000003);
    expect(parsePrice('-1')).toBeNull();
    expect(parsePrice(undefined)).toBeNull();
    expect(mapPricing({ prompt: '-1', completion: '-1' }).unknown).toBe(true);
    expect(mapPricing({ prompt: '0' }).unknown).toBe(true);
    expect(mapPricing({ prompt: '0', completion: '0' })).toMatchObject({ prompt: 0, completion: 0, unknown: false, input_cache_read: null });
  });

  it('sorts tiers and ignores time-window overrides', () => {
    const p = mapPricing({
      prompt: '0.000001',
      completion: '0.000002',
      overrides: [{ min_prompt_tokens: 500000, prompt: '0.000004' }, { min_prompt_tokens: 128000, prompt: '0.000002', completion: '0.000003' }, { utc_start: 100, utc_end: 400, prompt: '0.000009' } as never],
    });
    expect(p.overrides).toEqual([
      { min_prompt_tokens: 128000, prompt: 0.000002, completion: 0.000003 },
      { min_prompt_tokens: 500000, prompt: 0.000004 },
    ]);
  });

  it('takes the provider from the id', () => {
    expect(providerOf('openai/gpt-5')).toBe('openai');
    expect(providerOf('~anthropic/claude-sonnet-latest')).toBe('anthropic');
  });
});

describe('resolveModelId', () => {
  const models = [
    { id: 'openai/gpt-5', canonical_slug: 'openai/gpt-5-2025-08-07' },
    { id: 'openai/gpt-5:batch', canonical_slug: 'openai/gpt-5-2025-08-07' },
    { id: 'google/gemini-2.5-flash', canonical_slug: 'google/gemini-2.5-flash' },
    { id: 'mistralai/mistral-large', canonical_slug: null },
    { id: 'acme/mistral-large', canonical_slug: null },
  ];
  it('matches ids, ids without provider and canonical slugs; refuses ambiguous names', () => {
    expect(resolveModelId(models, 'openai/gpt-5')).toBe('openai/gpt-5');
    expect(resolveModelId(models, 'gpt-5')).toBe('openai/gpt-5');
    expect(resolveModelId(models, 'gemini-2.5-flash')).toBe('google/gemini-2.5-flash');
    expect(resolveModelId(models, 'gpt-5-2025-08-07')).toBe('openai/gpt-5'); // slug shared with gpt-5:batch: the plain id wins
    expect(resolveModelId(models, 'mistral-large')).toBeNull();
    expect(resolveModelId(models, 'claude-3-haiku')).toBeNull();
  });
});

