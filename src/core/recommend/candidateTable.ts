import { CAPABILITIES, type Capability } from '../catalog/types.js';
import type { Domain } from '../profile.js';
import { costOn, type TokenTotals } from './bucket.js';
import { hardConstraintFailures, type Candidate } from './candidates.js';
import { MIN_CHECKED_NEED, NEED_MARGIN, type CapabilityNeeds } from './needs.js';

/**
 * The candidates of one assessment as flat per-candidate arrays, so that judging a bucket
 * against all of them is a few tight loops instead of one `isAdequate` and one `costOn` call
 * (and their allocations) per bucket and candidate: the hot path of `pnyx report`.
 * `adequacyInto` and `costInto` give exactly what `isAdequate` and `costOn` give (tested).
 */
export interface CandidateTable {
  size: number;
  /** Context window; Infinity when unknown (never a failure, as in hardConstraintFailures). */
  contextLength: Float64Array;
  /** 1 when the candidate passes the constraint alone. */
  tools: Uint8Array;
  structured: Uint8Array;
  multimodal: Uint8Array;
  interactive: Uint8Array;
  /** Capability level per candidate; -Infinity when unknown (always short, as in meetsNeeds). */
  levels: Record<Capability, Float64Array>;
  /** Domain level per candidate, built on first use; NaN when unknown (never short). */
  domains: Map<Domain, Float64Array>;
  candidates: Candidate[];
  /** Per candidate: priced without tiers (see costInto), or null to use costOn itself. */
  flatPrices: ({ prompt: number; completion: number; cacheRead: number; reasoning: number; image: number; request: number; reasons: boolean; unknown: boolean } | null)[];
}

const NO_NEEDS: CapabilityNeeds = {
  capabilities: { general: 0, reasoning: 0, coding: 0, instruction_following: 0, tool_use: 0, long_context: 0 },
  domain: null,
  context_tokens: 0,
  tools: false,
  structured_output: false,
  multimodal: false,
  interactive: false,
};

export function candidateTable(candidates: Candidate[]): CandidateTable {
  const n = candidates.length;
  const passes = (c: Candidate, needs: Partial<CapabilityNeeds>): number => (hardConstraintFailures(c.model, c.scores, { ...NO_NEEDS, ...needs }).length === 0 ? 1 : 0);
  const levels = {} as Record<Capability, Float64Array>;
  for (const cap of CAPABILITIES) levels[cap] = Float64Array.from(candidates, (c) => c.scores.capabilities[cap] ?? Number.NEGATIVE_INFINITY);
  return {
    size: n,
    contextLength: Float64Array.from(candidates, (c) => c.model.context_length ?? Number.POSITIVE_INFINITY),
    tools: Uint8Array.from(candidates, (c) => passes(c, { tools: true })),
    structured: Uint8Array.from(candidates, (c) => passes(c, { structured_output: true })),
    multimodal: Uint8Array.from(candidates, (c) => passes(c, { multimodal: true })),
    interactive: Uint8Array.from(candidates, (c) => passes(c, { interactive: true })),
    levels,
    domains: new Map(),
    candidates,
    flatPrices: candidates.map(({ model: { pricing: p, reasoning } }) => {
      if (p.overrides.length > 0) return null;
      const reasoningPrice = p.internal_reasoning > 0 ? p.internal_reasoning : p.completion;
      return { prompt: p.prompt, completion: p.completion, cacheRead: p.input_cache_read ?? p.prompt, reasoning: reasoningPrice, image: p.image, request: p.request, reasons: reasoning.supported, unknown: p.unknown };
    }),
  };
}

function domainLevels(t: CandidateTable, domain: Domain): Float64Array {
  let a = t.domains.get(domain);
  if (!a) {
    a = Float64Array.from(t.candidates, (c) => c.scores.domains[domain] ?? Number.NaN);
    t.domains.set(domain, a);
  }
  return a;
}

/** out[i] = 1 when candidate i meets `needs` (isAdequate), else 0. */
export function adequacyInto(t: CandidateTable, needs: CapabilityNeeds, out: Uint8Array): void {
  const n = t.size;
  const ctx = needs.context_tokens;
  for (let i = 0; i < n; i++) out[i] = t.contextLength[i]! < ctx ? 0 : 1;
  const flag = (on: boolean, pass: Uint8Array) => {
    if (on) for (let i = 0; i < n; i++) out[i] = out[i]! & pass[i]!;
  };
  flag(needs.tools, t.tools);
  flag(needs.structured_output, t.structured);
  flag(needs.multimodal, t.multimodal);
  flag(needs.interactive, t.interactive);
  for (const cap of CAPABILITIES) {
    const need = needs.capabilities[cap];
    if (need < MIN_CHECKED_NEED) continue;
    const min = need - NEED_MARGIN;
    const lv = t.levels[cap];
    for (let i = 0; i < n; i++) if (lv[i]! < min) out[i] = 0;
  }
  const d = needs.domain;
  if (d && d.level >= MIN_CHECKED_NEED) {
    const min = d.level - NEED_MARGIN;
    const lv = domainLevels(t, d.domain);
    for (let i = 0; i < n; i++) if (lv[i]! < min) out[i] = 0;
  }
}

const nonNeg = (v: number): number => (Number.isFinite(v) && v > 0 ? v : 0);

/**
 * out[i] = costOn(candidate i, tokens), NaN when unpriced. Untiered prices are applied here with
 * requestCost's arithmetic in its order (so the sums are bit-identical); tiered ones call costOn.
 */
export function costInto(t: CandidateTable, tokens: TokenTotals, out: Float64Array): void {
  if (tokens.requests === 0) {
    out.fill(0);
    return;
  }
  // The token mix as mixFor + requestCost see it, for a model that reasons and one that does not.
  const requests = nonNeg(tokens.requests);
  const prompt = nonNeg(tokens.prompt_tokens);
  const cached = Math.min(nonNeg(tokens.cached_tokens), prompt);
  const mix = (reasons: boolean) => {
    const reasoning = reasons ? tokens.reasoning_tokens : 0;
    const completion = nonNeg(tokens.completion_tokens - (tokens.reasoning_tokens - reasoning));
    const r = Math.min(nonNeg(reasoning), completion);
    return { visible: completion - r, reasoning: r };
  };
  const withReasoning = mix(true);
  const without = mix(false);
  for (let i = 0; i < t.size; i++) {
    const p = t.flatPrices[i];
    if (p === null || p === undefined) {
      out[i] = costOn(t.candidates[i]!.model, tokens) ?? Number.NaN;
      continue;
    }
    if (p.unknown) {
      out[i] = Number.NaN;
      continue;
    }
    const m = p.reasons ? withReasoning : without;
    out[i] = (prompt - cached) * p.prompt + cached * p.cacheRead + m.visible * p.completion + m.reasoning * p.reasoning + 0 * p.image + requests * p.request;
  }
}
