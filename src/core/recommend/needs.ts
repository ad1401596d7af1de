import { CAPABILITIES, type Capability, type ModelScores } from '../catalog/types.js';
import type { CapabilityProfile, Domain } from '../profile.js';

/**
 * What a request needs from a model, as capability levels: 0..1 percentiles among the catalog's
 * recommendable models (levels.ts), so 0.8 = "a top-20% model on this capability". A model meets
 * a need when its level is at least `need - NEED_MARGIN`: the margin absorbs the noise of both the
 * classifier and the benchmarks, so a model is never called short by a hair.
 */
export const NEED_MARGIN = 0.05;

/** Below this level a need is not checked at all (any model will do). */
export const MIN_CHECKED_NEED = 0.15;

/**
 * Instruction following from policy sensitivity: POLICY_IF_MAX_NEED × policy^POLICY_IF_CURVE. The
 * curve keeps moderate values (personal data present) at a modest need and reserves a top
 * instruction follower for output bound by policy (refunds, legal commitments, escalations).
 */
export const POLICY_IF_MAX_NEED = 0.9;
export const POLICY_IF_CURVE = 3;
/** Instruction-following need of a request that must return schema-valid structured output (the API enforces the schema when the model supports it). */
export const STRUCTURED_OUTPUT_IF_NEED = 0.3;
/** Instruction-following need of a request asking for a constrained format (table, list, JSON, markdown document). */
export const FORMAT_IF_NEED = 0.25;
/**
 * Observed reasoning effort: a reasoning model that spends many reasoning tokens on a request found
 * it hard. From EFFORT_MIN_REASONING_TOKENS per request the reasoning need rises (log scale) to
 * EFFORT_MAX_NEED at EFFORT_FULL_REASONING_TOKENS. Only logs of reasoning models carry the count.
 */
export const EFFORT_MIN_REASONING_TOKENS = 1_000;
export const EFFORT_FULL_REASONING_TOKENS = 4_000;
export const EFFORT_MAX_NEED = 0.9;
/**
 * The reasoning head gives a probability that a request needs reasoning, not a level. Below
 * REASONING_MIN_PROBABILITY the classifier judges a request clearly more likely not to need it,
 * so it sets no reasoning need (observed effort still can); from there on the need is the
 * probability itself (0.8 = "a top-20% reasoner").
 */
export const REASONING_MIN_PROBABILITY = 0.35;
/** Tool-use need of a request that carries tools, before its complexity raises it. */
export const TOOL_USE_BASE_NEED = 0.4;
/** Prompts from this many tokens up need long-context skill; at LONG_CONTEXT_FULL_TOKENS the need is LONG_CONTEXT_MAX_NEED. */
export const LONG_CONTEXT_MIN_TOKENS = 16_000;
export const LONG_CONTEXT_FULL_TOKENS = 200_000;
export const LONG_CONTEXT_MAX_NEED = 0.85;
/** A request is interactive (needs a fast first token) from this latency sensitivity up. */
export const INTERACTIVE_LATENCY_MIN = 0.7;
/** Interactive requests only go to models whose median time to first token is at most this. */
export const INTERACTIVE_MAX_TTFT_S = 1.5;

const CODE_FORMATS = new Set(['code']);
const CONSTRAINED_FORMATS = new Set(['json', 'table', 'list', 'markdown_document']);

/** Where each need comes from, for the report ("why"). */
export const NEED_SOURCES: Record<Capability | 'domain' | 'context', string> = {
  general: 'complexity',
  reasoning: `max(reasoning when at least ${REASONING_MIN_PROBABILITY}, observed reasoning effort: ${EFFORT_MAX_NEED} at ${EFFORT_FULL_REASONING_TOKENS} reasoning tokens per request)`,
  coding: 'code tasks (task_type code_generation, output_format code, domain software): max(complexity, reasoning)',
  instruction_following: `max(${POLICY_IF_MAX_NEED} × policy_sensitivity^${POLICY_IF_CURVE}, ${STRUCTURED_OUTPUT_IF_NEED} if structured output, ${FORMAT_IF_NEED} if a constrained format)`,
  tool_use: `needs_tools: max(${TOOL_USE_BASE_NEED}, complexity)`,
  long_context: `context_tokens from ${LONG_CONTEXT_MIN_TOKENS} (log scale up to ${LONG_CONTEXT_MAX_NEED} at ${LONG_CONTEXT_FULL_TOKENS})`,
  domain: 'domain other than general: the domain score must reach complexity',
  context: 'context window >= context_tokens + completion tokens',
};

export interface CapabilityNeeds {
  /** 0..1 per capability, on the catalog's score scale. */
  capabilities: Record<Capability, number>;
  /** A non-general domain and the level its domain score must reach, or null. */
  domain: { domain: Domain; level: number } | null;
  /** Hard constraint: the model's context window must hold this many tokens. */
  context_tokens: number;
  tools: boolean;
  structured_output: boolean;
  multimodal: boolean;
  /** Latency-sensitive: only fast models (INTERACTIVE_MAX_TTFT_S) are recommended. */
  interactive: boolean;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** The reasoning need implied by the reasoning tokens a reasoning model spent on a request. */
export function effortNeed(reasoningTokens: number): number {
  if (!(reasoningTokens >= EFFORT_MIN_REASONING_TOKENS)) return 0;
  const t = Math.log(reasoningTokens / EFFORT_MIN_REASONING_TOKENS) / Math.log(EFFORT_FULL_REASONING_TOKENS / EFFORT_MIN_REASONING_TOKENS);
  return EFFORT_MAX_NEED * (0.5 + 0.5 * clamp01(t));
}

/**
 * The capability needs of one request, from its profile and what the log shows of its completion
 * (tokens produced, for the context constraint; reasoning tokens spent, for the effort signal).
 * Pure: the same inputs always give the same needs.
 */
export function requiredCapabilities(profile: CapabilityProfile, usage: { completion_tokens?: number; reasoning_tokens?: number } = {}): CapabilityNeeds {
  const completionTokens = usage.completion_tokens ?? 0;
  const isCode = profile.task_type === 'code_generation' || CODE_FORMATS.has(profile.output_format) || profile.domain === 'software';
  const ifNeed = Math.max(
    POLICY_IF_MAX_NEED * profile.policy_sensitivity ** POLICY_IF_CURVE,
    profile.structured_output ? STRUCTURED_OUTPUT_IF_NEED : 0,
    CONSTRAINED_FORMATS.has(profile.output_format) ? FORMAT_IF_NEED : 0,
  );
  let longContext = 0;
  if (profile.context_tokens >= LONG_CONTEXT_MIN_TOKENS) {
    const span = Math.log(LONG_CONTEXT_FULL_TOKENS / LONG_CONTEXT_MIN_TOKENS);
    longContext = LONG_CONTEXT_MAX_NEED * clamp01(0.5 + (0.5 * Math.log(profile.context_tokens / LONG_CONTEXT_MIN_TOKENS)) / span);
  }
  return {
    capabilities: {
      general: clamp01(profile.complexity),
      reasoning: clamp01(Math.max(profile.reasoning >= REASONING_MIN_PROBABILITY ? profile.reasoning : 0, effortNeed(usage.reasoning_tokens ?? 0))),
      coding: isCode ? clamp01(Math.max(profile.complexity, profile.reasoning)) : 0,
      instruction_following: clamp01(ifNeed),
      tool_use: profile.needs_tools ? clamp01(Math.max(TOOL_USE_BASE_NEED, profile.complexity)) : 0,
      long_context: longContext,
    },
    domain: profile.domain === 'general' ? null : { domain: profile.domain, level: clamp01(profile.complexity) },
    context_tokens: profile.context_tokens + Math.max(0, completionTokens),
    tools: profile.needs_tools,
    structured_output: profile.structured_output,
    multimodal: profile.multimodal,
    interactive: profile.latency_sensitivity >= INTERACTIVE_LATENCY_MIN,
  };
}

/**
 * True when `scores` meets every need (the same rule as `shortfalls(...).length === 0`, without
 * building the list): the hot path of recommending, called once per bucket and candidate.
 */
export function meetsNeeds(needs: CapabilityNeeds, scores: ModelScores | undefined): boolean {
  const caps = needs.capabilities;
  for (const cap of CAPABILITIES) {
    const need = caps[cap];
    if (need < MIN_CHECKED_NEED) continue;
    const has = scores?.capabilities[cap];
    if (has === undefined || has === null || has < need - NEED_MARGIN) return false;
  }
  const d = needs.domain;
  if (d && d.level >= MIN_CHECKED_NEED) {
    const has = scores?.domains[d.domain];
    if (has !== undefined && has !== null && has < d.level - NEED_MARGIN) return false;
  }
  return true;
}

/** One capability where a model falls short of a need by more than the margin. */
export interface Shortfall {
  capability: Capability | `domain:${Domain}`;
  need: number;
  /** The model's score, or null when the catalog has no score for it. */
  has: number | null;
}

/**
 * Where `scores` falls short of `needs` by more than NEED_MARGIN. Needs below MIN_CHECKED_NEED are
 * not checked; an unknown score counts as short (never guessed). A missing domain score is not
 * a shortfall: few models have per-domain figures, so the domain check applies only where known.
 */
export function shortfalls(needs: CapabilityNeeds, scores: ModelScores | undefined): Shortfall[] {
  const out: Shortfall[] = [];
  for (const [cap, need] of Object.entries(needs.capabilities) as [Capability, number][]) {
    if (need < MIN_CHECKED_NEED) continue;
    const has = scores?.capabilities[cap];
    if (has === undefined || has === null) out.push({ capability: cap, need, has: null });
    else if (has < need - NEED_MARGIN) out.push({ capability: cap, need, has });
  }
  if (needs.domain && needs.domain.level >= MIN_CHECKED_NEED) {
    const has = scores?.domains[needs.domain.domain];
    if (has !== undefined && has !== null && has < needs.domain.level - NEED_MARGIN) {
      out.push({ capability: `domain:${needs.domain.domain}`, need: needs.domain.level, has });
    }
  }
  return out;
}
