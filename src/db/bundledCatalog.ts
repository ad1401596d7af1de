import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PnyxError } from '../core/errors.js';
import { parseOpenRouterResponse, toCatalogModel } from '../core/catalog/openrouter.js';
import type { CatalogModel, ScoreSource } from '../core/catalog/types.js';

/**
 * The bundled default catalog shipped in data/catalog/ (built by scripts/build-catalog-data.ts):
 * curated OpenRouter snapshots and the benchmark score table. Read from disk once per process.
 */
export const BUNDLED_DIR = fileURLToPath(new URL('../../data/catalog/', import.meta.url));

export interface BundledSnapshot {
  file: string;
  snapshot_date: string;
  origin: string;
  sha256: string;
  models: CatalogModel[];
  raws: unknown[];
}

export interface BundledScores {
  sha256: string;
  /** Figures per OpenRouter id, inheritance (`:batch`, `~latest`) already resolved. */
  figures: Map<string, ScoreSource[]>;
}

let snapshotsCache: BundledSnapshot[] | null = null;
let scoresCache: BundledScores | null = null;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Every bundled snapshot, oldest first. */
export function bundledSnapshots(): BundledSnapshot[] {
  if (snapshotsCache) return snapshotsCache;
  if (!existsSync(BUNDLED_DIR)) throw new PnyxError('catalog', `bundled catalog folder ${BUNDLED_DIR} is missing (broken install?)`);
  const files = readdirSync(BUNDLED_DIR)
    .filter((f) => /^openrouter-\d{4}-\d{2}-\d{2}\.json$/.test(f))
    .sort();
  snapshotsCache = files.map((file) => {
    const text = readFileSync(BUNDLED_DIR + file, 'utf8');
    const json = JSON.parse(text) as { snapshot_date?: string; origin?: string };
    const parsed = parseOpenRouterResponse(json);
    if (!parsed.ok) throw new PnyxError('catalog', `bundled catalog ${file} is invalid: ${parsed.error}`);
    return {
      file,
      snapshot_date: json.snapshot_date ?? file.slice('openrouter-'.length, -'.json'.length),
      origin: `bundled:${file}${json.origin ? ` (${json.origin})` : ''}`,
      sha256: sha256(text),
      models: parsed.response.data.map(toCatalogModel),
      raws: parsed.response.data,
    };
  });
  return snapshotsCache;
}

interface ScoresFile {
  models: Record<string, { inherits_from?: string; figures?: { target: string; source: string; metric: string; date: string; raw: number; score: number | null }[] }>;
}

export function bundledScores(): BundledScores {
  if (scoresCache) return scoresCache;
  const text = readFileSync(BUNDLED_DIR + 'scores.json', 'utf8');
  const file = JSON.parse(text) as ScoresFile;
  const figures = new Map<string, ScoreSource[]>();
  const own = (id: string): ScoreSource[] =>
    (file.models[id]?.figures ?? []).map((f) => ({ source: f.source, metric: f.metric, date: f.date, raw: f.raw, target: f.target, score: f.score, n: null, origin: 'bundled' as const }));
  for (const [id, entry] of Object.entries(file.models)) {
    figures.set(id, entry.inherits_from ? own(entry.inherits_from) : own(id));
  }
  scoresCache = { sha256: sha256(text), figures };
  return scoresCache;
}
