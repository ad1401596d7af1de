import { listValue, timestampValue } from '@duckdb/node-api';
import { hashIdDuckDb, IdHashSet, type IdHasher } from '../core/idHashSet.js';
import { cellStart, REQUEST_ROW_COLUMNS, TEXT_COLUMNS, VALUE_COLUMNS, type ColumnKind, type EncodedRows } from '../core/requestRow.js';
import { APPENDER_FLUSH_ROWS, ChunkAppender } from './chunkAppender.js';
import { ChunkPump, pumpEnabled } from './chunkPump.js';
import type { PnyxDb } from './database.js';
import { invalidateReportCache } from './reportCache.js';

export type { StoredText } from '../core/requestRow.js';
export { APPENDER_FLUSH_ROWS };

const REJECT_STAGING = 'reject_staging';
/** This run's rows whose id was seen before (see RequestWriter): same columns as `requests`. */
const REPEATS = 'ingest_repeats';
const KEPT = 'ingest_kept';
const FIRSTS = 'ingest_firsts';
const CONFLICTS = 'ingest_conflicts';

const REJECT_COLUMNS = 'line, field, reason, raw';
/**
 * What a conflicting duplicate's reject keeps: its original record when analyze kept it
 * (--store-raw), else the record as stored (its columns, masked as they are).
 */
const STORED_RECORD = `coalesce(r.raw::VARCHAR, json_object(
  'request_id', r.request_id, 'timestamp', r.ts, 'feature', r.feature, 'tenant_id', r.tenant_id, 'user_id', r.user_id,
  'model', r.model, 'provider', r.provider, 'system_prompt', r.system_prompt, 'messages', r.messages, 'tools', r.tools,
  'response_format', r.response_format, 'prompt_tokens', r.prompt_tokens, 'completion_tokens', r.completion_tokens,
  'cost_usd', r.cost_usd, 'latency_ms', r.latency_ms, 'status', r.status, 'error', r.error, 'metadata', r.metadata,
  'source_format', r.source_format)::VARCHAR)`;
const CONFLICT_REASON = 'duplicate request_id with different content (first copy kept)';

/**
 * How each column of `requests`, in table order, is filled: from a row's text cells (`index` into
 * TEXT_COLUMNS) or value cells (into VALUE_COLUMNS), a per-file constant, or NULL.
 */
type ColumnPlan =
  | { from: 'text'; index: number }
  | { from: 'value'; index: number; kind: ColumnKind }
  | { from: 'file' }
  | { from: 'ingested_at' }
  | { from: 'null' };

async function requestsPlan(db: PnyxDb): Promise<ColumnPlan[]> {
  const cols = await db.all<{ name: string }>(
    "SELECT column_name AS name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = 'requests' ORDER BY column_index",
  );
  const index = new Map(REQUEST_ROW_COLUMNS.map(([n], i) => [n, i]));
  return cols.map(({ name }): ColumnPlan => {
    const i = index.get(name);
    if (i !== undefined) {
      const kind = REQUEST_ROW_COLUMNS[i]![1];
      return kind === 'varchar' ? { from: 'text', index: TEXT_COLUMNS.indexOf(i) } : { from: 'value', index: VALUE_COLUMNS.indexOf(i), kind };
    }
    if (name === 'source_file') return { from: 'file' };
    if (name === 'ingested_at') return { from: 'ingested_at' };
    return { from: 'null' };
  });
}

/**
 * A table with the columns of `requests` (itself, or the repeats side table), filled by the
 * plan: the per-file constants are set once, each row's cells come from an EncodedRows batch.
 */
class RequestChunks {
  private readonly out: ChunkAppender;

  constructor(
    out: ChunkAppender,
    private readonly plan: readonly ColumnPlan[],
    file: string,
    ingestedAtMicros: number,
  ) {
    this.out = out;
    plan.forEach((c, j) => {
      if (c.from === 'ingested_at') this.out.constantInt64(j, ingestedAtMicros);
      else if (c.from === 'file') this.out.constantString(j, file);
      else if (c.from === 'null') this.out.constantNull(j);
    });
  }

  get count(): number {
    return this.out.count;
  }

  append(rows: EncodedRows, i: number): void {
    const out = this.out;
    const texts = TEXT_COLUMNS.length;
    const values = VALUE_COLUMNS.length;
    const { cells, text, values: nums, nulls } = rows;
    for (let j = 0; j < this.plan.length; j++) {
      const c = this.plan[j]!;
      if (c.from === 'text') {
        const at = (i * texts + c.index) * 2;
        const start = cells[at]!;
        if (start === -1) out.null(j);
        else if (start < -1) out.repeatedTextRange(j, text, cellStart(start), cells[at + 1]!);
        else out.bytes(j, text, start, cells[at + 1]!);
      } else if (c.from === 'value') {
        const at = i * values + c.index;
        if (nulls[at] === 1) out.null(j);
        else {
          const v = nums[at]!;
          switch (c.kind) {
            case 'double':
              out.double(j, v);
              break;
            case 'integer':
              out.integer(j, v);
              break;
            case 'boolean':
              out.boolean(j, v === 1);
              break;
            case 'timestamp_ms':
              out.int64(j, v * 1000);
              break;
            default:
              out.int64(j, v);
          }
        }
      }
    }
    out.endRow();
  }

  /** See ChunkAppender.settle. */
  settle(): void {
    this.out.settle();
  }

  close(): void {
    this.out.close();
  }

  abort(): void {
    this.out.abort();
  }
}

/**
 * Writes one file's records in bulk, as DataChunks that the connection's ChunkPump inserts from
 * DuckDB's threads while the main thread goes on (DuckDB writes full row groups to disk as they
 * fill, so memory stays bounded and the text is written once; the text cells arrive as UTF-8
 * bytes from the parse workers and go into the chunks as they are; `room` holds the caller back
 * while too many chunks wait). With PNYX_PUMP=0, through Appenders on the main thread. Rows whose request id is new
 * go straight into `requests`; rows whose id was seen before, stored by an earlier run or on an
 * earlier line of this file, go to a side temp table (`ingest_repeats`), settled at commit:
 * first copy wins, repeats are counted, conflicting ones kept as rejects. "Seen" is decided on
 * this thread by an IdHashSet of 64-bit fingerprints, filled at open with the stored ids; a
 * false positive of it (a new id taken for a repeat) is found exactly in SQL at commit and its
 * first row moved into `requests` then. No row this transaction appended to `requests` is ever
 * deleted: DuckDB merges a transaction's appended row groups cheaply at COMMIT only then (one
 * such DELETE made COMMIT re-append every row through the buffer pool and spill to
 * `<db>.tmp`: 1.5 s → 9.2 s and 13 MB → 293 MB of temp at 400k rows, ~23 GB of temp at 10M).
 * The rows of this run are marked by their `ingested_at`, unique per file run. Call inside a
 * transaction so a file lands whole or not at all.
 */
export class RequestWriter {
  /** Rows appended to `requests`, and to the side table (their `count`s). */
  private requests!: RequestChunks;
  private repeats!: RequestChunks;
  private rejects!: ChunkAppender;
  private pump: ChunkPump | undefined;
  private seen!: IdHashSet;
  private cache: { of: StoredIdCache; rowsBefore: number } | undefined;
  private constructor(
    private readonly db: PnyxDb,
    private readonly file: string,
    private readonly ingestedAt: ReturnType<typeof timestampValue>,
  ) {}

  /** This run's mark: the `ingested_at` of every row it stores (also the key of its `ingest_runs` row). */
  get runMark(): ReturnType<typeof timestampValue> {
    return this.ingestedAt;
  }

  /**
   * `hasher`: the id fingerprint (tests force collisions with it; default hashIdDuckDb when it agrees with this DuckDB, see storedIds, else hashIdPair).
   * `cache`: the stored ids' fingerprints from the previous file of the same batch, if still valid.
   */
  static async open(
    db: PnyxDb,
    file: string,
    nowMicros: bigint,
    opts: { hasher?: IdHasher; cache?: StoredIdCache } = {},
  ): Promise<RequestWriter> {
    // The run's mark must differ from every earlier run's, even if the clock went back.
    const stored = (await db.one<{ m: bigint | number | null; n: number }>('SELECT epoch_us(max(ingested_at)) AS m, count(*) AS n FROM requests'))!;
    const last = stored.m;
    const micros = last !== null && last !== undefined && BigInt(last) >= nowMicros ? BigInt(last) + 1n : nowMicros;
    const w = new RequestWriter(db, file, timestampValue(micros));
    const cache = opts.cache;
    const kept = cache?.seen && cache.rows === stored.n ? cache.seen : undefined;
    if (cache) cache.seen = undefined;
    w.seen = kept ?? (await storedIds(db, stored.n, opts.hasher));
    if (cache) {
      // Valid again only once this run has committed (see commit).
      cache.seen = w.seen;
      cache.rows = -1;
      w.cache = { of: cache, rowsBefore: stored.n };
    }
    const plan = await requestsPlan(db);
    await db.run(`CREATE OR REPLACE TEMP TABLE ${REJECT_STAGING} AS SELECT ${REJECT_COLUMNS} FROM rejects LIMIT 0`);
    await db.run(`CREATE OR REPLACE TEMP TABLE ${REPEATS} AS SELECT * FROM requests LIMIT 0`);
    const at = Number(micros);
    const pump = pumpEnabled() ? await ChunkPump.claim(db.conn) : undefined;
    w.pump = pump;
    const chunks = async (table: string, schema?: 'temp') => {
      const appender = schema ? await db.conn.createAppender(table, 'main', schema) : await db.conn.createAppender(table);
      return ChunkAppender.forTable(appender, pump && { pump, table });
    };
    w.requests = new RequestChunks(await chunks('requests'), plan, file, at);
    w.repeats = new RequestChunks(await chunks(REPEATS, 'temp'), plan, file, at);
    w.rejects = await chunks(REJECT_STAGING, 'temp');
    return w;
  }

  /**
   * Appends row `i` of a batch (see EncodedRows), in file order. Returns true when the row went
   * straight into `requests` (its id is new to the database and to this run), false when it went
   * to the side table (a repeat, or a new id whose fingerprint collided: see commit).
   */
  appendRow(rows: EncodedRows, i: number): boolean {
    const isNew = this.seen.add(rows.ids[i]!);
    (isNew ? this.requests : this.repeats).append(rows, i);
    return isNew;
  }

  /** Puts everything appended so far into DuckDB's chunks: no batch appended before is referred to any more (it may be reused). */
  settle(): void {
    this.requests.settle();
    this.repeats.settle();
  }

  addReject(line: number, field: string, reason: string, raw: string | null): void {
    const a = this.rejects;
    a.int64(0, line);
    a.string(1, field);
    a.string(2, reason);
    if (raw === null) a.null(3);
    else a.string(3, raw);
    a.endRow();
  }

  /** Waits while the rows appended so far are more than the pump lets wait (see ChunkPump.room). */
  async room(): Promise<void> {
    await this.pump?.room();
  }

  /**
   * Settles this run's repeats (rows whose id was stored before, or appears on an earlier line
   * of this file) and moves its rejects into place. Returns how many rows were stored, how many
   * were repeats, and how many of those had different content (kept as rejects, so nothing
   * silently vanishes).
   */
  async commit(fileSha256: string): Promise<{
    stored: number;
    duplicates: number;
    conflicts: number;
    rejected: number;
    /** The first few conflicting duplicates, for the terminal. */
    conflictSamples: { line: number; field: string; reason: string }[];
  }> {
    this.requests.close();
    this.repeats.close();
    this.rejects.close();
    await this.pump?.drain();
    const db = this.db;
    const at = this.ingestedAt;
    const settled = this.repeats.count === 0 ? { firsts: 0, conflicts: 0, conflictSamples: [] } : await this.settleRepeats();
    await invalidateReportCache(db);
    // A re-run of the same file replaces its earlier rejects instead of adding them twice.
    await db.run('DELETE FROM rejects WHERE file_sha256 = $1', [fileSha256]);
    await db.run(
      `INSERT INTO rejects (file_sha256, source_file, rejected_at, ${REJECT_COLUMNS})
       SELECT $1, $2, $3, ${REJECT_COLUMNS} FROM ${REJECT_STAGING} ORDER BY rowid`,
      [fileSha256, this.file, at],
    );
    const rejected = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${REJECT_STAGING}`))!.n;
    await db.run(`DROP TABLE ${REPEATS}`);
    await db.run(`DROP TABLE ${REJECT_STAGING}`);
    const repeats = this.repeats.count - settled.firsts;
    if (this.cache) this.cache.of.rows = this.cache.rowsBefore + this.requests.count + settled.firsts;
    return {
      stored: this.requests.count + settled.firsts,
      duplicates: repeats - settled.conflicts,
      conflicts: settled.conflicts,
      rejected,
      conflictSamples: settled.conflictSamples,
    };
  }

  /**
   * The side table, settled exactly, in narrow materialized steps (one statement joining a whole
   * run to its first copies needed ~1 KB of DuckDB memory per row at 10M rows):
   * 1. the row `requests` holds for each repeated id (stored earlier, or this file's first copy);
   * 2. ids with none are false positives of the fingerprint set: their first row (lowest
   *    source_line) is a first copy after all and is inserted into `requests`;
   * 3. every other side row is a duplicate; one whose content differs from the kept copy's is a
   *    conflict and becomes a reject (its record as stored, in line order).
   */
  private async settleRepeats(): Promise<{ firsts: number; conflicts: number; conflictSamples: { line: number; field: string; reason: string }[] }> {
    const db = this.db;
    // `requests` holds one row per id (this writer keeps it so): no GROUP BY needed.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${KEPT} AS
       SELECT request_id, content_sha256 AS kept_sha FROM requests WHERE request_id IN (SELECT request_id FROM ${REPEATS})`,
    );
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${FIRSTS} AS
       SELECT arg_min(r.rowid, r.source_line) AS rid FROM ${REPEATS} r ANTI JOIN ${KEPT} USING (request_id) GROUP BY r.request_id`,
    );
    const firsts = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${FIRSTS}`))!.n;
    if (firsts > 0) {
      const first = `FROM ${REPEATS} WHERE rowid IN (SELECT rid FROM ${FIRSTS})`;
      await db.run(`INSERT INTO requests SELECT * ${first}`);
      await db.run(`INSERT INTO ${KEPT} SELECT request_id, content_sha256 ${first}`);
    }
    // Conflicts by their narrow columns first (a first copy joins its own hash: never one); the
    // wide columns of the side table are read for the conflicting rows only.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${CONFLICTS} AS
       SELECT r.rowid AS rid, r.source_line FROM ${REPEATS} r JOIN ${KEPT} k USING (request_id)
       WHERE r.content_sha256 <> k.kept_sha`,
    );
    const conflicts = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${CONFLICTS}`))!.n;
    if (conflicts > 0) {
      await db.run(
        `INSERT INTO ${REJECT_STAGING} (${REJECT_COLUMNS})
         SELECT r.source_line, 'request_id', '${CONFLICT_REASON}', ${STORED_RECORD}
         FROM ${REPEATS} r WHERE r.rowid IN (SELECT rid FROM ${CONFLICTS}) ORDER BY r.source_line`,
      );
    }
    const conflictSamples =
      conflicts === 0
        ? []
        : (await db.all<{ line: number | bigint }>(`SELECT source_line AS line FROM ${CONFLICTS} ORDER BY source_line LIMIT 5`)).map((c) => ({
            line: Number(c.line),
            field: 'request_id',
            reason: CONFLICT_REASON,
          }));
    await db.run(`DROP TABLE ${CONFLICTS}`);
    await db.run(`DROP TABLE ${FIRSTS}`);
    await db.run(`DROP TABLE ${KEPT}`);
    return { firsts, conflicts, conflictSamples };
  }

  /** Abandons the appended rows (the surrounding transaction rolls back). */
  abort(): void {
    this.requests.abort();
    this.repeats.abort();
    this.rejects.abort();
  }
}

/**
 * The stored ids' fingerprints, carried from one file's run to the next (one `ingestFiles` call)
 * so they are streamed from `requests` once, not once per file. They are reused while `requests`
 * holds `rows` rows, the count they were left at by the last run's commit. A run whose transaction
 * then rolled back leaves at most extra fingerprints (and a count that differs): an extra one is a
 * false positive, which commit settles exactly anyway.
 */
export class StoredIdCache {
  seen: IdHashSet | undefined;
  rows = -1;
}

/**
 * The fingerprints of every stored request id, streamed from `requests` (only when it has
 * rows), in a set sized for them (it doubles as this run adds new ones).
 */
async function storedIds(db: PnyxDb, stored: number, hasher: IdHasher | undefined): Promise<IdHashSet> {
  if (hasher === undefined && (await duckdbHashAgrees(db))) {
    // DuckDB hashes the stored ids itself (on all its threads) and only the 64-bit values reach
    // JavaScript: 10M stored ids 4.2-4.7 s -> 1.5 s (docs/PERFORMANCE_LOG.md, "Eighteenth pass").
    const seen = new IdHashSet({ expected: stored, hasher: hashIdDuckDb });
    if (stored > 0) await db.eachUint64Chunk('SELECT hash(request_id) FROM requests', [], (words) => seen.addFingerprints(words));
    return seen;
  }
  const seen = new IdHashSet({ expected: stored, hasher });
  if (stored > 0) {
    await db.eachStringBatch('requests', 'request_id', (ids) => {
      for (const id of ids) seen.add(id);
    });
  }
  return seen;
}

/**
 * Ids whose hashes take every path of DuckDB's string hash: empty, inlined (up to 12 bytes) and
 * not, whole 8-byte blocks with and without a remainder, multi-byte UTF-8, a NUL, a lone surrogate
 * (stored as U+FFFD, as TextEncoder writes it).
 */
export const HASH_PROBES: readonly string[] = [
  '', 'a', 'req-1', 'abcdefgh', 'chatcmpl-7-0', 'thirteen-byte', 'sixteen-bytes-xx', 'chatcmpl-AbCdEfGhIjKlMnOpQrStUv',
  'héllo wörld', '日本語のテキスト', 'x\u0000y', 'lone\ud800surrogate', '😀-id', 'b'.repeat(100),
];

/** Whether hashIdDuckDb computes what this DuckDB's `hash()` does (checked once per process; a DuckDB upgrade that changed its hash, or a big-endian host, falls back to reading the ids). */
let hashAgrees: boolean | undefined;

/** Forgets the check's result (tests that make it fail). */
export function forgetDuckdbHashCheck(): void {
  hashAgrees = undefined;
}

export async function duckdbHashAgrees(db: PnyxDb): Promise<boolean> {
  if (hashAgrees !== undefined) return hashAgrees;
  let hashes: string[];
  try {
    hashes = await duckdbHashes(db, HASH_PROBES);
  } catch {
    // A DuckDB without these functions cannot be relied on either: read the ids as strings.
    return (hashAgrees = false);
  }
  const out = new Uint32Array(2);
  hashAgrees = HASH_PROBES.every((id, i) => {
    hashIdDuckDb(id, out);
    return ((BigInt(out[1]!) << 32n) | BigInt(out[0]!)).toString() === hashes[i];
  });
  return hashAgrees;
}

/** DuckDB's `hash()` of each string, as decimal text, in order. */
export async function duckdbHashes(db: PnyxDb, values: readonly string[]): Promise<string[]> {
  const cols = await db.columns('SELECT list_transform($1::VARCHAR[], s -> hash(s)::VARCHAR) AS h', [listValue([...values])]);
  return cols.h![0] as string[];
}

export async function recordIngestedFile(
  db: PnyxDb,
  f: { sha256: string; path: string; size: number; format: string; read: number; stored: number; duplicates: number; rejected: number; options: string },
): Promise<void> {
  // An upsert that leaves the key alone, not DELETE + INSERT: when the COMMIT of a transaction
  // that deleted and re-inserted one key fails (disk full while writing the WAL), DuckDB 1.5.6
  // aborts the process undoing it ("Failed to append to PRIMARY_ingested_files_0 ... duplicate
  // key", a FatalException) instead of returning the error.
  await db.run(
    `INSERT INTO ingested_files (file_sha256, path, size_bytes, format, read_count, stored, duplicates, rejected, ingested_at, options)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()::TIMESTAMP, $9)
     ON CONFLICT (file_sha256) DO UPDATE SET path = excluded.path, size_bytes = excluded.size_bytes, format = excluded.format,
       read_count = excluded.read_count, stored = excluded.stored, duplicates = excluded.duplicates, rejected = excluded.rejected,
       ingested_at = excluded.ingested_at, options = excluded.options`,
    [
      f.sha256,
      f.path,
      BigInt(f.size),
      f.format,
      BigInt(f.read),
      BigInt(f.stored),
      BigInt(f.duplicates),
      BigInt(f.rejected),
      f.options,
    ],
  );
}

/**
 * Earlier runs of the file at `path` with these options while it was smaller, largest first:
 * if the file grew by appending, one of them is its beginning.
 */
export async function ingestedPrefixes(db: PnyxDb, path: string, size: number, options: string): Promise<{ sha: string; size: number }[]> {
  const rows = await db.all<{ sha: string; size: number | bigint }>(
    'SELECT file_sha256 AS sha, size_bytes AS size FROM ingested_files WHERE path = $1 AND size_bytes < $2 AND options = $3 ORDER BY size_bytes DESC LIMIT 3',
    [path, BigInt(size), options],
  );
  return rows.map((r) => ({ sha: r.sha, size: Number(r.size) }));
}

/**
 * Content hashes of files stored with exactly these options and this size: the candidates a
 * file may be a repeat of (its own hash decides).
 */
export async function ingestedWith(db: PnyxDb, size: number, options: string): Promise<Set<string>> {
  const rows = await db.all<{ sha: string }>('SELECT file_sha256 AS sha FROM ingested_files WHERE size_bytes = $1 AND options = $2', [BigInt(size), options]);
  return new Set(rows.map((r) => r.sha));
}

export interface IngestRun {
  sha256: string;
  path: string;
  sampleRate: number;
  read: number;
  stored: number;
  duplicates: number;
  rejected: number;
  sampledOut: number;
}

/**
 * One row per file run in `ingest_runs`, keyed by the run's mark (`requests.ingested_at`), so a
 * stored request's sample rate is `JOIN ingest_runs USING (ingested_at)`.
 */
export async function recordIngestRun(db: PnyxDb, mark: ReturnType<typeof timestampValue>, r: IngestRun): Promise<void> {
  // now() would be the transaction's start: the finish time comes from the clock.
  await db.run('INSERT INTO ingest_runs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
    r.sha256,
    r.path,
    r.sampleRate,
    BigInt(r.read),
    BigInt(r.stored),
    BigInt(r.duplicates),
    BigInt(r.rejected),
    BigInt(r.sampledOut),
    mark,
    timestampValue(BigInt(Date.now()) * 1000n),
  ]);
}
