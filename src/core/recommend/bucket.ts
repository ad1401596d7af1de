import type { CatalogModel } from '../catalog/types.js';
import { requestCost, type TokenMix } from '../catalog/cost.js';
import type { CapabilityProfile } from '../profile.js';

/** Token totals of a group of requests (cached ⊂ prompt, reasoning ⊂ completion, as OpenAI counts them). */
export interface TokenTotals {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cached_tokens: number;
}

/**
 * Requests of one feature on one assigned model whose profiles fall in the same bucket (the
 * profile's numbers rounded): recommendation is computed once per bucket, not per request.
 */
export interface ProfileBucket {
  feature: string;
  /** The model the requests were served on. */
  model: string;
  requests: number;
  /** Requests whose log had no prompt text (profile from metadata alone). */
  metadata_only: number;
  /** A representative profile (bucket values; signals empty). */
  profile: CapabilityProfile;
  /** Largest context_tokens + completion_tokens of the bucket: the context window it needs. */
  max_context_tokens: number;
  tokens: TokenTotals;
  /** Sum of logged cost over the requests that have one. */
  logged_cost_usd: number;
  /** Token totals of the requests without a logged cost (priced from the catalog). */
  unlogged: TokenTotals;
}

export const ZERO_TOKENS: TokenTotals = { requests: 0, prompt_tokens: 0, completion_tokens: 0, reasoning_tokens: 0, cached_tokens: 0 };

/**
 * The token mix a model would see for these requests: the same prompt and visible completion;
 * reasoning tokens only when the model reasons (a model without reasoning would not spend them).
 */
export function mixFor(model: CatalogModel, t: TokenTotals): TokenMix {
  const reasoning = model.reasoning.supported ? t.reasoning_tokens : 0;
  return {
    requests: t.requests,
    prompt_tokens: t.prompt_tokens,
    completion_tokens: t.completion_tokens - (t.reasoning_tokens - reasoning),
    reasoning_tokens: reasoning,
    cached_tokens: t.cached_tokens,
  };
}

/** USD of these requests on `model` at catalog prices (tiered prices by the mean prompt size); null when unpriced. */
export function costOn(model: CatalogModel, t: TokenTotals): number | null {
  if (t.requests === 0) return 0;
  return requestCost(model, mixFor(model, t)).total;
}

export function addTokens(a: TokenTotals, b: TokenTotals): TokenTotals {
  return {
    requests: a.requests + b.requests,
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    reasoning_tokens: a.reasoning_tokens + b.reasoning_tokens,
    cached_tokens: a.cached_tokens + b.cached_tokens,
  };
}
