import type { CatalogModel, ModelCatalog, ModelScores, PriceOverride } from '../../../src/core/catalog/types.js';
import type { ProfileBucket, TokenTotals } from '../../../src/core/recommend/bucket.js';
import type { CapabilityProfile } from '../../../src/core/profile.js';

/** A hand-built catalog model: prices (tiers included) in USD per 1M tokens, converted to per token. */
export function model(
  id: string,
  perMillion: { prompt: number; completion: number; cache_read?: number; reasoning?: number; overrides?: PriceOverride[] },
  extra: Partial<CatalogModel> = {},
): CatalogModel {
  return {
    id,
    canonical_slug: id,
    name: id,
    created: '2025-01-01',
    context_length: 200_000,
    max_completion_tokens: 32_000,
    input_modalities: ['text'],
    output_modalities: ['text'],
    pricing: {
      prompt: perMillion.prompt / 1e6,
      completion: perMillion.completion / 1e6,
      request: 0,
      image: 0,
      web_search: 0,
      internal_reasoning: (perMillion.reasoning ?? 0) / 1e6,
      input_cache_read: perMillion.cache_read === undefined ? null : perMillion.cache_read / 1e6,
      input_cache_write: null,
      overrides: (perMillion.overrides ?? []).map((o) => ({
        min_prompt_tokens: o.min_prompt_tokens,
        ...(o.prompt === undefined ? {} : { prompt: o.prompt / 1e6 }),
        ...(o.completion === undefined ? {} : { completion: o.completion / 1e6 }),
        ...(o.input_cache_read === undefined ? {} : { input_cache_read: o.input_cache_read / 1e6 }),
      })),
      unknown: false,
    },
    supported_parameters: ['tools', 'response_format', 'temperature'],
    is_moderated: false,
    expiration_date: null,
    knowledge_cutoff: null,
    reasoning: { supported: false, mandatory: false },
    ...extra,
  };
}

export function scores(id: string, level: number, extra: Partial<ModelScores> & { caps?: Partial<ModelScores['capabilities']> } = {}): ModelScores {
  const { caps, ...rest } = extra;
  return {
    model_id: id,
    capabilities: { general: level, reasoning: level, coding: level, instruction_following: level, tool_use: level, long_context: level, ...caps },
    domains: {},
    output_tokens_per_s: 100,
    ttft_s: 0.5,
    sources: [],
    ...rest,
  };
}

/**
 * Four models, one per tier: frontier ($5/$25, 0.9), mid ($1/$5, 0.7), efficient ($0.2/$0.8, 0.5),
 * lightweight ($0.05/$0.2, 0.3).
 */
export function handCatalog(extraModels: CatalogModel[] = [], extraScores: ModelScores[] = []): ModelCatalog {
  const models = [
    model('lab/frontier', { prompt: 5, completion: 25 }),
    model('lab/mid', { prompt: 1, completion: 5 }),
    model('lab/efficient', { prompt: 0.2, completion: 0.8 }),
    model('other/light', { prompt: 0.05, completion: 0.2 }),
    ...extraModels,
  ];
  const s = [scores('lab/frontier', 0.9), scores('lab/mid', 0.7), scores('lab/efficient', 0.5), scores('other/light', 0.3), ...extraScores];
  return { source: 'test', snapshot_date: '2026-08-19', models, scores: new Map(s.map((x) => [x.model_id, x])) };
}

export function profile(p: Partial<CapabilityProfile> = {}): CapabilityProfile {
  return {
    task_type: 'text_generation',
    domain: 'general',
    reasoning: 0.1,
    output_format: 'free_text',
    structured_output: false,
    latency_sensitivity: 0.3,
    safety_risk: 0,
    policy_sensitivity: 0,
    context_tokens: 1000,
    needs_tools: false,
    multimodal: false,
    language: 'en',
    complexity: 0.2,
    signals: [],
    ...p,
  };
}

export function tokens(requests: number, prompt = 1000, completion = 200, reasoning = 0, cached = 0): TokenTotals {
  return { requests, prompt_tokens: prompt * requests, completion_tokens: completion * requests, reasoning_tokens: reasoning * requests, cached_tokens: cached * requests };
}

/** A bucket of `n` requests with this profile on `assigned`, costs not logged. */
export function bucket(assigned: string, n: number, p: Partial<CapabilityProfile> = {}, t: TokenTotals = tokens(n)): ProfileBucket {
  const prof = profile(p);
  return {
    feature: 'f',
    model: assigned,
    requests: n,
    metadata_only: 0,
    profile: prof,
    max_context_tokens: prof.context_tokens + Math.ceil(t.completion_tokens / Math.max(1, n)),
    tokens: t,
    logged_cost_usd: 0,
    unlogged: t,
  };
}
