import { chmodSync, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Bool, Float64, Int64, RecordBatchStreamWriter, Table, TimestampMillisecond, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import type { ModelCatalog } from '../core/catalog/types.js';
import type { PnyxConfig } from '../core/config.js';
import type { PnyxDb } from '../db/database.js';
import { copyExport, stageBucketRecommendations, streamExport, type BucketRecommendation } from '../db/export.js';
import { assessFeatures } from './report.js';
import { writeOwnerOnly } from './writeOutput.js';

export const EXPORT_FORMATS = ['parquet', 'arrow', 'csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Writes one row per classified request: its profile, its feature's verdict, the model its
 * feature's recommendation routes it to, the cheapest model meeting its own needs, and what the
 * assigned model falls short on. No prompt text unless `showText`. Returns the row count.
 */
export async function exportRecommendations(
  db: PnyxDb,
  opts: { catalog: ModelCatalog; config: PnyxConfig; path: string; format: ExportFormat; showText: boolean; now?: Date },
): Promise<number> {
  const asOf = (opts.now ?? new Date()).toISOString().slice(0, 10);
  const { assessed } = await assessFeatures(db, { catalog: opts.catalog, config: opts.config, asOf });
  const recs: BucketRecommendation[] = [];
  for (const { buckets, assessment } of assessed) {
    buckets.forEach((b, i) => {
      const r = assessment.bucket_results[i]!;
      recs.push({
        bucket_id: b.bucket_id,
        verdict: assessment.verdict,
        route_model: r.route_model,
        cheapest_adequate_model: r.cheapest_adequate,
        assigned_short_on: r.short_on.join(', '),
        cheaper_model_suffices: r.light,
      });
    });
  }
  await stageBucketRecommendations(db, recs);
  if (opts.format !== 'arrow') {
    writeOwnerOnly(opts.path, ''); // creates the folder and the file owner-only before DuckDB writes it
    await copyExport(db, opts.path, opts.format, opts.showText);
    chmodSync(opts.path, 0o600);
    return assessed.reduce((s, a) => s + a.buckets.reduce((t, b) => t + b.requests, 0), 0);
  }
  // Arrow IPC stream via apache-arrow (DuckDB's arrow extension is not available offline), one
  // record batch per DuckDB chunk: rows are never all held in memory.
  writeOwnerOnly(opts.path, ''); // creates the folder and the file owner-only before the stream opens it
  const writer = new RecordBatchStreamWriter();
  const written = pipeline(writer.toNodeStream(), createWriteStream(opts.path, { mode: 0o600 }));
  let rows = 0;
  try {
    for await (const chunk of streamExport(db, opts.showText)) {
      const table = new Table(Object.fromEntries(chunk.columns.map((c, i) => [c, arrowColumn(chunk.types[i]!, chunk.rows.map((r) => r[i]))])));
      writer.write(table);
      rows += chunk.rows.length;
      await new Promise((resolve) => setImmediate(resolve)); // let the file stream drain
    }
  } finally {
    writer.finish();
    writer.close();
  }
  await written;
  chmodSync(opts.path, 0o600);
  return rows;
}

/** An Arrow vector typed from the DuckDB column type (so an all-null column keeps its type). */
function arrowColumn(duckType: string, values: unknown[]) {
  let type: DataType;
  let conv: (v: unknown) => unknown = (v) => v;
  if (duckType === 'BOOLEAN') type = new Bool();
  else if (/^(BIGINT|INTEGER|HUGEINT|UBIGINT)$/.test(duckType)) {
    type = new Int64();
    conv = (v) => (v === null || v === undefined ? null : BigInt(v as number | bigint));
  } else if (/^(DOUBLE|FLOAT|DECIMAL)/.test(duckType)) type = new Float64();
  else if (duckType.startsWith('TIMESTAMP')) type = new TimestampMillisecond();
  else {
    type = new Utf8();
    conv = (v) => (v === null || v === undefined ? null : String(v));
  }
  return vectorFromArray(values.map(conv), type);
}
