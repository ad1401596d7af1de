import type { PnyxDb } from './database.js';
import { BUCKET_ID_SQL } from './recommend.js';

/** One bucket's recommendation, joined to every request of the bucket on export. */
export interface BucketRecommendation {
  bucket_id: bigint;
  verdict: string;
  route_model: string | null;
  cheapest_adequate_model: string | null;
  assigned_short_on: string;
  cheaper_model_suffices: boolean;
}

const RECS = 'export_bucket_recs';

export async function stageBucketRecommendations(db: PnyxDb, recs: BucketRecommendation[]): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${RECS} (bucket_id UBIGINT, verdict VARCHAR, route_model VARCHAR, cheapest_adequate_model VARCHAR, assigned_short_on VARCHAR, cheaper_model_suffices BOOLEAN)`,
  );
  const a = await db.conn.createAppender(RECS, 'main', 'temp');
  const str = (v: string | null) => (v === null ? a.appendNull() : a.appendVarchar(v));
  for (const r of recs) {
    a.appendUBigInt(r.bucket_id);
    str(r.verdict);
    str(r.route_model);
    str(r.cheapest_adequate_model);
    str(r.assigned_short_on);
    a.appendBoolean(r.cheaper_model_suffices);
    a.endRow();
  }
  a.flushSync();
  a.closeSync();
}

/** The per-request export query: profile + the bucket's recommendation; prompt text only when asked. */
export function exportQuery(showText: boolean): string {
  return `SELECT r.request_id, r.ts, r.feature, r.tenant_id, r.model AS assigned_model, r.has_prompt_text,
      r.prompt_tokens, r.completion_tokens, r.reasoning_tokens, r.cached_tokens, r.cost_usd, r.latency_ms, r.ttft_ms,
      p.classifier_version, p.task_type, p.domain, p.reasoning, p.output_format, p.structured_output, p.latency_sensitivity,
      p.safety_risk, p.policy_sensitivity, p.context_tokens, p.needs_tools, p.multimodal, p.language, p.complexity,
      array_to_string(p.signals, '; ') AS signals,
      rec.verdict AS feature_verdict, rec.route_model AS recommended_model, rec.cheapest_adequate_model,
      rec.assigned_short_on, rec.cheaper_model_suffices${showText ? ', r.system_prompt, r.messages::VARCHAR AS messages' : ''}
    FROM requests r JOIN profiles p USING (request_id)
    LEFT JOIN ${RECS} rec ON rec.bucket_id = ${BUCKET_ID_SQL}
    ORDER BY r.feature, r.ts, r.request_id`;
}

/** Writes the export with DuckDB's COPY (parquet, csv, jsonl). */
export async function copyExport(db: PnyxDb, path: string, format: 'parquet' | 'csv' | 'jsonl', showText: boolean): Promise<void> {
  const opts = format === 'parquet' ? '(FORMAT parquet)' : format === 'csv' ? '(FORMAT csv, HEADER true)' : '(FORMAT json)';
  // COPY takes no bound parameter for its target: the path is quoted as a SQL string literal.
  await db.run(`COPY (${exportQuery(showText)}) TO '${path.replace(/'/g, "''")}' ${opts}`);
}

/** Streams the export rows in chunks (for the Arrow writer). */
export async function* streamExport(db: PnyxDb, showText: boolean): AsyncGenerator<{ columns: string[]; types: string[]; rows: unknown[][] }> {
  const result = await db.conn.stream(exportQuery(showText));
  const columns = result.columnNames();
  const types = result.columnTypes().map((t) => t.toString());
  for await (const rows of result.yieldRowsJs()) yield { columns, types, rows };
}
