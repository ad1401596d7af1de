/**
 * pnyx's own capability levels (src/core/recommend/levels.ts: percentiles among the recommendable
 * models of the latest bundled catalog) for the three models of the routing benchmarks, and the
 * price ratio used where a benchmark logs no cost.
 *
 * The bundled score table has no entry for the exact 2023 versions, so:
 *   gpt-4-1106-preview  → openai/gpt-4-turbo's scores (the GA successor of the 1106 preview; LMArena 1272 vs 1264)
 *   gpt-3.5-turbo-1106  → openai/gpt-3.5-turbo's scores (bundled from gpt-3.5-turbo-0125; LMArena 1126 vs 1095)
 *   mixtral-8x7b        → its own LMArena ratings (mixtral-8x7b-instruct-v0.1), turned into scores by the
 *                         same per-metric line as every bundled LMArena figure (fitted on those figures:
 *                         min-max + calibration is affine until it clamps). LMArena scores no reasoning
 *                         or coding, so Mixtral has no level there and pnyx counts any such need as unmet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { combineScores } from '../../src/core/catalog/scores.js';
import type { ModelScores, ScoreSource } from '../../src/core/catalog/types.js';
import { blendedPrice, eligibleCandidates } from '../../src/core/recommend/candidates.js';
import { levelScale } from '../../src/core/recommend/levels.js';
import { bundledScores, bundledSnapshots } from '../../src/db/bundledCatalog.js';
import type { EvalModel } from './data.js';

export const CATALOG_PROXY: Partial<Record<EvalModel, string>> = {
  'gpt-4-1106-preview': 'openai/gpt-4-turbo',
  'gpt-3.5-turbo-1106': 'openai/gpt-3.5-turbo',
};
const MIXTRAL_ARENA_NAME = 'mixtral-8x7b-instruct-v0.1';
const ARENA_METRIC_PREFIX = 'text arena rating: ';

/** Least-squares line through (raw, score) points. */
function fitLine(points: Array<[number, number]>): { slope: number; intercept: number } | null {
  if (points.length < 2) return null;
  const mx = points.reduce((s, p) => s + p[0], 0) / points.length;
  const my = points.reduce((s, p) => s + p[1], 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * Figures for a model the bundled table lacks, from its LMArena ratings: each (metric, target) of
 * the bundled LMArena figures maps raw → score by one line (fitted on the figures that did not clamp).
 */
export function arenaFigures(ratings: Record<string, number>, bundled: Map<string, ScoreSource[]>): ScoreSource[] {
  const byKey = new Map<string, { metric: string; target: string; date: string; points: Array<[number, number]> }>();
  for (const figs of bundled.values()) {
    for (const f of figs) {
      if (f.source !== 'LMArena' || typeof f.score !== 'number' || f.score <= 0 || f.score >= 1 || !f.target) continue;
      const key = `${f.metric}\u0000${f.target}`;
      const e = byKey.get(key) ?? { metric: f.metric, target: f.target, date: f.date, points: [] };
      e.points.push([f.raw, f.score]);
      byKey.set(key, e);
    }
  }
  const out: ScoreSource[] = [];
  for (const e of byKey.values()) {
    const raw = ratings[e.metric.slice(ARENA_METRIC_PREFIX.length)];
    const line = fitLine(e.points);
    if (raw === undefined || !line) continue;
    const score = Math.min(1, Math.max(0, line.slope * raw + line.intercept));
    out.push({ source: 'LMArena', metric: e.metric, date: e.date, raw, target: e.target, score, origin: 'bundled' });
  }
  return out;
}

export interface PnyxLevels {
  snapshot_date: string;
  /** Recommendable models the percentiles are taken over. */
  population: number;
  /** Levels (0..1 percentiles) per evaluated model. */
  levels: Record<EvalModel, ModelScores>;
  /** Blended (3:1) price of Mixtral-8x7B-Instruct ÷ GPT-4-1106-preview in the 2025-05-23 bundled snapshot. */
  mixtralToGpt4PriceRatio: number;
}

export function pnyxLevels(shared: string): PnyxLevels {
  const snaps = bundledSnapshots();
  const latest = snaps[snaps.length - 1]!;
  const figures = bundledScores().figures;
  const scores = new Map([...figures].map(([id, f]) => [id, combineScores(id, f)]));
  const catalog = { source: 'bundled', snapshot_date: latest.snapshot_date, models: latest.models, scores };
  const population = eligibleCandidates(catalog, {}, latest.snapshot_date).map((c) => c.scores);
  const scale = levelScale(population);

  const arena = JSON.parse(readFileSync(join(shared, 'lmarena_arena_catalog/leaderboard-text.json'), 'utf8')) as Record<string, Record<string, { rating: number }>>;
  const mixtralRatings: Record<string, number> = {};
  for (const [cat, models] of Object.entries(arena)) {
    const r = models[MIXTRAL_ARENA_NAME]?.rating;
    if (r !== undefined) mixtralRatings[cat] = r;
  }
  const raw = (m: EvalModel): ModelScores => {
    const proxy = CATALOG_PROXY[m];
    if (proxy) {
      const s = scores.get(proxy);
      if (!s) throw new Error(`bundled scores lack ${proxy}`);
      return s;
    }
    return combineScores('mistralai/mixtral-8x7b-instruct', arenaFigures(mixtralRatings, figures));
  };

  const old = snaps.find((s) => s.snapshot_date === '2025-05-23');
  const price = (id: string) => {
    const m = old?.models.find((x) => x.id === id);
    if (!m) throw new Error(`bundled snapshot 2025-05-23 lacks ${id}`);
    return blendedPrice(m);
  };
  return {
    snapshot_date: latest.snapshot_date,
    population: population.length,
    levels: {
      'mixtral-8x7b': scale.apply(raw('mixtral-8x7b')),
      'gpt-3.5-turbo-1106': scale.apply(raw('gpt-3.5-turbo-1106')),
      'gpt-4-1106-preview': scale.apply(raw('gpt-4-1106-preview')),
    },
    mixtralToGpt4PriceRatio: price('mistralai/mixtral-8x7b-instruct') / price('openai/gpt-4-1106-preview'),
  };
}
