import type { DuckDBValue } from '@duckdb/node-api';
import { PnyxError } from '../core/errors.js';
import { combineScores } from '../core/catalog/scores.js';
import type { CatalogModel, ModelCatalog, ModelScores, PriceOverride, ScoreSource } from '../core/catalog/types.js';
import { bundledScores, bundledScoresSha, bundledSnapshot, bundledSnapshotFiles, bundledSnapshots } from './bundledCatalog.js';
import type { ModelHistoryEntry, SnapshotInfo } from '../core/catalog/history.js';

export type { ModelHistoryEntry, SnapshotInfo } from '../core/catalog/history.js';
import type { PnyxDb } from './database.js';

/**
 * The model catalog in the database.
 *
 * - `catalog_snapshots` / `catalog_models`: every stored OpenRouter /models snapshot, normalized
 *   columns plus the raw model JSON. The bundled default snapshots (data/catalog/) are seeded on
 *   first use with source `bundled`; `pnyx catalog sync` adds snapshots with source `openrouter`
 *   or `file:<name>`. A snapshot is written in one transaction and never replaced.
 * - `model_scores`: one row per figure. Bundled figures (origin `bundled`, re-seeded when
 *   data/catalog/scores.json changes) and a team's imported ones (origin `imported`).
 *
 * `loadCatalog` returns the latest synced snapshot, else the latest bundled one.
 */


export interface NewSnapshot {
  source: string;
  origin: string | null;
  snapshot_date: string;
  sha256: string;
  models: CatalogModel[];
  /** The model objects as received, stored next to the normalized columns. */
  raws: unknown[];
}

const SNAPSHOT_COLUMNS = `snapshot_id, source, origin, fetched_at, strftime(snapshot_date, '%Y-%m-%d') AS snapshot_date, model_count, sha256`;

export async function listSnapshots(db: PnyxDb): Promise<SnapshotInfo[]> {
  await ensureBundledCatalog(db);
  return db.all<SnapshotInfo & Record<string, unknown>>(`SELECT ${SNAPSHOT_COLUMNS} FROM catalog_snapshots ORDER BY snapshot_date, snapshot_id`);
}

/** The snapshot loadCatalog uses: latest synced (by date, then id), else latest bundled. */
export async function currentSnapshot(db: PnyxDb): Promise<SnapshotInfo | undefined> {
  return db.one<SnapshotInfo & Record<string, unknown>>(
    `SELECT ${SNAPSHOT_COLUMNS} FROM catalog_snapshots ORDER BY (source = 'bundled'), snapshot_date DESC, snapshot_id DESC LIMIT 1`,
  );
}

/**
 * Finds a snapshot by id (`#3` or `3`), date (`2025-05-23`: the latest snapshot of that date, synced
 * preferred), or `latest`.
 */
export async function findSnapshot(db: PnyxDb, ref: string): Promise<SnapshotInfo> {
  await ensureBundledCatalog(db);
  let row: SnapshotInfo | undefined;
  if (ref === 'latest') row = await currentSnapshot(db);
  else if (/^#?\d+$/.test(ref)) {
    row = await db.one<SnapshotInfo & Record<string, unknown>>(`SELECT ${SNAPSHOT_COLUMNS} FROM catalog_snapshots WHERE snapshot_id = $1`, [Number(ref.replace('#', ''))]);
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(ref)) {
    row = await db.one<SnapshotInfo & Record<string, unknown>>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM catalog_snapshots WHERE snapshot_date = $1::DATE ORDER BY (source = 'bundled'), snapshot_id DESC LIMIT 1`,
      [ref],
    );
  } else throw new PnyxError('usage', `snapshot must be a date (YYYY-MM-DD), an id (#3) or "latest", got "${ref}"`);
  if (!row) {
    const dates = (await listSnapshots(db)).map((s) => s.snapshot_date);
    throw new PnyxError('not_found', `no catalog snapshot ${ref}; known: ${[...new Set(dates)].join(', ')}`);
  }
  return row;
}

/**
 * Stores a snapshot unless its content is already the latest one or already stored for that date
 * (idempotent). Returns the snapshot and whether it was new.
 */
export async function storeSnapshot(db: PnyxDb, snap: NewSnapshot): Promise<{ snapshot: SnapshotInfo; created: boolean }> {
  await ensureBundledCatalog(db);
  const latest = await currentSnapshot(db);
  if (latest && latest.sha256 === snap.sha256 && latest.source !== 'bundled') return { snapshot: latest, created: false };
  const same = await db.one<SnapshotInfo & Record<string, unknown>>(
    `SELECT ${SNAPSHOT_COLUMNS} FROM catalog_snapshots WHERE sha256 = $1 AND snapshot_date = $2::DATE AND source = $3 LIMIT 1`,
    [snap.sha256, snap.snapshot_date, snap.source],
  );
  if (same) return { snapshot: same, created: false };
  const id = await db.transaction(() => insertSnapshot(db, snap));
  return { snapshot: (await findSnapshot(db, `#${id}`)) as SnapshotInfo, created: true };
}

async function insertSnapshot(db: PnyxDb, snap: NewSnapshot): Promise<number> {
  const row = await db.one<{ snapshot_id: number }>(
    `INSERT INTO catalog_snapshots (source, origin, fetched_at, snapshot_date, model_count, sha256)
     VALUES ($1, $2, now()::TIMESTAMP, $3::DATE, $4, $5) RETURNING snapshot_id`,
    [snap.source, snap.origin, snap.snapshot_date, snap.models.length, snap.sha256],
  );
  const snapshotId = row?.snapshot_id as number;
  const rows = snap.models.map((m, i) => ({
    id: m.id,
    canonical_slug: m.canonical_slug,
    name: m.name,
    created: m.created,
    context_length: m.context_length,
    max_completion_tokens: m.max_completion_tokens,
    input_modalities: m.input_modalities,
    output_modalities: m.output_modalities,
    price_prompt: m.pricing.prompt,
    price_completion: m.pricing.completion,
    price_request: m.pricing.request,
    price_image: m.pricing.image,
    price_web_search: m.pricing.web_search,
    price_internal_reasoning: m.pricing.internal_reasoning,
    price_input_cache_read: m.pricing.input_cache_read,
    price_input_cache_write: m.pricing.input_cache_write,
    price_overrides: m.pricing.overrides,
    price_unknown: m.pricing.unknown,
    supported_parameters: m.supported_parameters,
    is_moderated: m.is_moderated,
    expiration_date: m.expiration_date,
    knowledge_cutoff: m.knowledge_cutoff,
    reasoning_supported: m.reasoning.supported,
    reasoning_mandatory: m.reasoning.mandatory,
    raw: snap.raws[i] ?? null,
  }));
  await insertJsonRows(db, 'catalog_models', { snapshot_id: snapshotId }, MODEL_ROW_TYPES, rows);
  return snapshotId;
}

const MODEL_ROW_TYPES: Record<string, string> = {
  id: 'VARCHAR',
  canonical_slug: 'VARCHAR',
  name: 'VARCHAR',
  created: 'DATE',
  context_length: 'BIGINT',
  max_completion_tokens: 'BIGINT',
  input_modalities: 'VARCHAR[]',
  output_modalities: 'VARCHAR[]',
  price_prompt: 'DOUBLE',
  price_completion: 'DOUBLE',
  price_request: 'DOUBLE',
  price_image: 'DOUBLE',
  price_web_search: 'DOUBLE',
  price_internal_reasoning: 'DOUBLE',
  price_input_cache_read: 'DOUBLE',
  price_input_cache_write: 'DOUBLE',
  price_overrides: 'JSON',
  price_unknown: 'BOOLEAN',
  supported_parameters: 'VARCHAR[]',
  is_moderated: 'BOOLEAN',
  expiration_date: 'VARCHAR',
  knowledge_cutoff: 'VARCHAR',
  reasoning_supported: 'BOOLEAN',
  reasoning_mandatory: 'BOOLEAN',
  raw: 'JSON',
};

const SCORE_ROW_TYPES: Record<string, string> = {
  model_id: 'VARCHAR',
  capability: 'VARCHAR',
  score: 'DOUBLE',
  source: 'VARCHAR',
  metric: 'VARCHAR',
  date: 'VARCHAR',
  raw: 'DOUBLE',
  n: 'BIGINT',
};

/**
 * Inserts many rows in one statement: the rows travel as one bound JSON parameter and DuckDB
 * unnests them (far faster than a prepared INSERT per row, and inside the caller's transaction).
 */
export async function insertJsonRows(
  db: PnyxDb,
  table: string,
  constants: Record<string, DuckDBValue>,
  types: Record<string, string>,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const constNames = Object.keys(constants);
  const cols = Object.keys(types);
  const structType = JSON.stringify(types);
  const params: DuckDBValue[] = [JSON.stringify(rows), ...constNames.map((k) => constants[k] as DuckDBValue)];
  const select = [...constNames.map((_, i) => `$${i + 2}`), ...cols.map((c) => `r.${c}`)].join(', ');
  // Table and column names come from this module's constants, never from input.
  await db.run(
    `INSERT INTO ${table} (${[...constNames, ...cols].join(', ')})
     SELECT ${select} FROM (SELECT unnest(from_json($1::JSON, '[${structType.replace(/'/g, "''")}]')) AS r)`,
    params,
  );
}

// ------------------------------------------------------------------ bundled seed

/**
 * Seeds the bundled snapshots and score table into the database when absent or changed
 * (compared by sha256). Returns false when the database cannot be written (read-only open).
 */
export async function ensureBundledCatalog(db: PnyxDb): Promise<boolean> {
  if (!(await hasCatalogTables(db))) return false;
  const files = bundledSnapshotFiles();
  const scoresSha = bundledScoresSha();
  const haveSnaps = new Set((await db.all<{ sha256: string }>(`SELECT sha256 FROM catalog_snapshots WHERE source = 'bundled'`)).map((r) => r.sha256));
  const haveScores = await db.one<{ n: number }>(`SELECT count(*) AS n FROM model_scores WHERE origin = 'bundled' AND bundle = $1`, [scoresSha]);
  const missing = files.filter((s) => !haveSnaps.has(s.sha256));
  const scoresStale = (haveScores?.n ?? 0) === 0;
  if (missing.length === 0 && !scoresStale) return true;
  try {
    await db.transaction(async () => {
      for (const s of missing.map(bundledSnapshot)) {
        await insertSnapshot(db, { source: 'bundled', origin: s.origin, snapshot_date: s.snapshot_date, sha256: s.sha256, models: s.models, raws: s.raws });
      }
      if (scoresStale) {
        await db.run(`DELETE FROM model_scores WHERE origin = 'bundled'`);
        const scores = bundledScores();
        const rows: Record<string, unknown>[] = [];
        for (const [id, figs] of scores.figures) {
          for (const f of figs) rows.push({ model_id: id, capability: f.target ?? '', score: f.score ?? null, source: f.source, metric: f.metric, date: f.date, raw: f.raw, n: null });
        }
        await insertJsonRows(db, 'model_scores', { origin: 'bundled', bundle: scores.sha256, imported_at: new Date().toISOString() }, SCORE_ROW_TYPES, rows);
      }
    });
  } catch (err) {
    if (/read-only|read only/i.test(err instanceof Error ? err.message : String(err))) return false;
    throw err;
  }
  return true;
}

/** False on a database opened read-only that predates the catalog migration. */
export async function hasCatalogTables(db: PnyxDb): Promise<boolean> {
  const r = await db.one<{ n: number }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'catalog_snapshots'`);
  return (r?.n ?? 0) > 0;
}

// ------------------------------------------------------------------ reading

interface ModelRow {
  id: string;
  canonical_slug: string | null;
  name: string;
  created: string | null;
  context_length: number | null;
  max_completion_tokens: number | null;
  input_modalities: string[];
  output_modalities: string[];
  price_prompt: number;
  price_completion: number;
  price_request: number;
  price_image: number;
  price_web_search: number;
  price_internal_reasoning: number;
  price_input_cache_read: number | null;
  price_input_cache_write: number | null;
  price_overrides: string;
  price_unknown: boolean;
  supported_parameters: string[];
  is_moderated: boolean | null;
  expiration_date: string | null;
  knowledge_cutoff: string | null;
  reasoning_supported: boolean;
  reasoning_mandatory: boolean;
}

const MODEL_COLUMNS = Object.keys(MODEL_ROW_TYPES)
  .filter((c) => c !== 'raw')
  .map((c) => (c === 'created' ? `strftime(created, '%Y-%m-%d') AS created` : c))
  .join(', ');

export function rowToModel(r: ModelRow): CatalogModel {
  return {
    id: r.id,
    canonical_slug: r.canonical_slug,
    name: r.name,
    created: r.created,
    context_length: r.context_length,
    max_completion_tokens: r.max_completion_tokens,
    input_modalities: [...r.input_modalities],
    output_modalities: [...r.output_modalities],
    pricing: {
      prompt: r.price_prompt,
      completion: r.price_completion,
      request: r.price_request,
      image: r.price_image,
      web_search: r.price_web_search,
      internal_reasoning: r.price_internal_reasoning,
      input_cache_read: r.price_input_cache_read,
      input_cache_write: r.price_input_cache_write,
      overrides: JSON.parse(r.price_overrides) as PriceOverride[],
      unknown: r.price_unknown,
    },
    supported_parameters: [...r.supported_parameters],
    is_moderated: r.is_moderated,
    expiration_date: r.expiration_date,
    knowledge_cutoff: r.knowledge_cutoff,
    reasoning: { supported: r.reasoning_supported, mandatory: r.reasoning_mandatory },
  };
}

export async function snapshotModels(db: PnyxDb, snapshotId: number): Promise<CatalogModel[]> {
  const rows = await db.all<ModelRow & Record<string, unknown>>(`SELECT ${MODEL_COLUMNS} FROM catalog_models WHERE snapshot_id = $1 ORDER BY id`, [snapshotId]);
  return rows.map(rowToModel);
}

/** All figures per model id (bundled and imported). */
export async function scoreFigures(db: PnyxDb): Promise<Map<string, ScoreSource[]>> {
  const rows = await db.all<{ model_id: string; capability: string; score: number | null; source: string; metric: string; date: string; raw: number | null; n: number | null; origin: string }>(
    `SELECT model_id, capability, score, source, metric, date, raw, n, origin FROM model_scores ORDER BY model_id, origin, capability, source, metric`,
  );
  const out = new Map<string, ScoreSource[]>();
  for (const r of rows) {
    const list = out.get(r.model_id) ?? [];
    list.push({ source: r.source, metric: r.metric, date: r.date, raw: r.raw ?? Number.NaN, target: r.capability, score: r.score, n: r.n, origin: r.origin === 'imported' ? 'imported' : 'bundled' });
    out.set(r.model_id, list);
  }
  return out;
}

function scoresFromFigures(figures: Map<string, ScoreSource[]>): Map<string, ModelScores> {
  const out = new Map<string, ModelScores>();
  for (const [id, figs] of figures) out.set(id, combineScores(id, figs));
  return out;
}

/**
 * The catalog pnyx recommends from: `snapshot` (a date, `#id` or `latest`) or, by default, the
 * latest synced snapshot, else the latest bundled one. Imported team scores override bundled
 * ones. On a read-only database that was never seeded, the bundled data is read from disk.
 */
export async function loadCatalog(db: PnyxDb, opts: { snapshot?: string } = {}): Promise<ModelCatalog> {
  const seeded = await ensureBundledCatalog(db);
  if (!seeded && !((await hasCatalogTables(db)) && (await currentSnapshot(db)))) {
    const snaps = bundledSnapshots();
    const wanted = opts.snapshot && opts.snapshot !== 'latest' ? snaps.find((s) => s.snapshot_date === opts.snapshot) : snaps[snaps.length - 1];
    if (!wanted) throw new PnyxError('not_found', `no catalog snapshot ${opts.snapshot}; known: ${snaps.map((s) => s.snapshot_date).join(', ')}`);
    const figures = new Map(bundledScores().figures);
    return { source: 'bundled', snapshot_date: wanted.snapshot_date, models: wanted.models, scores: scoresFromFigures(figures) };
  }
  const snap = opts.snapshot ? await findSnapshot(db, opts.snapshot) : await currentSnapshot(db);
  if (!snap) throw new PnyxError('catalog', 'no model catalog in the database and none bundled');
  return {
    source: snap.source,
    snapshot_date: snap.snapshot_date,
    models: await snapshotModels(db, snap.snapshot_id),
    scores: scoresFromFigures(await scoreFigures(db)),
  };
}


/** The model in every stored snapshot, oldest first: present or not, and its prices. */
export async function modelHistory(db: PnyxDb, id: string): Promise<ModelHistoryEntry[]> {
  await ensureBundledCatalog(db);
  return db.all<ModelHistoryEntry & Record<string, unknown>>(
    `SELECT s.snapshot_id, strftime(s.snapshot_date, '%Y-%m-%d') AS snapshot_date, s.source,
            m.id IS NOT NULL AS present, m.price_prompt AS prompt, m.price_completion AS completion,
            m.price_unknown, m.expiration_date
     FROM catalog_snapshots s LEFT JOIN catalog_models m ON m.snapshot_id = s.snapshot_id AND m.id = $1
     ORDER BY s.snapshot_date, s.snapshot_id`,
    [id],
  );
}

// ------------------------------------------------------------------ imported scores

export interface ScoreImport {
  model_id: string;
  target: string;
  score: number;
  n: number | null;
  source: string;
  metric: string;
  date: string;
}

/**
 * Stores a team's scores (origin `imported`). Rows replace earlier imported rows of the same
 * model, target and source, so importing the same file twice changes nothing. One transaction.
 */
export async function importScores(db: PnyxDb, rows: ScoreImport[]): Promise<{ replaced: number; inserted: number }> {
  return db.transaction(async () => {
    const before = await db.one<{ n: number }>(`SELECT count(*) AS n FROM model_scores WHERE origin = 'imported'`);
    await db.run(
      `DELETE FROM model_scores s USING (SELECT unnest(from_json($1::JSON, '[{"model_id":"VARCHAR","capability":"VARCHAR","source":"VARCHAR"}]'), recursive := true)) k
       WHERE s.origin = 'imported' AND s.model_id = k.model_id AND s.capability = k.capability AND s.source = k.source`,
      [JSON.stringify(rows.map((r) => ({ model_id: r.model_id, capability: r.target, source: r.source })))],
    );
    const mid = await db.one<{ n: number }>(`SELECT count(*) AS n FROM model_scores WHERE origin = 'imported'`);
    await insertJsonRows(
      db,
      'model_scores',
      { origin: 'imported', bundle: null, imported_at: new Date().toISOString() },
      SCORE_ROW_TYPES,
      rows.map((r) => ({ model_id: r.model_id, capability: r.target, score: r.score, source: r.source, metric: r.metric, date: r.date, raw: r.score, n: r.n })),
    );
    return { replaced: (before?.n ?? 0) - (mid?.n ?? 0), inserted: rows.length };
  });
}

/**
 * The newest stored snapshot that lists `id` (synced preferred over bundled on the same date), with
 * the model as it was there: for models gone from the current catalog (their last known price,
 * limits and date). Null when no snapshot ever listed it.
 */
export async function lastKnownModel(db: PnyxDb, id: string): Promise<{ model: CatalogModel; snapshot: SnapshotInfo } | null> {
  await ensureBundledCatalog(db);
  const snap = await db.one<SnapshotInfo & Record<string, unknown>>(
    `SELECT ${SNAPSHOT_COLUMNS} FROM catalog_snapshots s
     WHERE EXISTS (SELECT 1 FROM catalog_models m WHERE m.snapshot_id = s.snapshot_id AND m.id = $1)
     ORDER BY snapshot_date DESC, (source = 'bundled'), snapshot_id DESC LIMIT 1`,
    [id],
  );
  if (!snap) return null;
  const row = await db.one<ModelRow & Record<string, unknown>>(`SELECT ${MODEL_COLUMNS} FROM catalog_models WHERE snapshot_id = $1 AND id = $2`, [snap.snapshot_id, id]);
  return row ? { model: rowToModel(row), snapshot: snap } : null;
}
