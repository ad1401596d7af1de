import type { PnyxDb } from './database.js';
import { BUCKETS_SQL, FACTS_SQL, type AggregateSource } from './recommend.js';

/**
 * The report's aggregates (profile buckets and feature facts, src/db/recommend.ts) cost two joins
 * of requests with profiles: seconds at a million requests. They are stored in `report_buckets`
 * and `report_features` (created by the first report that stores them: see REPORT_TABLES_SQL) with a fingerprint of the rows they come from, and read
 * from there while the fingerprint still matches. The fingerprint hashes every column the
 * aggregates read, of every row of both tables, so any change (analyze, purge, re-classification,
 * or an edit by hand in the DuckDB CLI) makes the next report recompute them: never stale.
 */

/**
 * The stored aggregates' tables. Created on first use rather than by a migration: a small database
 * (below STORE_AGGREGATES_MIN_REQUESTS) never gets them, so its file and write-ahead log stay as
 * they were (a disk-full test on a 3 MB file system has no room for three more empty tables).
 */
const REPORT_TABLES_SQL = `
      CREATE TABLE IF NOT EXISTS report_state (
        fingerprint  VARCHAR NOT NULL,
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
      );`;

/** Part of the fingerprint: bump it when BUCKETS_SQL or FACTS_SQL change, so older stored aggregates are recomputed. */
const AGGREGATES_VERSION = 1;

/** Row counts and order-independent sums of row hashes over the columns the aggregates read. */
const FINGERPRINT_SQL = `
  SELECT r.n AS requests, r.h AS requests_hash, p.n AS profiles, p.h AS profiles_hash
  FROM (
    SELECT count(*) AS n, coalesce(sum(hash(request_id, feature, model, has_prompt_text, prompt_tokens, completion_tokens,
      reasoning_tokens, cached_tokens, cost_usd, ttft_ms, latency_ms, ts)), 0)::VARCHAR AS h
    FROM requests
  ) r, (
    SELECT count(*) AS n, coalesce(sum(hash(request_id, task_type, domain, output_format, structured_output, needs_tools, multimodal,
      reasoning, complexity, policy_sensitivity, latency_sensitivity, safety_risk, context_tokens)), 0)::VARCHAR AS h
    FROM profiles
  ) p`;

/** A fingerprint of the data the report aggregates: equal fingerprints, equal aggregates. */
export async function dataFingerprint(db: PnyxDb): Promise<string> {
  const r = (await db.one<{ requests: number; requests_hash: string; profiles: number; profiles_hash: string }>(FINGERPRINT_SQL))!;
  return `v${AGGREGATES_VERSION}:${r.requests}:${r.requests_hash}:${r.profiles}:${r.profiles_hash}`;
}

async function storedFingerprint(db: PnyxDb): Promise<string | null> {
  // The tables exist once a report stored aggregates (REPORT_TABLES_SQL).
  const t = await db.one<{ n: number }>(
    "SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'report_state'",
  );
  if (!t || t.n === 0) return null;
  return (await db.one<{ fingerprint: string }>('SELECT fingerprint FROM report_state LIMIT 1'))?.fingerprint ?? null;
}

/** Recomputes the stored aggregates from requests and profiles, in one transaction. */
export async function refreshReportAggregates(db: PnyxDb): Promise<void> {
  await db.transaction(async () => {
    await db.run(REPORT_TABLES_SQL);
    const fingerprint = await dataFingerprint(db);
    await db.run('DELETE FROM report_buckets');
    await db.run(`INSERT INTO report_buckets BY NAME ${BUCKETS_SQL}`, [null]);
    await db.run('DELETE FROM report_features');
    await db.run(`INSERT INTO report_features BY NAME ${FACTS_SQL}`);
    await db.run('DELETE FROM report_state');
    await db.run('INSERT INTO report_state VALUES ($1, now()::TIMESTAMP)', [fingerprint]);
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
 * aggregates are missing or out of date.
 */
export async function currentAggregates(db: PnyxDb, mode: 'auto' | 'cached' = 'auto'): Promise<AggregateSource> {
  if (mode === 'auto') {
    const n = (await db.one<{ n: number }>('SELECT count(*) AS n FROM requests'))!.n;
    if (n < STORE_AGGREGATES_MIN_REQUESTS) return 'live';
  }
  const stored = await storedFingerprint(db);
  if (stored !== null && stored === (await dataFingerprint(db))) return 'cached';
  if (db.readOnly) return 'live';
  await refreshReportAggregates(db);
  return 'cached';
}
