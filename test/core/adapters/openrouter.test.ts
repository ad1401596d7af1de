import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../../src/core/adapters/attribution.js';
import { detectAdapter } from '../../../src/core/adapters/index.js';
import { readRecord } from '../../../src/core/ingestRecord.js';

/** The example of OpenRouter's API reference for GET /api/v1/generation, snake_case as on the wire. */
const generation = {
  id: 'gen-3bhGkxlo4XFrqiabUM7NDtwDzWwG',
  upstream_id: 'chatcmpl-791bcf62-080e-4568-87d0-94c72e3b4946',
  total_cost: 0.0015,
  cache_discount: 0.0002,
  upstream_inference_cost: 0.0012,
  created_at: '2024-07-15T23:33:19.433273+00:00',
  model: 'sao10k/l3-stheno-8b',
  app_id: 12345,
  streamed: true,
  cancelled: false,
  provider_name: 'Infermatic',
  latency: 1250,
  moderation_latency: 50,
  generation_time: 1200,
  finish_reason: 'stop',
  tokens_prompt: 10,
  tokens_completion: 25,
  native_tokens_prompt: 11,
  native_tokens_completion: 26,
  native_tokens_completion_images: 0,
  native_tokens_reasoning: 5,
  native_tokens_cached: 3,
  num_media_prompt: 1,
  num_search_results: 5,
  origin: 'https://openrouter.ai/',
  usage: 0.0015,
  is_byok: false,
  native_finish_reason: 'stop',
  external_user: 'user-123',
  api_type: 'completions',
  router: 'openrouter/auto',
  data_region: 'global',
};

const read = (rec: unknown, opts = {}) => readRecord(rec, { mapping: DEFAULT_MAPPING, ...opts });

describe('openrouter adapter', () => {
  it('maps a {data:{...}} generation record onto the canonical request, without prompt text', () => {
    const out = read({ data: generation });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.request).toEqual({
      request_id: 'gen-3bhGkxlo4XFrqiabUM7NDtwDzWwG',
      timestamp: new Date('2024-07-15T23:33:19.433Z'),
      feature: 'openrouter-app-12345',
      tenant_id: null,
      user_id: 'user-123',
      requested_model: 'openrouter/auto',
      served_model: 'sao10k/l3-stheno-8b',
      provider: 'Infermatic',
      system_prompt: null,
      messages: [],
      has_prompt_text: false,
      tools: null,
      response_format: null,
      max_tokens: null,
      temperature: null,
      stream: true,
      prompt_tokens: 11,
      completion_tokens: 26,
      reasoning_tokens: 5,
      cached_tokens: 3,
      cost_usd: 0.0015,
      latency_ms: 1250,
      ttft_ms: null,
      finish_reason: 'stop',
      status: null,
      error: null,
      metadata: {
        app_id: 12345,
        upstream_id: 'chatcmpl-791bcf62-080e-4568-87d0-94c72e3b4946',
        router: 'openrouter/auto',
        data_region: 'global',
        origin: 'https://openrouter.ai/',
        api_type: 'completions',
        is_byok: false,
        tokens_prompt: 10,
        tokens_completion: 25,
        generation_time: 1200,
        moderation_latency: 50,
        native_finish_reason: 'stop',
        cache_discount: 0.0002,
        upstream_inference_cost: 0.0012,
        num_media_prompt: 1,
        num_search_results: 5,
      },
      source_format: 'openrouter',
    });
  });

  it('reads the unwrapped object and the camelCase spelling of the TypeScript SDK alike', () => {
    const camel = {
      id: 'gen-1', model: 'openai/gpt-5-mini', createdAt: '2025-11-18T09:00:00Z', providerName: 'OpenAI', tokensPrompt: 100, tokensCompletion: 20,
      nativeTokensPrompt: 104, nativeTokensCompletion: 21, totalCost: 0.00007, latency: 900, finishReason: 'length', externalUser: 'u9', appId: 7,
    };
    const a = read(camel);
    const b = read({ id: 'gen-1', model: 'openai/gpt-5-mini', created_at: '2025-11-18T09:00:00Z', provider_name: 'OpenAI', tokens_prompt: 100, tokens_completion: 20, native_tokens_prompt: 104, native_tokens_completion: 21, total_cost: 0.00007, latency: 900, finish_reason: 'length', external_user: 'u9', app_id: 7 });
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.request).toEqual(b.request);
    expect(a.request).toMatchObject({ requested_model: 'openai/gpt-5-mini', prompt_tokens: 104, completion_tokens: 21, finish_reason: 'length', feature: 'openrouter-app-7', has_prompt_text: false });
  });

  it('takes the feature from a configured path, and renames it with feature_names', () => {
    const rec = { data: { ...generation, app_name: 'ignored' }, feature: 'email_autocomplete' };
    const viaPath = read(rec, { overrides: { formats: { openrouter: { feature: ['feature'] } } } });
    expect(viaPath.ok && viaPath.request.feature).toBe('email_autocomplete');
    const renamed = read({ data: generation }, { featureNames: { 'openrouter-app-12345': 'lead_scoring' } });
    expect(renamed.ok && renamed.request.feature).toBe('lead_scoring');
  });

  it('is detected only by its generation fields', () => {
    expect(detectAdapter({ data: generation }).name).toBe('openrouter');
    expect(detectAdapter(generation).name).toBe('openrouter');
    // An OpenAI-style log that happens to hold a gen- id is not a generation record.
    expect(detectAdapter({ id: 'gen-1', model: 'x', messages: [{ role: 'user', content: 'hi' }], usage: { prompt_tokens: 1 } }).name).toBe('openai-flat');
  });
});
