/**
 * The routing evaluation's core: classify each benchmark prompt with the shipped classifier, turn
 * its profile into pnyx's per-request needs (src/core/recommend/needs.ts), and measure how well
 * those needs pick out the prompts a weaker model gets wrong. Pure apart from the classifier's
 * bundled weights; the loaders are in data.ts, the printing in scripts/eval-routing.ts.
 */
import { CAPABILITIES, type ModelScores } from '../../src/core/catalog/types.js';
import { classifyPrompt } from '../../src/core/classifier/index.js';
import type { CapabilityProfile } from '../../src/core/profile.js';
import { meetsNeeds, MIN_CHECKED_NEED, requiredCapabilities, type CapabilityNeeds } from '../../src/core/recommend/needs.js';
import type { EvalModel, EvalPrompt } from './data.js';
import { apgr, baselines, pgr, randomAt, rocAuc, routeAtShare, routeBy, stratifiedAuc, type RoutedPrompt, type RoutingPoint } from './metrics.js';

/** The ways of reading "how demanding is this request" that are evaluated (higher = harder). */
export const NEED_VARIANTS = ['reasoning', 'complexity', 'max_need', 'weak_shortfall', 'pnyx_rule'] as const;
export type NeedVariant = (typeof NEED_VARIANTS)[number];

export const VARIANT_HELP: Record<NeedVariant, string> = {
  reasoning: 'profile.reasoning (0..1)',
  complexity: 'profile.complexity (0..1)',
  max_need: 'max over capabilities of requiredCapabilities() and the domain level',
  weak_shortfall: "max over checked needs (>= MIN_CHECKED_NEED) of need − the weak model's level (unknown level = 0); -1 when nothing is checked",
  pnyx_rule: "1 when meetsNeeds(needs, weak model's levels) is false, else 0: pnyx's own decision",
};

/** The weak-model shares at which the routing curve is printed. */
export const WEAK_SHARES = [0.25, 0.5, 0.75] as const;

export interface ClassifiedPrompt {
  prompt: EvalPrompt;
  profile: CapabilityProfile;
  needs: CapabilityNeeds;
}

export function classifyAll(prompts: readonly EvalPrompt[]): ClassifiedPrompt[] {
  return prompts.map((prompt) => {
    const profile = classifyPrompt(prompt.text);
    return { prompt, profile, needs: requiredCapabilities(profile) };
  });
}

export function maxNeed(needs: CapabilityNeeds): number {
  return Math.max(...CAPABILITIES.map((c) => needs.capabilities[c]), needs.domain?.level ?? 0);
}

/** How far the weak model falls short of the request's largest checked need (levels, 0..1). */
export function weakShortfall(needs: CapabilityNeeds, levels: ModelScores): number {
  let worst = -1;
  for (const c of CAPABILITIES) {
    const need = needs.capabilities[c];
    if (need < MIN_CHECKED_NEED) continue;
    worst = Math.max(worst, need - (levels.capabilities[c] ?? 0));
  }
  const d = needs.domain;
  if (d && d.level >= MIN_CHECKED_NEED) {
    const has = levels.domains[d.domain];
    if (has !== undefined) worst = Math.max(worst, d.level - has);
  }
  return worst;
}

export function variantScore(v: NeedVariant, c: ClassifiedPrompt, weakLevels: ModelScores): number {
  switch (v) {
    case 'reasoning':
      return c.profile.reasoning;
    case 'complexity':
      return c.profile.complexity;
    case 'max_need':
      return maxNeed(c.needs);
    case 'weak_shortfall':
      return weakShortfall(c.needs, weakLevels);
    case 'pnyx_rule':
      return meetsNeeds(c.needs, weakLevels) ? 0 : 1;
  }
}

export interface Pair {
  weak: EvalModel;
  strong: EvalModel;
}

export interface VariantFigures {
  variant: NeedVariant;
  /** AUC for "weak wrong and strong right" (the prompts worth the strong model). */
  aucGap: number | null;
  /** The same, counting only pairs of one stratum (MMLU subject, else benchmark). */
  aucGapWithin: number | null;
  /** AUC for "weak wrong". */
  aucWeakWrong: number | null;
  apgr: number | null;
  /** Routing the least demanding WEAK_SHARES[i] of prompts to the weak model. */
  curve: RoutingPoint[];
}

export interface PairFigures {
  n: number;
  weak: RoutingPoint;
  strong: RoutingPoint;
  oracle: RoutingPoint;
  /** Share of prompts the weak model gets wrong and the strong one right. */
  gapShare: number;
  variants: VariantFigures[];
  /** pnyx's decision with real levels: the weak model when it meets every need; and how often the strong model meets them. */
  rule: { point: RoutingPoint; random: RoutingPoint; pgr: number | null; strongMeetsShare: number };
}

/**
 * The figures of one weak/strong pair on prompts that have both outcomes. Without per-prompt costs
 * (RouteLLM) the strong model costs 1 per prompt and the weak one `priceRatio`.
 */
export function pairFigures(rows: readonly ClassifiedPrompt[], pair: Pair, levels: Record<EvalModel, ModelScores>, priceRatio: number): PairFigures | null {
  const weakLevels = levels[pair.weak];
  const usable = rows.filter((r) => r.prompt.correct[pair.weak] !== undefined && r.prompt.correct[pair.strong] !== undefined);
  if (usable.length === 0) return null;
  const routed = (v: NeedVariant): RoutedPrompt[] =>
    usable.map((r) => ({
      score: variantScore(v, r, weakLevels),
      weak: r.prompt.correct[pair.weak]!,
      strong: r.prompt.correct[pair.strong]!,
      weakCost: r.prompt.cost ? (r.prompt.cost[pair.weak] ?? Number.NaN) : priceRatio,
      strongCost: r.prompt.cost ? (r.prompt.cost[pair.strong] ?? Number.NaN) : 1,
    }));
  const base = routed('pnyx_rule');
  const b = baselines(base);
  const variants = NEED_VARIANTS.map((variant): VariantFigures => {
    const rs = routed(variant);
    const gapLabel = (r: RoutedPrompt): 0 | 1 => (r.weak === 0 && r.strong === 1 ? 1 : 0);
    return {
      variant,
      aucGap: rocAuc(rs.map((r) => [r.score, gapLabel(r)])),
      aucGapWithin: stratifiedAuc(rs.map((r, i) => [r.score, gapLabel(r), usable[i]!.prompt.stratum])),
      aucWeakWrong: rocAuc(rs.map((r) => [r.score, r.weak === 0 ? 1 : 0])),
      apgr: apgr(rs),
      curve: WEAK_SHARES.map((s) => routeAtShare(rs, s)),
    };
  });
  const point = routeBy(base, (r) => r.score === 0);
  return {
    n: usable.length,
    ...b,
    gapShare: base.filter((r) => r.weak === 0 && r.strong === 1).length / base.length,
    variants,
    rule: {
      point,
      random: randomAt(base, point.weakShare),
      pgr: pgr(point.accuracy, b.weak.accuracy, b.strong.accuracy),
      strongMeetsShare: usable.filter((r) => meetsNeeds(r.needs, levels[pair.strong])).length / usable.length,
    },
  };
}
