import type { PnyxDb } from './database.js';
import { BUCKETS_SQL, FACTS_SQL, type AggregateSource } from './recommend.js';

/**
 * Two caches make `pnyx report` on a large database cheap:
 *
 * - The report's aggregates (profile buckets and feature facts, src/db/recommend.ts) cost two joins
 *   of requests with profiles: seconds at a million requests. They are stored in `report_buckets`
 *   and `report_features`, and `report_state` holds the data guard (DATA_GUARD_SQL) they were
 *   computed at.
 * - The finished report model of one set of inputs (aggregates, catalog, config, flags, date, pnyx
 *   build: see src/stages/report.ts) is stored in `report_results` under a hash of those inputs.
 *   It is emptied whenever the aggregates are recomputed.
 *
 * Never stale for changes pnyx makes: every pnyx write to requests or profiles (ingest's commit,
 * profile commits of analyze and re-classification, `db purge`) calls invalidateReportCache in its
 * own transaction, which drops the report_* tables; migrations change the guard. Edits by hand in the
 * DuckDB CLI are caught by the guard when they change a row count of requests or profiles,
 * max(requests.ingested_at), max(profiles.classified_at) or the latest migration: inserting or
 * deleting rows is caught; an UPDATE that leaves those alone (say `UPDATE profiles SET complexity =
 * 1`) is not, nor a delete-and-insert that keeps both counts and both maxima. After such an edit,
 * `DROP TABLE report_state` makes the next report recompute everything. The guard reads table
 * metadata and two min/max zonemaps: milliseconds at any size (3-4 ms at 1M requests).
 */

/**
 * The stored aggregates' tables. Created on first use rather than by a migration: a small database
 * (below STORE_AGGREGATES_MIN_REQUESTS) never gets them, so its file and write-ahead log stay as
 * they were (a disk-full test on a 3 MB file system has no room for three more empty tables).
 */
const REPORT_TABLES_SQL = `
      CREATE TABLE IF NOT EXISTS report_state (
        fingerprint  VARCHAR NOT NULL, -- the data guard (DATA_GUARD_SQL); named for the full-scan hash it was before
        refreshed_at TIMESTAMP NOT NULL
      );
      CREATE TABLE IF NOT EXISTS report_buckets (
        bucket_id           UBIGINT NOT NULL,
        feature             VARCHAR NOT NULL,
        model               VARCHAR NOT NULL,
        task_type           VARCHAR NOT NULL,
        domain              VARCHAR NOT NULL,
        output_format       VARCHAR NOT NULL,
        structured_output   BOOLEAN NOT NULL,
        needs_tools         BOOLEAN NOT NULL,
        multimodal          BOOLEAN NOT NULL,
        reasoning           DOUBLE NOT NULL,
        complexity          DOUBLE NOT NULL,
        policy_sensitivity  DOUBLE NOT NULL,
        latency_sensitivity DOUBLE NOT NULL,
        safety_risk         DOUBLE NOT NULL,
        ctx_bucket          INTEGER NOT NULL,
        effort_bucket       INTEGER NOT NULL,
        requests            BIGINT NOT NULL,
        metadata_only       BIGINT NOT NULL,
        context_tokens      BIGINT NOT NULL,
        max_context_tokens  BIGINT NOT NULL,
        prompt_tokens       DOUBLE,
        completion_tokens   DOUBLE,
        reasoning_tokens    DOUBLE,
        cached_tokens       DOUBLE,
        logged_cost         DOUBLE,
        u_requests          BIGINT NOT NULL,
        u_prompt            DOUBLE,
        u_completion        DOUBLE,
        u_reasoning         DOUBLE,
        u_cached            DOUBLE
      );
      CREATE TABLE IF NOT EXISTS report_features (
        feature        VARCHAR NOT NULL,
        requests       BIGINT NOT NULL,
        ttft_p95       DOUBLE,
        latency_p95    DOUBLE,
        first_ts       TIMESTAMP,
        last_ts        TIMESTAMP,
        ingest_rate    DOUBLE NOT NULL,
        classified     BIGINT,
        task_types     MAP(VARCHAR, UBIGINT),
        domains        MAP(VARCHAR, UBIGINT),
        output_formats MAP(VARCHAR, UBIGINT),
        reasoning      DOUBLE,
        complexity     DOUBLE,
        policy         DOUBLE,
        latency        DOUBLE,
        structured     DOUBLE,
        tools          DOUBLE,
        ctx            DOUBLE[]
      );
      CREATE TABLE IF NOT EXISTS report_results (
        key       VARCHAR NOT NULL,
        report    VARCHAR NOT NULL,
        stored_at TIMESTAMP NOT NULL
      );`;

/** Part of the guard: bump it when BUCKETS_SQL or FACTS_SQL change what they compute, so older stored aggregates are recomputed. */
const AGGREGATES_VERSION = 3;

/** Row counts and latest write times of requests and profiles, and the latest migration (see the top of this file). */
const DATA_GUARD_SQL = `
  SELECT (SELECT count(*) FROM requests) AS requests, (SELECT epoch_us(max(ingested_at)) FROM requests)::VARCHAR AS ingested,
         (SELECT count(*) FROM profiles) AS profiles, (SELECT epoch_us(max(classified_at)) FROM profiles)::VARCHAR AS classified,
         (SELECT max(id) FROM schema_migrations) AS migration`;

/** The data guard: changes with every insert or delete of requests or profiles (see the top of this file). */
export async function dataGuard(db: PnyxDb): Promise<string> {
  const r = (await db.one<{ requests: number; ingested: string | null; profiles: number; classified: string | null; migration: number }>(DATA_GUARD_SQL))!;
  return `v${AGGREGATES_VERSION}:${r.requests}:${r.ingested}:${r.profiles}:${r.classified}:${r.migration}`;
}

const tableExists = async (db: PnyxDb, name: string): Promise<boolean> =>
  (await db.one<{ n: number }>(
    "SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1",
    [name],
  ))!.n > 0;

async function storedGuard(db: PnyxDb): Promise<string | null> {
  // The tables exist once a report stored aggregates (REPORT_TABLES_SQL); a write drops them.
  if (!(await tableExists(db, 'report_state'))) return null;
  return (await db.one<{ fingerprint: string }>('SELECT fingerprint FROM report_state LIMIT 1'))?.fingerprint ?? null;
}

/** Every table of the report cache (REPORT_TABLES_SQL). */
const REPORT_TABLES = ['report_state', 'report_buckets', 'report_features', 'report_results'];

/**
 * Drops the stored aggregates and reports: call in the transaction of every write to requests or
 * profiles. Nothing derived from rows a purge deleted stays behind, and the next report that
 * stores aggregates creates the tables again. Costs nothing when they do not exist (a small
 * database never gets them).
 */
export async function invalidateReportCache(db: PnyxDb): Promise<void> {
  for (const t of REPORT_TABLES) await db.run(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * Recomputes the stored aggregates from requests and profiles, in one transaction; forgets stored
 * reports. The tables are made afresh: ones an older pnyx stored (AGGREGATES_VERSION) may have
 * other columns.
 */
export async function refreshReportAggregates(db: PnyxDb): Promise<void> {
  await db.transaction(async () => {
    await invalidateReportCache(db);
    await db.run(REPORT_TABLES_SQL);
    const guard = await dataGuard(db);
    await db.run(`INSERT INTO report_buckets BY NAME ${BUCKETS_SQL}`, [null]);
    await db.run(`INSERT INTO report_features BY NAME ${FACTS_SQL}`);
    await db.run('INSERT INTO report_state VALUES ($1, now()::TIMESTAMP)', [guard]);
  });
}

/**
 * Below this many stored requests the report computes its aggregates live (tens of ms): storing
 * them would only add writes to every report of a small database.
 */
export const STORE_AGGREGATES_MIN_REQUESTS = 50_000;

/**
 * Where the report reads its aggregates. `auto` (the default): live for a database of fewer than
 * STORE_AGGREGATES_MIN_REQUESTS requests, else `cached`. `cached`: the stored aggregates once they
 * match the data (recomputed first when they do not); live on a read-only database whose stored
 * aggregates are missing or out of date. `refresh: false`: live then too, where recomputing them
 * would cost more than the caller's one query.
 */
export async function currentAggregates(db: PnyxDb, mode: 'auto' | 'cached' = 'auto', refresh = true): Promise<AggregateSource> {
  if (mode === 'auto') {
    const n = (await db.one<{ n: number }>('SELECT count(*) AS n FROM requests'))!.n;
    if (n < STORE_AGGREGATES_MIN_REQUESTS) return 'live';
  }
  const stored = await storedGuard(db);
  if (stored !== null && stored === (await dataGuard(db))) return 'cached';
  if (db.readOnly || !refresh) return 'live';
  await refreshReportAggregates(db);
  return 'cached';
}

/** How many finished reports are kept (different flags, configs, catalogs or days); the oldest go first. */
export const STORED_REPORTS_MAX = 16;

/**
 * A stored report model (JSON) under this key, if any. Only meaningful while the aggregates are
 * current (currentAggregates returned `cached`): recomputing them empties `report_results`.
 */
export async function storedReport(db: PnyxDb, key: string): Promise<string | null> {
  if (!(await tableExists(db, 'report_results'))) return null;
  return (await db.one<{ report: string }>('SELECT report FROM report_results WHERE key = $1 LIMIT 1', [key]))?.report ?? null;
}

/** Stores a report model under its key, keeping the STORED_REPORTS_MAX newest. */
export async function storeReport(db: PnyxDb, key: string, report: string): Promise<void> {
  await db.transaction(async () => {
    await db.run(REPORT_TABLES_SQL); // report_results is new to databases whose aggregates an older pnyx stored
    await db.run('DELETE FROM report_results WHERE key = $1', [key]);
    await db.run('INSERT INTO report_results VALUES ($1, $2, now()::TIMESTAMP)', [key, report]);
    await db.run(
      'DELETE FROM report_results WHERE key NOT IN (SELECT key FROM report_results ORDER BY stored_at DESC, key LIMIT $1)',
      [STORED_REPORTS_MAX],
    );
  });
}

/** How many reports are stored (0 when the tables do not exist). */
export async function storedReportCount(db: PnyxDb): Promise<number> {
  if (!(await tableExists(db, 'report_results'))) return 0;
  return Number((await db.one<{ n: number }>('SELECT count(*) AS n FROM report_results'))!.n);
}

/**
 * What the catalog loadCatalog builds from a stored snapshot depends on, without loading it: the
 * snapshot's id and hash, a hash of its model rows, and a hash of every score row.
 */
export async function catalogIdentity(db: PnyxDb, snapshot: { snapshot_id: number; sha256: string; source: string; snapshot_date: string }): Promise<string> {
  const r = (await db.one<{ models: number; models_hash: string; scores: number; scores_hash: string }>(
    `SELECT (SELECT count(*) FROM catalog_models m WHERE snapshot_id = $1) AS models,
            (SELECT coalesce(sum(hash(m)), 0) FROM catalog_models m WHERE snapshot_id = $1)::VARCHAR AS models_hash,
            (SELECT count(*) FROM model_scores) AS scores,
            (SELECT coalesce(sum(hash(s)), 0) FROM model_scores s)::VARCHAR AS scores_hash`,
    [snapshot.snapshot_id],
  ))!;
  return [snapshot.snapshot_id, snapshot.sha256, snapshot.source, snapshot.snapshot_date, r.models, r.models_hash, r.scores, r.scores_hash].join(':');
}
