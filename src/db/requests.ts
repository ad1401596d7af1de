import { timestampValue, type DuckDBAppender } from '@duckdb/node-api';
import { effectiveModel, type CanonicalRequest } from '../core/request.js';
import type { StoreTextMode, TextForStorage } from '../core/storeText.js';
import type { PnyxDb } from './database.js';

/** Where a stored record came from. */
export interface RecordSource {
  file: string;
  fileSha256: string;
  line: number;
}

/** The text columns as stored (masked per --store-text; see core/storeText.ts). */
export type StoredText = TextForStorage;

const STAGING = 'ingest_staging';

/**
 * The columns addRequest appends, in its order. Staging is built from this list and moved into
 * `requests` BY NAME, so the physical column order of a database (which depends on the order
 * its migrations ran) never matters, and columns added later by other stages keep their defaults.
 */
const STAGED_COLUMNS = [
  'request_id', 'ts', 'feature', 'tenant_id', 'user_id', 'requested_model', 'served_model', 'model', 'provider',
  'system_prompt', 'messages', 'has_prompt_text', 'tools', 'tool_count', 'response_format', 'max_tokens', 'temperature',
  'stream', 'prompt_tokens', 'completion_tokens', 'reasoning_tokens', 'cached_tokens', 'cost_usd', 'latency_ms', 'ttft_ms',
  'finish_reason', 'status', 'error', 'metadata', 'source_format', 'source_file', 'source_line', 'content_sha256', 'raw',
  'ingested_at', 'store_text',
] as const;
const REJECT_STAGING = 'reject_staging';

/**
 * Writes one file's records in bulk: rows go through an Appender into temp staging tables,
 * then one INSERT moves the new ones into `requests` (first copy of an id wins).
 * Call inside a transaction so a file lands whole or not at all.
 */
export class RequestWriter {
  private requests!: DuckDBAppender;
  private rejects!: DuckDBAppender;
  private constructor(private readonly db: PnyxDb) {}

  static async open(db: PnyxDb): Promise<RequestWriter> {
    const w = new RequestWriter(db);
    await db.run(`CREATE OR REPLACE TEMP TABLE ${STAGING} AS SELECT ${STAGED_COLUMNS.join(', ')} FROM requests LIMIT 0`);
    await db.run(`ALTER TABLE ${STAGING} ADD COLUMN seq BIGINT`);
    await db.run(`CREATE OR REPLACE TEMP TABLE ${REJECT_STAGING} AS SELECT * FROM rejects LIMIT 0`);
    w.requests = await db.conn.createAppender(STAGING, 'main', 'temp');
    w.rejects = await db.conn.createAppender(REJECT_STAGING, 'main', 'temp');
    return w;
  }

  private seq = 0;

  addRequest(r: CanonicalRequest, source: RecordSource, contentHash: string, text: StoredText, storeText: StoreTextMode, ingestedAtMicros: bigint): void {
    const a = this.requests;
    const str = (v: string | null) => (v === null ? a.appendNull() : a.appendVarchar(v));
    const int = (v: number | null) => (v === null ? a.appendNull() : a.appendBigInt(BigInt(v)));
    const dbl = (v: number | null) => (v === null ? a.appendNull() : a.appendDouble(v));
    const bool = (v: boolean | null) => (v === null ? a.appendNull() : a.appendBoolean(v));
    const json = (v: unknown) => (v === null || v === undefined ? a.appendNull() : a.appendVarchar(JSON.stringify(v)));
    str(r.request_id);
    if (r.timestamp) a.appendTimestamp(timestampValue(BigInt(r.timestamp.getTime()) * 1000n));
    else a.appendNull();
    str(r.feature);
    str(r.tenant_id);
    str(r.user_id);
    str(r.requested_model);
    str(r.served_model);
    str(effectiveModel(r) ?? 'unknown');
    str(r.provider);
    str(text.system_prompt);
    str(text.messages);
    bool(r.has_prompt_text);
    json(r.tools);
    a.appendInteger(r.tools?.length ?? 0);
    json(r.response_format);
    int(r.max_tokens);
    dbl(r.temperature);
    bool(r.stream);
    int(r.prompt_tokens);
    int(r.completion_tokens);
    int(r.reasoning_tokens);
    int(r.cached_tokens);
    dbl(r.cost_usd);
    dbl(r.latency_ms);
    dbl(r.ttft_ms);
    str(r.finish_reason);
    str(r.status);
    str(text.error);
    a.appendVarchar(text.metadata);
    str(r.source_format);
    str(source.file);
    a.appendBigInt(BigInt(source.line));
    str(contentHash);
    str(text.raw);
    a.appendTimestamp(timestampValue(ingestedAtMicros));
    str(storeText);
    a.appendBigInt(BigInt(this.seq++));
    a.endRow();
  }

  addReject(source: RecordSource, field: string, reason: string, raw: string | null, atMicros: bigint): void {
    const a = this.rejects;
    a.appendVarchar(source.fileSha256);
    a.appendVarchar(source.file);
    a.appendBigInt(BigInt(source.line));
    a.appendVarchar(field);
    a.appendVarchar(reason);
    if (raw === null) a.appendNull();
    else a.appendVarchar(raw);
    a.appendTimestamp(timestampValue(atMicros));
    a.endRow();
  }

  /**
   * Moves staged rows into place. Returns how many were new, how many repeated an id already
   * stored (or earlier in the same file), and how many of those repeats had different content.
   */
  async commit(fileSha256: string): Promise<{
    stored: number;
    duplicates: number;
    conflicts: number;
    rejected: number;
    /** The first few conflicting duplicates, for the terminal. */
    conflictSamples: { line: number; field: string; reason: string }[];
  }> {
    this.requests.flushSync();
    this.requests.closeSync();
    this.rejects.flushSync();
    this.rejects.closeSync();
    const db = this.db;
    const staged = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${STAGING}`))!.n;
    // Same id, different content: kept aside as a reject so nothing silently vanishes.
    await db.run(
      `INSERT INTO ${REJECT_STAGING}
       SELECT $1, s.source_file, s.source_line, 'request_id',
              'duplicate request_id with different content (first copy kept)', s.raw, s.ingested_at
       FROM ${STAGING} s
       WHERE s.content_sha256 <> coalesce(
               (SELECT r.content_sha256 FROM requests r WHERE r.request_id = s.request_id),
               (SELECT first(f.content_sha256 ORDER BY f.seq) FROM ${STAGING} f WHERE f.request_id = s.request_id))`,
      [fileSha256],
    );
    const conflictWhere = `WHERE field = 'request_id' AND reason LIKE 'duplicate request_id%'`;
    const conflicts = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${REJECT_STAGING} ${conflictWhere}`))!.n;
    const conflictSamples = conflicts === 0 ? [] : await db.all<{ line: number; field: string; reason: string }>(`SELECT line, field, reason FROM ${REJECT_STAGING} ${conflictWhere} ORDER BY line LIMIT 5`);
    const before = (await db.one<{ n: number }>('SELECT count(*) AS n FROM requests'))!.n;
    await db.run(
      `INSERT INTO requests BY NAME
       SELECT * EXCLUDE (seq) FROM ${STAGING}
       WHERE request_id NOT IN (SELECT request_id FROM requests)
       QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY seq) = 1`,
    );
    const stored = (await db.one<{ n: number }>('SELECT count(*) AS n FROM requests'))!.n - before;
    // A re-run of the same file replaces its earlier rejects instead of adding them twice.
    await db.run('DELETE FROM rejects WHERE file_sha256 = $1', [fileSha256]);
    await db.run(`INSERT INTO rejects SELECT * FROM ${REJECT_STAGING}`);
    const rejected = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${REJECT_STAGING}`))!.n;
    await db.run(`DROP TABLE ${STAGING}`);
    await db.run(`DROP TABLE ${REJECT_STAGING}`);
    return { stored, duplicates: staged - stored - conflicts, conflicts, rejected, conflictSamples };
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
