import type { PnyxDb } from './database.js';

export interface FeatureSummary {
  feature: string;
  requests: number;
  share: number;
  /** Requests stored without any prompt text (has_prompt_text = false): metadata-only analysis. */
  metadata_only: number;
  models: { model: string; share: number }[];
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  first_ts: Date | null;
  last_ts: Date | null;
}

/** Per-feature traffic summary of everything stored, busiest feature first. */
export async function featureSummaries(db: PnyxDb): Promise<FeatureSummary[]> {
  const rows = await db.all<{
    feature: string;
    requests: number;
    share: number;
    metadata_only: number;
    models: { model: string; n: number }[];
    prompt_tokens: number | null;
    completion_tokens: number | null;
    cost_usd: number | null;
    p50: number | null;
    p95: number | null;
    first_ts: Date | null;
    last_ts: Date | null;
  }>(`
    WITH m AS (
      SELECT feature, model, count(*) AS n FROM requests GROUP BY ALL
    ), ml AS (
      SELECT feature, list({'model': model, 'n': n} ORDER BY n DESC, model) AS models FROM m GROUP BY feature
    )
    SELECT r.feature,
           count(*) AS requests,
           count(*) / sum(count(*)) OVER () AS share,
           count(*) FILTER (WHERE NOT r.has_prompt_text) AS metadata_only,
           any_value(ml.models) AS models,
           sum(r.prompt_tokens)::DOUBLE AS prompt_tokens,
           sum(r.completion_tokens)::DOUBLE AS completion_tokens,
           sum(r.cost_usd) AS cost_usd,
           quantile_cont(r.latency_ms, 0.5) AS p50,
           quantile_cont(r.latency_ms, 0.95) AS p95,
           min(r.ts) AS first_ts,
           max(r.ts) AS last_ts
    FROM requests r JOIN ml USING (feature)
    GROUP BY r.feature
    ORDER BY requests DESC, r.feature`);
  return rows.map((r) => ({
    feature: r.feature,
    requests: r.requests,
    share: r.share,
    metadata_only: Number(r.metadata_only),
    models: r.models.map((m) => ({ model: m.model, share: Number(m.n) / r.requests })),
    prompt_tokens: r.prompt_tokens ?? 0,
    completion_tokens: r.completion_tokens ?? 0,
    cost_usd: r.cost_usd,
    latency_p50_ms: r.p50,
    latency_p95_ms: r.p95,
    first_ts: r.first_ts,
    last_ts: r.last_ts,
  }));
}

/** How many stored requests lack prompt text, per log format: which export guidance to print. */
export async function metadataOnlyByFormat(db: PnyxDb): Promise<{ source_format: string; requests: number }[]> {
  const rows = await db.all<{ source_format: string; requests: number }>(
    'SELECT source_format, count(*) AS requests FROM requests WHERE NOT has_prompt_text GROUP BY source_format ORDER BY requests DESC, source_format',
  );
  return rows.map((r) => ({ source_format: r.source_format, requests: Number(r.requests) }));
}

export async function storedCounts(db: PnyxDb): Promise<{ requests: number; rejects: number; files: number }> {
  const r = await db.one<{ requests: number; rejects: number; files: number }>(
    'SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM rejects) AS rejects, (SELECT count(*) FROM ingested_files) AS files',
  );
  return r!;
}

/** Expands a glob with DuckDB's own glob(); a plain path comes back as itself. */
export async function expandGlob(db: PnyxDb, pattern: string): Promise<string[]> {
  if (!/[*?[]/.test(pattern)) return [pattern];
  const rows = await db.all<{ file: string }>('SELECT file FROM glob($1) ORDER BY file', [pattern]);
  return rows.map((r) => r.file);
}
