import type { CatalogModel, ModelPricing, PriceOverride } from './types.js';

/**
 * The token mix of one request (or a sum of requests), with OpenAI/OpenRouter usage semantics:
 * `cached_tokens` are part of `prompt_tokens` and `reasoning_tokens` are part of
 * `completion_tokens` (as in `usage.prompt_tokens_details.cached_tokens` and
 * `usage.completion_tokens_details.reasoning_tokens`).
 */
export interface TokenMix {
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens?: number | null;
  cached_tokens?: number | null;
  images?: number | null;
  /** Number of requests the mix stands for (per-request fees); default 1. */
  requests?: number | null;
}

export interface CostBreakdown {
  /** USD; null when the model's price is unknown ("-1" / missing in the catalog). */
  total: number | null;
  prompt: number;
  cached: number;
  completion: number;
  reasoning: number;
  images: number;
  request: number;
  /** The tier used: null = base prices, else the override's `min_prompt_tokens`. */
  tier: number | null;
}

/**
 * The price tier that applies to a prompt of `promptTokens` tokens (per request): the override with
 * the highest `min_prompt_tokens` that the prompt reaches, else null (base prices).
 */
export function priceTier(pricing: ModelPricing, promptTokens: number): PriceOverride | null {
  let tier: PriceOverride | null = null;
  for (const o of pricing.overrides) {
    if (promptTokens >= o.min_prompt_tokens && (tier === null || o.min_prompt_tokens > tier.min_prompt_tokens)) tier = o;
  }
  return tier;
}

const nonNeg = (v: number | null | undefined): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * What one request costs on `model`, in USD. Tiered overrides apply when the request's prompt
 * reaches `min_prompt_tokens` (tiers are per request: pass one request's mix, not a sum, when
 * tiers matter). Cached tokens use the cache-read price when the model has one; reasoning tokens
 * use `internal_reasoning` when it is priced (> 0), else the completion price.
 */
export function requestCost(model: Pick<CatalogModel, 'pricing'>, mix: TokenMix): CostBreakdown {
  const p = model.pricing;
  const requests = mix.requests === null || mix.requests === undefined ? 1 : nonNeg(mix.requests);
  const promptTokens = nonNeg(mix.prompt_tokens);
  const completionTokens = nonNeg(mix.completion_tokens);
  const perRequestPrompt = requests > 0 ? promptTokens / requests : promptTokens;
  const tier = priceTier(p, perRequestPrompt);
  const promptPrice = tier?.prompt ?? p.prompt;
  const completionPrice = tier?.completion ?? p.completion;
  const cacheReadBase = tier?.input_cache_read ?? p.input_cache_read;
  const cacheRead = cacheReadBase ?? promptPrice;
  const reasoningPrice = p.internal_reasoning > 0 ? p.internal_reasoning : completionPrice;

  const cachedTokens = Math.min(nonNeg(mix.cached_tokens), promptTokens);
  const reasoningTokens = Math.min(nonNeg(mix.reasoning_tokens), completionTokens);
  const out: CostBreakdown = {
    total: null,
    prompt: (promptTokens - cachedTokens) * promptPrice,
    cached: cachedTokens * cacheRead,
    completion: (completionTokens - reasoningTokens) * completionPrice,
    reasoning: reasoningTokens * reasoningPrice,
    images: nonNeg(mix.images) * p.image,
    request: requests * p.request,
    tier: tier?.min_prompt_tokens ?? null,
  };
  out.total = p.unknown ? null : out.prompt + out.cached + out.completion + out.reasoning + out.images + out.request;
  return out;
}

/** USD per 1M tokens, the unit people compare prices in. */
export function perMillion(usdPerToken: number): number {
  return usdPerToken * 1e6;
}
