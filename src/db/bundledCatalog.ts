import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PnyxError } from '../core/errors.js';
import { parseOpenRouterResponse, toCatalogModel } from '../core/catalog/openrouter.js';
import type { PricePoint } from '../core/catalog/history.js';
import type { CatalogModel, ScoreSource } from '../core/catalog/types.js';

/**
 * The bundled default catalog shipped in data/catalog/ (built by scripts/build-catalog-data.ts):
 * curated OpenRouter snapshots and the benchmark score table. Read from disk once per process.
 */
export const BUNDLED_DIR = fileURLToPath(new URL('../../data/catalog/', import.meta.url));

export interface BundledSnapshotFile {
  file: string;
  /** sha256 of the file's bytes: identifies the bundled snapshot in the database. */
  sha256: string;
}

export interface BundledSnapshot extends BundledSnapshotFile {
  snapshot_date: string;
  origin: string;
  models: CatalogModel[];
  raws: unknown[];
}

export interface BundledScores {
  sha256: string;
  /** Figures per OpenRouter id, inheritance (`:batch`, `~latest`) already resolved. */
  figures: Map<string, ScoreSource[]>;
}

const snapshotsCache = new Map<string, BundledSnapshot>();
let scoresCache: BundledScores | null = null;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const textCache = new Map<string, string>();
function readBundled(file: string): string {
  let t = textCache.get(file);
  if (t === undefined) {
    t = readFileSync(BUNDLED_DIR + file, 'utf8');
    textCache.set(file, t);
  }
  return t;
}

/** The bundled snapshot files and their hashes, oldest first (cheap: nothing is parsed). */
export function bundledSnapshotFiles(): BundledSnapshotFile[] {
  if (!existsSync(BUNDLED_DIR)) throw new PnyxError('catalog', `bundled catalog folder ${BUNDLED_DIR} is missing (broken install?)`);
  return readdirSync(BUNDLED_DIR)
    .filter((f) => /^openrouter-\d{4}-\d{2}-\d{2}\.json$/.test(f))
    .sort()
    .map((file) => ({ file, sha256: sha256(readBundled(file)) }));
}

/** One bundled snapshot, parsed and validated. */
export function bundledSnapshot(f: BundledSnapshotFile): BundledSnapshot {
  const cached = snapshotsCache.get(f.file);
  if (cached) return cached;
  const json = JSON.parse(readBundled(f.file)) as { snapshot_date?: string; origin?: string };
  const parsed = parseOpenRouterResponse(json);
  if (!parsed.ok) throw new PnyxError('catalog', `bundled catalog ${f.file} is invalid: ${parsed.error}`);
  const snap: BundledSnapshot = {
    ...f,
    snapshot_date: json.snapshot_date ?? f.file.slice('openrouter-'.length, -'.json'.length),
    origin: `bundled:${f.file}${json.origin ? ` (${json.origin})` : ''}`,
    models: parsed.response.data.map(toCatalogModel),
    raws: parsed.response.data,
  };
  snapshotsCache.set(f.file, snap);
  return snap;
}

/** Every bundled snapshot, parsed, oldest first. */
export function bundledSnapshots(): BundledSnapshot[] {
  return bundledSnapshotFiles().map(bundledSnapshot);
}

/** sha256 of data/catalog/scores.json (cheap). */
export function bundledScoresSha(): string {
  return sha256(readBundled('scores.json'));
}

interface ScoresFile {
  models: Record<string, { inherits_from?: string; figures?: { target: string; source: string; metric: string; date: string; raw: number; score: number | null }[] }>;
}

export function bundledScores(): BundledScores {
  if (scoresCache) return scoresCache;
  const text = readBundled('scores.json');
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

let priceCache: Map<string, PricePoint[]> | null = null;

/** Price-only history from scraped openrouter.ai/models pages (data/catalog/price-history.json). */
export function bundledPriceHistory(id: string): PricePoint[] {
  if (!priceCache) {
    const file = JSON.parse(readBundled('price-history.json')) as { points: Record<string, [string, number | null, number | null][]> };
    priceCache = new Map(Object.entries(file.points).map(([k, v]) => [k, v.map(([date, prompt, completion]) => ({ date, prompt, completion }))]));
  }
  return priceCache.get(id) ?? [];
}
