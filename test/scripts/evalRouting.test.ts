import { describe, expect, it } from 'vitest';
import { loadRouteLlm, loadRouterBench, mbppDescription } from '../../scripts/routing/data.js';
import { classifyAll, maxNeed, pairFigures, weakShortfall } from '../../scripts/routing/evaluate.js';
import { pnyxLevels } from '../../scripts/routing/levels.js';
import { apgr, baselines, pgr, randomAt, rocAuc, routeAtShare, routeBy, stratifiedAuc, type RoutedPrompt } from '../../scripts/routing/metrics.js';
import { requiredCapabilities } from '../../src/core/recommend/needs.js';
import { classifyPrompt } from '../../src/core/classifier/index.js';
import { HAS_SHARED, SHARED_DATASETS } from '../helpers/shared.js';

const p = (score: number, weak: 0 | 1, strong: 0 | 1, weakCost = 1, strongCost = 10): RoutedPrompt => ({ score, weak, strong, weakCost, strongCost });

describe('rocAuc', () => {
  it('is the share of (positive, negative) pairs ranked right, ties counting half', () => {
    // Pairs (pos, neg): (0.35 > 0.1) (0.35 < 0.4) (0.8 > 0.1) (0.8 > 0.4) → 3 of 4.
    expect(rocAuc([[0.1, 0], [0.4, 0], [0.35, 1], [0.8, 1]])).toBe(0.75);
    expect(rocAuc([[0.5, 1], [0.5, 0], [0.9, 1], [0.1, 0]])).toBe((1 + 1 + 0.5 + 1) / 4);
    expect(rocAuc([[0.9, 0], [0.1, 1]])).toBe(0);
    expect(rocAuc([[0.3, 1], [0.2, 1]])).toBeNull();
  });

  it('within strata: a score that only tells the strata apart gets no credit', () => {
    // Stratum a (all scored 0.9) holds most positives, b (0.1) most negatives: pooled AUC is high,
    // but within each stratum the score is constant.
    const rows: Array<[number, 0 | 1, string]> = [[0.9, 1, 'a'], [0.9, 1, 'a'], [0.9, 0, 'a'], [0.1, 1, 'b'], [0.1, 0, 'b'], [0.1, 0, 'b']];
    // Pooled, 3 × 3 pairs: 4 won (0.9 vs 0.1), 1 lost, 4 tied (half each) → 6/9.
    expect(rocAuc(rows.map(([s, l]) => [s, l]))).toBeCloseTo(6 / 9, 12);
    expect(stratifiedAuc(rows)).toBe(0.5);
    // Weighted by each stratum's pairs: a has 2×1 pairs (both right), b 1×2 (both wrong) → 0.5.
    expect(stratifiedAuc([[0.9, 1, 'a'], [0.8, 1, 'a'], [0.1, 0, 'a'], [0.1, 1, 'b'], [0.5, 0, 'b'], [0.6, 0, 'b']])).toBe(0.5);
    expect(stratifiedAuc([[0.9, 1, 'a'], [0.8, 1, 'a'], [0.1, 0, 'a'], [0.1, 1, 'b']])).toBe(1);
  });
});

describe('routing curve', () => {
  // Hardest last: the two "weak wrong, strong right" prompts score highest.
  const rows = [p(0.1, 1, 1), p(0.2, 1, 0), p(0.7, 0, 1), p(0.9, 0, 1)];

  it('baselines and the oracle', () => {
    const b = baselines(rows);
    expect(b.weak).toEqual({ weakShare: 1, accuracy: 0.5, cost: 4 });
    expect(b.strong).toEqual({ weakShare: 0, accuracy: 0.75, cost: 40 });
    // Oracle: weak on the two it gets right, strong on the other two.
    expect(b.oracle).toEqual({ weakShare: 0.5, accuracy: 1, cost: 22 });
  });

  it('sends the least demanding share to the weak model', () => {
    expect(routeAtShare(rows, 0.5)).toEqual({ weakShare: 0.5, accuracy: 1, cost: 22 });
    expect(routeAtShare(rows, 0.25)).toEqual({ weakShare: 0.25, accuracy: 0.75, cost: 31 });
    expect(routeAtShare(rows, 0)).toEqual({ weakShare: 0, accuracy: 0.75, cost: 40 });
    expect(routeAtShare(rows, 1)).toEqual({ weakShare: 1, accuracy: 0.5, cost: 4 });
  });

  it('splits prompts tied at the cut evenly (no credit for an order the score lacks)', () => {
    const tied = rows.map((r) => ({ ...r, score: 0.5 }));
    const half = routeAtShare(tied, 0.5);
    expect(half.accuracy).toBeCloseTo(randomAt(tied, 0.5).accuracy, 12);
    expect(half.cost).toBeCloseTo(22, 12);
    // A constant score is random routing: APGR exactly 0.5.
    expect(apgr(tied)).toBeCloseTo(0.5, 12);
  });

  it('APGR rewards a ranking that puts the gap prompts last, and punishes the reverse', () => {
    const good = apgr(rows)!;
    const bad = apgr(rows.map((r) => ({ ...r, score: -r.score })))!;
    expect(good).toBeGreaterThan(0.5);
    expect(bad).toBeLessThan(0.5);
    expect(pgr(0.625, 0.5, 0.75)).toBe(0.5);
    expect(pgr(0.6, 0.7, 0.7)).toBeNull();
  });

  it('routeBy follows the predicate', () => {
    expect(routeBy(rows, (r) => r.score < 0.5)).toEqual({ weakShare: 0.5, accuracy: 1, cost: 22 });
  });
});

describe('needs as scores', () => {
  it('max need is the largest capability or domain need; the shortfall subtracts the weak level', () => {
    const needs = requiredCapabilities(classifyPrompt('Prove that the sum of two odd integers is even, step by step, then explain each step.'));
    const m = maxNeed(needs);
    expect(m).toBe(Math.max(...Object.values(needs.capabilities), needs.domain?.level ?? 0));
    const none = { model_id: 'x', capabilities: {}, domains: {}, output_tokens_per_s: null, ttft_s: null, sources: [] };
    const strong = { ...none, capabilities: { general: 1, reasoning: 1, coding: 1, instruction_following: 1, tool_use: 1, long_context: 1 } };
    // With unknown levels the shortfall is the largest checked capability need.
    expect(weakShortfall(needs, none)).toBe(Math.max(...Object.values(needs.capabilities).filter((v) => v >= 0.15)));
    expect(weakShortfall(needs, strong)).toBeLessThanOrEqual(0);
  });
});

describe.skipIf(!HAS_SHARED)('routing evaluation on a slice of ../shared/datasets', () => {
  // 40 prompts per source: 200 in all (GSM8K, MMLU, MBPP, ARC, Winogrande).
  const prompts = HAS_SHARED ? [...loadRouteLlm(SHARED_DATASETS, { limit: 40 }), ...loadRouterBench(SHARED_DATASETS, { limit: 40 })] : [];

  it('reads the outcome files (quoted multi-line prompts, costs, training split)', () => {
    expect(prompts).toHaveLength(200);
    const gsm = prompts.find((x) => x.source === 'gsm8k')!;
    expect(gsm.text.startsWith('Janet’s ducks lay 16 eggs per day.')).toBe(true);
    expect(gsm.correct).toEqual({ 'mixtral-8x7b': 1, 'gpt-4-1106-preview': 1 });
    expect(gsm.cost).toBeNull();
    const mmlu = prompts.find((x) => x.source === 'mmlu')!;
    expect(mmlu.text).toContain('\nA. ');
    const mbpp = prompts.find((x) => x.source === 'mbpp')!;
    expect(mbpp.text).toBe('Write a function to remove all elements from a given list present in another list.');
    expect(mbpp.correct).toEqual({ 'mixtral-8x7b': 0, 'gpt-3.5-turbo-1106': 1, 'gpt-4-1106-preview': 1 });
    expect(mbpp.cost!['gpt-4-1106-preview']).toBe(0.0064);
    expect(mbpp.cost!['mixtral-8x7b']).toBeCloseTo(0.00018, 12);
    // The hash split holds out about 1 in 5: both kinds are in the slice.
    expect(prompts.some((x) => x.trained)).toBe(true);
    expect(prompts.some((x) => !x.trained)).toBe(true);
    expect(mbppDescription('"""\nWrite a Function.\nassert f(1) == 2\n"""')).toBe('write a function.');
  });

  it('pnyx levels: the bundled catalog ranks GPT-4-Turbo above Mixtral-8x7B; the RouteLLM price ratio comes from the 2025-05-23 snapshot', () => {
    const lv = pnyxLevels(SHARED_DATASETS);
    expect(lv.levels['gpt-4-1106-preview'].capabilities.general!).toBeGreaterThan(lv.levels['mixtral-8x7b'].capabilities.general!);
    expect(lv.levels['mixtral-8x7b'].capabilities.reasoning).toBeUndefined();
    // Mixtral-8x7B $0.08/$0.24 per M vs GPT-4-1106 $10/$30, blended 3:1.
    expect(lv.mixtralToGpt4PriceRatio).toBeCloseTo((3 * 0.08 + 0.24) / (3 * 10 + 30), 10);
  });

  it('figures on the slice are real and bounded', () => {
    const rows = classifyAll(prompts);
    const lv = pnyxLevels(SHARED_DATASETS);
    const f = pairFigures(rows, { weak: 'mixtral-8x7b', strong: 'gpt-4-1106-preview' }, lv.levels, lv.mixtralToGpt4PriceRatio)!;
    const both = prompts.filter((x) => x.correct['mixtral-8x7b'] !== undefined && x.correct['gpt-4-1106-preview'] !== undefined);
    expect(f.n).toBe(both.length);
    expect(f.weak.accuracy).toBeCloseTo(both.filter((x) => x.correct['mixtral-8x7b'] === 1).length / both.length, 12);
    expect(f.strong.accuracy).toBeCloseTo(both.filter((x) => x.correct['gpt-4-1106-preview'] === 1).length / both.length, 12);
    expect(f.gapShare).toBeCloseTo(both.filter((x) => x.correct['mixtral-8x7b'] === 0 && x.correct['gpt-4-1106-preview'] === 1).length / both.length, 12);
    expect(f.strong.accuracy).toBeGreaterThan(f.weak.accuracy);
    const lo = Math.min(f.weak.accuracy, f.strong.accuracy);
    for (const v of f.variants) {
      for (const x of [v.aucGap, v.aucWeakWrong]) {
        expect(x).not.toBeNull();
        expect(x!).toBeGreaterThanOrEqual(0);
        expect(x!).toBeLessThanOrEqual(1);
      }
      for (const pt of v.curve) {
        expect(pt.accuracy).toBeGreaterThanOrEqual(lo - 1e-12);
        expect(pt.accuracy).toBeLessThanOrEqual(f.oracle.accuracy + 1e-12);
      }
      // Cost falls as the weak share grows (the weak model is cheaper on every prompt).
      expect(v.curve[0]!.cost).toBeGreaterThan(v.curve[2]!.cost);
    }
    expect(f.rule.point.weakShare).toBeGreaterThanOrEqual(0);
    expect(f.rule.point.weakShare).toBeLessThanOrEqual(1);
    expect(f.rule.strongMeetsShare).toBeGreaterThanOrEqual(0);
    expect(f.rule.strongMeetsShare).toBeLessThanOrEqual(1);
    // The weak model never meets a request the strong one does not: its levels are lower on every capability it has.
    const weakMeets = f.rule.point.weakShare;
    expect(weakMeets).toBeLessThanOrEqual(f.rule.strongMeetsShare + 1e-12);
  });
});
