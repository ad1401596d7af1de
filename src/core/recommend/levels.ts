import { CAPABILITIES, type ModelScores } from '../catalog/types.js';
import { DOMAINS } from '../profile.js';

/**
 * Capability levels: a model's score turned into its percentile among the recommendable catalog
 * models that have a score for the same capability (0 = weakest, 1 = strongest). Benchmarks differ
 * in spread (tool-use scores bunch near the top, general ones near the bottom), so needs are
 * compared with levels, not raw scores: a need of 0.8 means "a top-20% model for this capability
 * in the current catalog", the same on every capability and domain.
 */
export interface LevelScale {
  /** The same scores object with every capability and domain score replaced by its level. */
  apply(scores: ModelScores): ModelScores;
}

function percentile(sorted: number[], v: number): number {
  if (sorted.length === 0) return v;
  // Share of the population at or below v (ties count fully): the strongest model is at 1.
  let atOrBelow = 0;
  for (const x of sorted) if (x <= v) atOrBelow += 1;
  return atOrBelow / sorted.length;
}

export function levelScale(population: readonly ModelScores[]): LevelScale {
  const caps = new Map<string, number[]>();
  const doms = new Map<string, number[]>();
  for (const c of CAPABILITIES) caps.set(c, population.map((s) => s.capabilities[c]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b));
  for (const d of DOMAINS) doms.set(d, population.map((s) => s.domains[d]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b));
  const cache = new WeakMap<ModelScores, ModelScores>();
  return {
    apply(scores) {
      const hit = cache.get(scores);
      if (hit) return hit;
      const capabilities: ModelScores['capabilities'] = {};
      for (const c of CAPABILITIES) {
        const v = scores.capabilities[c];
        if (typeof v === 'number') capabilities[c] = percentile(caps.get(c)!, v);
      }
      const domains: ModelScores['domains'] = {};
      for (const d of DOMAINS) {
        const v = scores.domains[d];
        if (typeof v === 'number') domains[d] = percentile(doms.get(d)!, v);
      }
      const out = { ...scores, capabilities, domains };
      cache.set(scores, out);
      return out;
    },
  };
}
