import type { RoutingPolicy } from '../config.js';
import { CAPABILITIES, supportsParameter, type CatalogModel, type ModelCatalog, type ModelScores } from '../catalog/types.js';
import { INTERACTIVE_MAX_TTFT_S, meetsNeeds, type CapabilityNeeds } from './needs.js';

/**
 * Model tiers, by capability index (the mean of a model's known capability scores). A tier is a
 * quality class, not a price class: prices are compared separately.
 */
export const TIERS = ['lightweight', 'efficient', 'mid', 'frontier'] as const;
export type Tier = (typeof TIERS)[number];
export const TIER_MIN_CAPABILITY_INDEX: Record<Tier, number> = { frontier: 0.8, mid: 0.6, efficient: 0.4, lightweight: 0 };
/** A capability index needs at least this many known capability scores. */
export const MIN_KNOWN_CAPABILITIES = 3;

/** A catalog model that may be recommended at all, with what the request-level checks need. */
export interface Candidate {
  model: CatalogModel;
  scores: ModelScores;
  tier: Tier;
  capability_index: number;
}

export function providerOf(modelId: string): string {
  const i = modelId.indexOf('/');
  return i < 0 ? modelId : modelId.slice(0, i);
}

export function capabilityIndex(scores: ModelScores | undefined): number | null {
  if (!scores) return null;
  const known = CAPABILITIES.map((c) => scores.capabilities[c]).filter((v): v is number => typeof v === 'number');
  if (known.length < MIN_KNOWN_CAPABILITIES) return null;
  return known.reduce((a, b) => a + b, 0) / known.length;
}

export function tierOf(index: number): Tier {
  for (const t of [...TIERS].reverse()) if (index >= TIER_MIN_CAPABILITY_INDEX[t]) return t;
  return 'lightweight';
}

export function modelTier(scores: ModelScores | undefined): Tier | null {
  const i = capabilityIndex(scores);
  return i === null ? null : tierOf(i);
}

/** Why a model is not allowed by a routing policy, or null when it is. */
export function policyExclusion(modelId: string, scores: ModelScores | undefined, policy: RoutingPolicy): string | null {
  const provider = providerOf(modelId);
  if (policy.blocked_models?.includes(modelId)) return 'model blocked by policy';
  if (policy.blocked_providers?.includes(provider)) return `provider ${provider} blocked by policy`;
  if (policy.allowed_models && !policy.allowed_models.includes(modelId)) return 'model not in allowed_models';
  if (policy.allowed_providers && !policy.allowed_providers.includes(provider)) return `provider ${provider} not in allowed_providers`;
  if (policy.quality_floor !== undefined) {
    const g = scores?.capabilities.general;
    if (g === undefined || g < policy.quality_floor) return `general score ${g === undefined ? 'unknown' : g.toFixed(2)} below quality floor ${policy.quality_floor}`;
  }
  if (policy.latency_slo_p95_ttft_ms !== undefined) {
    const t = scores?.ttft_s;
    if (t === null || t === undefined) return 'TTFT unknown: cannot meet the latency SLO';
    if (t * 1000 > policy.latency_slo_p95_ttft_ms) return `median TTFT ${t.toFixed(2)}s above the latency SLO`;
  }
  return null;
}

/**
 * Router aliases (`~…`, `openrouter/…`) and variants (`:free` rate-limited, `:batch`, `:nitro`, …)
 * are never recommended: a recommendation names a model a team can pin in production.
 */
export function isPinnableModel(m: CatalogModel): boolean {
  return !m.id.includes(':') && !m.id.startsWith('~') && !m.id.startsWith('openrouter/') && m.output_modalities.includes('text');
}

/**
 * The models that may be recommended for a feature: pinnable, priced (not free, not unknown),
 * scored, not withdrawn by `asOf`, and allowed by the policy. Cheapest first (by blended price).
 */
export function eligibleCandidates(catalog: ModelCatalog, policy: RoutingPolicy, asOf: string): Candidate[] {
  const out: Candidate[] = [];
  for (const model of catalog.models) {
    if (!isPinnableModel(model)) continue;
    const p = model.pricing;
    if (p.unknown || (p.prompt <= 0 && p.completion <= 0)) continue;
    if (model.expiration_date && model.expiration_date <= asOf) continue;
    const scores = catalog.scores.get(model.id);
    const index = capabilityIndex(scores);
    if (!scores || index === null) continue;
    if (policyExclusion(model.id, scores, policy)) continue;
    out.push({ model, scores, tier: tierOf(index), capability_index: index });
  }
  return out.sort((a, b) => blendedPrice(a.model) - blendedPrice(b.model) || a.model.id.localeCompare(b.model.id));
}

/** USD per token for a 3:1 prompt:completion mix: only for ordering and display. */
export function blendedPrice(m: CatalogModel): number {
  return (3 * m.pricing.prompt + m.pricing.completion) / 4;
}

const MULTIMODAL_INPUTS = ['image', 'file', 'audio', 'video'];

/** Hard constraints of a request that `model` fails (context, tools, structured output, modality, speed). */
export function hardConstraintFailures(model: CatalogModel, scores: ModelScores | undefined, needs: CapabilityNeeds): string[] {
  const out: string[] = [];
  if (model.context_length !== null && model.context_length < needs.context_tokens) {
    out.push(`context window ${model.context_length} < ${needs.context_tokens} tokens`);
  }
  if (needs.tools && !supportsParameter(model, 'tools')) out.push('no tool calling');
  if (needs.structured_output && !supportsParameter(model, 'response_format') && !supportsParameter(model, 'structured_outputs') && !supportsParameter(model, 'tools')) {
    out.push('no structured output');
  }
  if (needs.multimodal && !model.input_modalities.some((m) => MULTIMODAL_INPUTS.includes(m))) out.push('text-only input');
  if (needs.interactive) {
    const t = scores?.ttft_s;
    if (t === null || t === undefined || t > INTERACTIVE_MAX_TTFT_S) out.push(`not fast enough for interactive use (median TTFT ${t === null || t === undefined ? 'unknown' : `${t.toFixed(2)}s`})`);
  }
  return out;
}

/** True when the candidate satisfies every hard constraint and every capability need of the request. */
export function isAdequate(c: Candidate, needs: CapabilityNeeds): boolean {
  // Same answer as `hardConstraintFailures(...).length === 0 && shortfalls(...).length === 0`,
  // without building messages: it runs once per bucket and candidate.
  const m = c.model;
  if (m.context_length !== null && m.context_length < needs.context_tokens) return false;
  if (needs.tools && !supportsParameter(m, 'tools')) return false;
  if (needs.structured_output && !supportsParameter(m, 'response_format') && !supportsParameter(m, 'structured_outputs') && !supportsParameter(m, 'tools')) return false;
  if (needs.multimodal && !m.input_modalities.some((x) => MULTIMODAL_INPUTS.includes(x))) return false;
  if (needs.interactive) {
    const t = c.scores?.ttft_s;
    if (t === null || t === undefined || t > INTERACTIVE_MAX_TTFT_S) return false;
  }
  return meetsNeeds(needs, c.scores);
}
