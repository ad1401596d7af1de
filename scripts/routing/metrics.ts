/**
 * Pure figures for the routing evaluation (scripts/eval-routing.ts): ranking AUC and weak/strong
 * routing curves on per-prompt outcomes. No I/O; unit-tested in test/scripts/evalRouting.test.ts.
 */

/**
 * ROC AUC (Mann-Whitney U, ties count half) of `score` for binary `label`: the probability that a
 * random positive scores higher than a random negative. 0.5 = no signal. Null when a class is absent.
 */
export function rocAuc(pairs: ReadonlyArray<readonly [score: number, label: 0 | 1]>): number | null {
  const pos = pairs.reduce((n, p) => n + p[1], 0);
  const neg = pairs.length - pos;
  if (pos === 0 || neg === 0) return null;
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]![0] === sorted[i]![0]) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k]![1] === 1) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * ROC AUC counting only (positive, negative) pairs of the same stratum (e.g. one MMLU subject, one
 * benchmark): the ranking a score achieves *within* strata, without credit for telling strata apart.
 */
export function stratifiedAuc(rows: ReadonlyArray<readonly [score: number, label: 0 | 1, stratum: string]>): number | null {
  const byStratum = new Map<string, Array<[number, 0 | 1]>>();
  for (const [score, label, stratum] of rows) {
    const list = byStratum.get(stratum) ?? [];
    list.push([score, label]);
    byStratum.set(stratum, list);
  }
  let wins = 0;
  let pairs = 0;
  for (const list of byStratum.values()) {
    const a = rocAuc(list);
    if (a === null) continue;
    const pos = list.reduce((n, x) => n + x[1], 0);
    const w = pos * (list.length - pos);
    wins += a * w;
    pairs += w;
  }
  return pairs === 0 ? null : wins / pairs;
}

/** One prompt as a routing decision sees it: how demanding pnyx thinks it is, and what each model got. */
export interface RoutedPrompt {
  /** Higher = harder (route to the strong model first). */
  score: number;
  /** 1 when the weak / strong model answered correctly. */
  weak: 0 | 1;
  strong: 0 | 1;
  /** Cost of sending the prompt to each model (USD, or any unit shared by both). */
  weakCost: number;
  strongCost: number;
}

/** Accuracy and cost of one routing policy on a set of prompts. */
export interface RoutingPoint {
  /** Share of prompts sent to the weak model. */
  weakShare: number;
  accuracy: number;
  /** Total cost over the prompts. */
  cost: number;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The reference policies: always weak, always strong, and the oracle (weak whenever it is right, or both are wrong). */
export function baselines(rows: readonly RoutedPrompt[]): { weak: RoutingPoint; strong: RoutingPoint; oracle: RoutingPoint } {
  const sum = (f: (r: RoutedPrompt) => number) => rows.reduce((s, r) => s + f(r), 0);
  const oracleWeak = (r: RoutedPrompt) => r.weak === 1 || r.strong === 0;
  return {
    weak: { weakShare: 1, accuracy: mean(rows.map((r) => r.weak)), cost: sum((r) => r.weakCost) },
    strong: { weakShare: 0, accuracy: mean(rows.map((r) => r.strong)), cost: sum((r) => r.strongCost) },
    oracle: {
      weakShare: mean(rows.map((r) => (oracleWeak(r) ? 1 : 0))),
      accuracy: mean(rows.map((r) => Math.max(r.weak, r.strong))),
      cost: sum((r) => (oracleWeak(r) ? r.weakCost : r.strongCost)),
    },
  };
}

/** Routes the prompts of `toWeak` to the weak model and the rest to the strong one. */
export function routeBy(rows: readonly RoutedPrompt[], toWeak: (r: RoutedPrompt) => boolean): RoutingPoint {
  let n = 0;
  let correct = 0;
  let cost = 0;
  for (const r of rows) {
    const w = toWeak(r);
    if (w) n++;
    correct += w ? r.weak : r.strong;
    cost += w ? r.weakCost : r.strongCost;
  }
  return { weakShare: rows.length ? n / rows.length : Number.NaN, accuracy: rows.length ? correct / rows.length : Number.NaN, cost };
}

/** Random routing at a weak share: the expected accuracy and cost. */
export function randomAt(rows: readonly RoutedPrompt[], weakShare: number): RoutingPoint {
  const b = baselines(rows);
  return {
    weakShare,
    accuracy: weakShare * b.weak.accuracy + (1 - weakShare) * b.strong.accuracy,
    cost: weakShare * b.weak.cost + (1 - weakShare) * b.strong.cost,
  };
}

/**
 * Sends the `weakShare` least demanding prompts (lowest score) to the weak model, the rest to the
 * strong one. Prompts tied on the score at the cut are split evenly (their expected outcome under a
 * random tie-break), so a score with few distinct values is never credited with an order it lacks.
 */
export function routeAtShare(rows: readonly RoutedPrompt[], weakShare: number): RoutingPoint {
  const n = rows.length;
  if (n === 0) return { weakShare, accuracy: Number.NaN, cost: 0 };
  const sorted = [...rows].sort((a, b) => a.score - b.score);
  let budget = Math.max(0, Math.min(1, weakShare)) * n;
  let correct = 0;
  let cost = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && sorted[j]!.score === sorted[i]!.score) j++;
    const size = j - i;
    const f = Math.max(0, Math.min(1, budget / size));
    budget -= f * size;
    for (let k = i; k < j; k++) {
      const r = sorted[k]!;
      correct += f * r.weak + (1 - f) * r.strong;
      cost += f * r.weakCost + (1 - f) * r.strongCost;
    }
    i = j;
  }
  return { weakShare, accuracy: correct / n, cost };
}

/** Performance gap recovered: 0 = always-weak accuracy, 1 = always-strong accuracy. Null when the two are equal. */
export function pgr(accuracy: number, weakAccuracy: number, strongAccuracy: number): number | null {
  const gap = strongAccuracy - weakAccuracy;
  return Math.abs(gap) < 1e-12 ? null : (accuracy - weakAccuracy) / gap;
}

/**
 * Average PGR over strong-call shares 0%, 1%, …, 100% (trapezoid rule), as in RouteLLM: random
 * routing scores 0.5, a perfect ranking of the "weak wrong, strong right" prompts close to 1.
 */
export function apgr(rows: readonly RoutedPrompt[], steps = 100): number | null {
  const b = baselines(rows);
  if (pgr(0, b.weak.accuracy, b.strong.accuracy) === null) return null;
  let area = 0;
  let prev = 0;
  for (let i = 0; i <= steps; i++) {
    const p = pgr(routeAtShare(rows, 1 - i / steps).accuracy, b.weak.accuracy, b.strong.accuracy)!;
    if (i > 0) area += (prev + p) / 2 / steps;
    prev = p;
  }
  return area;
}
