import { existsSync, statSync } from 'node:fs';
import { quoteIdent, type PnyxDb } from './database.js';
import { invalidateReportCache } from './reportCache.js';

export interface TableStats {
  table: string;
  rows: number;
}

/** Every table of the pnyx schema with its row count, by name. */
export async function tableStats(db: PnyxDb): Promise<TableStats[]> {
  const tables = await db.all<{ name: string }>(
    "SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary ORDER BY table_name",
  );
  const out: TableStats[] = [];
  for (const t of tables) {
    const r = await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(t.name)}`);
    out.push({ table: t.name, rows: r?.n ?? 0 });
  }
  return out;
}

/** The DuckDB storage format of the open database file, as DuckDB names it (e.g. `v1.2.0+`). */
export async function storageVersion(db: PnyxDb): Promise<string> {
  const r = await db.one<{ v: string | null }>(`SELECT tags['storage_version'] AS v FROM duckdb_databases() WHERE database_name = current_database()`);
  return r?.v ?? 'unknown';
}

/** Size on disk of the database file and its write-ahead log. */
export function fileSizes(path: string): { file: number; wal: number } {
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  return { file: size(path), wal: size(`${path}.wal`) };
}

export interface PurgeCounts {
  requests: number;
  rejects: number;
  /** Rows removed from other tables keyed by request_id (profiles and later stages'), by table. */
  related: Record<string, number>;
}

/**
 * Deletes, in one transaction, every request whose log timestamp (or, when the log had none,
 * ingestion time) is before `before`, every row of any other table that refers to such a
 * request by `request_id` (profiles and whatever later stages add), and every reject recorded
 * before `before`.
 */
export async function purgeBefore(db: PnyxDb, before: Date): Promise<PurgeCounts> {
  const cutoff = before.toISOString().replace('T', ' ').replace('Z', '');
  return db.transaction(async () => {
    await db.run('CREATE OR REPLACE TEMP TABLE purge_ids AS SELECT request_id FROM requests WHERE coalesce(ts, ingested_at) < $1::TIMESTAMP', [cutoff]);
    const related: Record<string, number> = {};
    const keyed = await db.all<{ name: string }>(
      `SELECT DISTINCT table_name AS name FROM duckdb_columns()
       WHERE database_name = current_database() AND schema_name = 'main' AND column_name = 'request_id' AND table_name <> 'requests' AND NOT internal
       ORDER BY 1`,
    );
    for (const t of keyed) {
      const where = `WHERE request_id IN (SELECT request_id FROM purge_ids)`;
      related[t.name] = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(t.name)} ${where}`))!.n;
      await db.run(`DELETE FROM ${quoteIdent(t.name)} ${where}`);
    }
    const requests = (await db.one<{ n: number }>('SELECT count(*) AS n FROM purge_ids'))!.n;
    await db.run('DELETE FROM requests WHERE request_id IN (SELECT request_id FROM purge_ids)');
    const rejects = (await db.one<{ n: number }>('SELECT count(*) AS n FROM rejects WHERE rejected_at < $1::TIMESTAMP', [cutoff]))!.n;
    await db.run('DELETE FROM rejects WHERE rejected_at < $1::TIMESTAMP', [cutoff]);
    await db.run('DROP TABLE purge_ids');
    await invalidateReportCache(db);
    return { requests, rejects, related };
  });
}
