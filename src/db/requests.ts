import { timestampValue, type DuckDBAppender } from '@duckdb/node-api';
import { REQUEST_ROW_COLUMNS, type ColumnKind, type RequestRow } from '../core/requestRow.js';
import type { PnyxDb } from './database.js';

export type { StoredText } from '../core/requestRow.js';

const STAGING = 'ingest_staging';
const REJECT_STAGING = 'reject_staging';

type Append = (a: DuckDBAppender, v: string | number | boolean) => void;
const appendWhole = (a: DuckDBAppender, v: number) => (v <= 0x7fffffff && v >= -0x80000000 ? a.appendInteger(v) : a.appendBigInt(BigInt(v)));
const APPEND: Record<ColumnKind, Append> = {
  varchar: (a, v) => a.appendVarchar(v as string),
  bigint: (a, v) => appendWhole(a, v as number),
  integer: (a, v) => a.appendInteger(v as number),
  double: (a, v) => a.appendDouble(v as number),
  boolean: (a, v) => a.appendBoolean(v as boolean),
  timestamp_ms: (a, v) => a.appendTimestamp(timestampValue(BigInt(v as number) * 1000n)),
};
const ROW_APPENDERS: Append[] = REQUEST_ROW_COLUMNS.map(([, kind]) => APPEND[kind]);
/** The per-row columns, in staging order; the staging table's rowid is the order rows arrived. */
const ROW_COLUMNS = REQUEST_ROW_COLUMNS.map(([n]) => n).join(', ');
/** What ingest fills in `requests` (named, so later migrations may add columns). */
const STORED_COLUMNS = `${ROW_COLUMNS}, source_file, ingested_at`;
const REJECT_COLUMNS = 'line, field, reason, raw';

/**
 * Writes one file's records in bulk: rows go through an Appender into temp staging tables,
 * then one INSERT moves the new ones into `requests` (first copy of an id wins).
 * Call inside a transaction so a file lands whole or not at all.
 */
export class RequestWriter {
  private requests!: DuckDBAppender;
  private rejects!: DuckDBAppender;
  private constructor(
    private readonly db: PnyxDb,
    private readonly file: string,
    private readonly ingestedAtMicros: bigint,
  ) {}

  static async open(db: PnyxDb, file: string, ingestedAtMicros: bigint): Promise<RequestWriter> {
    const w = new RequestWriter(db, file, ingestedAtMicros);
    await db.run(`CREATE OR REPLACE TEMP TABLE ${STAGING} AS SELECT ${ROW_COLUMNS} FROM requests LIMIT 0`);
    await db.run(`CREATE OR REPLACE TEMP TABLE ${REJECT_STAGING} AS SELECT ${REJECT_COLUMNS} FROM rejects LIMIT 0`);
    w.requests = await db.conn.createAppender(STAGING, 'main', 'temp');
    w.rejects = await db.conn.createAppender(REJECT_STAGING, 'main', 'temp');
    return w;
  }

  /** Stages one request row (see REQUEST_ROW_COLUMNS); the first copy of an id added wins. */
  appendRow(row: RequestRow): void {
    const a = this.requests;
    for (let i = 0; i < ROW_APPENDERS.length; i++) {
      const v = row[i];
      if (v === null || v === undefined) a.appendNull();
      else ROW_APPENDERS[i]!(a, v);
    }
    a.endRow();
  }

  addReject(line: number, field: string, reason: string, raw: string | null): void {
    const a = this.rejects;
    appendWhole(a, line);
    a.appendVarchar(field);
    a.appendVarchar(reason);
    if (raw === null) a.appendNull();
    else a.appendVarchar(raw);
    a.endRow();
  }

  /**
   * Moves staged rows into place. Returns how many were new, how many repeated an id already
   * stored (or earlier in the same file), and how many of those repeats had different content.
   */
  async commit(fileSha256: string): Promise<{ stored: number; duplicates: number; conflicts: number; rejected: number }> {
    this.requests.flushSync();
    this.requests.closeSync();
    this.rejects.flushSync();
    this.rejects.closeSync();
    const db = this.db;
    const staged = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${STAGING}`))!.n;
    // Same id, different content (than the stored copy, or than the first copy in this file):
    // kept aside as a reject so nothing silently vanishes.
    await db.run(
      `INSERT INTO ${REJECT_STAGING} (${REJECT_COLUMNS})
       SELECT s.source_line, 'request_id', 'duplicate request_id with different content (first copy kept)', s.raw
       FROM ${STAGING} s
       JOIN (SELECT request_id, arg_min(content_sha256, rowid) AS first_sha, count(*) AS n
             FROM ${STAGING} GROUP BY request_id) f USING (request_id)
       LEFT JOIN (SELECT request_id, content_sha256 FROM requests
                  WHERE request_id IN (SELECT request_id FROM ${STAGING})) r USING (request_id)
       WHERE (f.n > 1 OR r.request_id IS NOT NULL)
         AND s.content_sha256 <> coalesce(r.content_sha256, f.first_sha)`,
    );
    const conflicts = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${REJECT_STAGING} WHERE field = 'request_id' AND reason LIKE 'duplicate request_id%'`))!.n;
    const before = (await db.one<{ n: number }>('SELECT count(*) AS n FROM requests'))!.n;
    const at = timestampValue(this.ingestedAtMicros);
    // First copy of each id, unless the id is stored already: narrow aggregates, then one pass
    // over the wide rows (a window over the staged rows would sort all their text).
    await db.run(
      `INSERT INTO requests (${STORED_COLUMNS})
       SELECT ${ROW_COLUMNS}, $1, $2 FROM ${STAGING}
       WHERE rowid IN (SELECT min(rowid) FROM ${STAGING} GROUP BY request_id)
         AND request_id NOT IN (SELECT request_id FROM requests)`,
      [this.file, at],
    );
    const stored = (await db.one<{ n: number }>('SELECT count(*) AS n FROM requests'))!.n - before;
    // A re-run of the same file replaces its earlier rejects instead of adding them twice.
    await db.run('DELETE FROM rejects WHERE file_sha256 = $1', [fileSha256]);
    await db.run(
      `INSERT INTO rejects (file_sha256, source_file, rejected_at, ${REJECT_COLUMNS})
       SELECT $1, $2, $3, ${REJECT_COLUMNS} FROM ${REJECT_STAGING} ORDER BY rowid`,
      [fileSha256, this.file, at],
    );
    const rejected = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${REJECT_STAGING}`))!.n;
    await db.run(`DROP TABLE ${STAGING}`);
    await db.run(`DROP TABLE ${REJECT_STAGING}`);
    return { stored, duplicates: staged - stored - conflicts, conflicts, rejected };
  }

  /** Abandons the staged rows (the surrounding transaction rolls back). */
  abort(): void {
    try {
      this.requests.closeSync();
      this.rejects.closeSync();
    } catch {
      /* already closed */
    }
  }
}

export async function recordIngestedFile(
  db: PnyxDb,
  f: { sha256: string; path: string; size: number; format: string; read: number; stored: number; duplicates: number; rejected: number },
): Promise<void> {
  await db.run('DELETE FROM ingested_files WHERE file_sha256 = $1', [f.sha256]);
  await db.run('INSERT INTO ingested_files VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()::TIMESTAMP)', [
    f.sha256,
    f.path,
    BigInt(f.size),
    f.format,
    BigInt(f.read),
    BigInt(f.stored),
    BigInt(f.duplicates),
    BigInt(f.rejected),
  ]);
}
