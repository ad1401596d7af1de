import type { CatalogModel, ModelScores } from '../catalog/types.js';
import type { ProfileBucket } from './bucket.js';

/**
 * Reasoning modes. Hybrid models (reasoning optional) are scored by sources in both modes; the
 * catalog's `capabilities` hold the reasoning-mode scores and `non_reasoning` the others. The logs
 * show which mode a feature runs: a feature whose requests on a model use reasoning tokens in
 * fewer than REASONING_USE_MIN_SHARE of them runs it without reasoning, so the assigned model is
 * judged by its non-reasoning scores (when the catalog has them). Candidates are judged by their
 * best (reasoning) mode; a route that needs that mode says "enable reasoning".
 */
export const REASONING_USE_MIN_SHARE = 0.05;

export interface ReasoningUse {
  requests: number;
  /** Requests that logged at least one reasoning token. */
  with_reasoning: number;
}

/**
 * Requests with reasoning tokens, from profile buckets. Buckets split requests by
 * ceil(log2(reasoning_tokens + 1)), so a bucket with any reasoning tokens has them on every request.
 */
export function reasoningUse(buckets: readonly ProfileBucket[]): ReasoningUse {
  let requests = 0;
  let withReasoning = 0;
  for (const b of buckets) {
    requests += b.requests;
    if (b.tokens.reasoning_tokens > 0) withReasoning += b.requests;
  }
  return { requests, with_reasoning: withReasoning };
}

/** True when a model can run with reasoning on or off (supported, not mandatory). */
export function isHybrid(model: CatalogModel | null | undefined): boolean {
  return !!model && model.reasoning.supported && !model.reasoning.mandatory;
}

/** The scores with the non-reasoning capability scores in place of the reasoning-mode ones (unchanged when there are none). */
export function nonReasoningScores(scores: ModelScores): ModelScores {
  const nr = scores.non_reasoning;
  if (!nr || Object.keys(nr).length === 0) return scores;
  return { ...scores, capabilities: { ...scores.capabilities, ...nr } };
}

export interface JudgedMode {
  mode: 'reasoning' | 'non-reasoning';
  scores: ModelScores | undefined;
  /** Set when the non-reasoning scores are used: why, for the report's warnings. */
  note: string | null;
}

/**
 * Which mode to judge an assigned model in for a feature: non-reasoning when the model is hybrid,
 * the catalog has its non-reasoning scores, and fewer than REASONING_USE_MIN_SHARE of the
 * feature's requests on it used reasoning tokens; else its catalog (reasoning-mode) scores.
 */
export function judgedMode(model: CatalogModel | null | undefined, scores: ModelScores | undefined, use: ReasoningUse): JudgedMode {
  const hasNonReasoning = !!scores?.non_reasoning && Object.keys(scores.non_reasoning).length > 0;
  if (!scores || !hasNonReasoning || !isHybrid(model) || use.requests === 0 || use.with_reasoning / use.requests >= REASONING_USE_MIN_SHARE) {
    return { mode: 'reasoning', scores, note: null };
  }
  return {
    mode: 'non-reasoning',
    scores: nonReasoningScores(scores),
    note: `${scores.model_id} judged in non-reasoning mode: ${use.with_reasoning} of ${use.requests} requests used reasoning tokens`,
  };
}
