import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  LIST,
  TIMESTAMP,
  VARCHAR,
  listValue,
  timestampValue,
  type DuckDBAppender,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { ProfileTuple } from '../core/classifier/profileTuple.js';
import type { PnyxDb } from './database.js';
import { invalidateReportCache } from './reportCache.js';
import { APPENDER_FLUSH_ROWS } from './requests.js';

const STAGING = 'profile_staging';
const FIRST = 'profile_first';
const SKIP = 'profile_skip';

/** The columns of `profiles`, in table order (migration 8), as DataChunk types. */
const PROFILE_TYPES: readonly DuckDBType[] = [
  VARCHAR, // request_id
  VARCHAR, // classifier_version
  VARCHAR, // task_type
  VARCHAR, // domain
  DOUBLE, // reasoning
  VARCHAR, // output_format
  BOOLEAN, // structured_output
  DOUBLE, // latency_sensitivity
  DOUBLE, // safety_risk
  DOUBLE, // policy_sensitivity
  BIGINT, // context_tokens
  BOOLEAN, // needs_tools
  BOOLEAN, // multimodal
  VARCHAR, // language
  DOUBLE, // complexity
  LIST(VARCHAR), // signals
  TIMESTAMP, // classified_at
];
/** Rows per DataChunk: DuckDB's vector size, the most a chunk holds. */
const CHUNK_ROWS = 2048;

/**
 * Appends profile rows to one table as DataChunks, column by column. Per row this is several
 * times cheaper than a row Appender here (measured at 200k rows: ~5.5 µs against ~8.4 µs with
 * `signals` as JSON text plus ~1.4 µs to cast it at commit, and ~26 µs with one `appendList`
 * per row): a row Appender crosses into native code once per value and builds a DuckDB value
 * per list, a chunk copies whole columns of numbers at once and writes the strings of a list
 * column into its child vector.
 */
class ProfileChunkAppender {
  private readonly columns: DuckDBValue[][];
  private rows = 0;
  private sinceFlush = 0;
  /** Rows appended in all. */
  count = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly types: readonly DuckDBType[],
    private readonly version: string,
    private readonly at: DuckDBValue,
  ) {
    this.columns = types.map(() => new Array<DuckDBValue>(CHUNK_ROWS));
  }

  /** `extra`: the value of a column after the profile's (the staging table's `seq`). */
  add(requestId: string, t: ProfileTuple, extra?: DuckDBValue): void {
    const c = this.columns;
    const i = this.rows;
    c[0]![i] = requestId;
    c[1]![i] = this.version;
    c[2]![i] = t[0];
    c[3]![i] = t[1];
    c[4]![i] = t[2];
    c[5]![i] = t[3];
    c[6]![i] = t[4];
    c[7]![i] = t[5];
    c[8]![i] = t[6];
    c[9]![i] = t[7];
    c[10]![i] = BigInt(t[8]);
    c[11]![i] = t[9];
    c[12]![i] = t[10];
    c[13]![i] = t[11];
    c[14]![i] = t[12];
    c[15]![i] = listValue(t[13]);
    c[16]![i] = this.at;
    if (extra !== undefined) c[17]![i] = extra;
    this.count++;
    if (++this.rows === CHUNK_ROWS) this.appendChunk();
  }

  /** Hands the buffered rows to the table. */
  flush(): void {
    if (this.rows > 0) this.appendChunk();
    this.appender.flushSync();
    this.sinceFlush = 0;
  }

  close(): void {
    this.flush();
    this.appender.closeSync();
  }

  abort(): void {
    try {
      this.appender.closeSync();
    } catch {
      /* already closed */
    }
  }

  private appendChunk(): void {
    const n = this.rows;
    const chunk = DuckDBDataChunk.create(this.types, n);
    chunk.setColumns(n === CHUNK_ROWS ? this.columns : this.columns.map((col) => col.slice(0, n)));
    this.appender.appendDataChunk(chunk);
    this.rows = 0;
    // Unflushed rows sit in the Appender's memory, outside DuckDB's memory_limit (see APPENDER_FLUSH_ROWS).
    this.sinceFlush += n;
    if (this.sinceFlush >= APPENDER_FLUSH_ROWS) {
      this.appender.flushSync();
      this.sinceFlush = 0;
    }
  }
}

export interface ProfileWriterOptions {
  /** The classifier version and time every written profile carries. */
  version: string;
  atMicros: bigint;
  /**
   * Open an Appender on `profiles` itself for `addNew` (ingest). Profiles whose request is not
   * stored (orphans: left by an edit outside pnyx, e.g. `DELETE FROM requests` in the DuckDB CLI)
   * are deleted first, so that a new request with such an id gets its own profile, once.
   */
  direct?: boolean;
  /** The caller knows no profile lacks its request (see ProfileObserver): skip the orphan search (~0.5 s CPU per 1M stored requests). */
  noOrphans?: boolean;
}

/**
 * Writes capability profiles in bulk, in the caller's transaction. Ingest appends the profile of
 * a request whose row went straight into `requests` (its id is new) straight into `profiles`
 * (`addNew`); every other profile (`addStaged`: rows of the repeats side table, and
 * re-classification) goes to a temp staging table, settled by `commit`. In `insertNew` mode only
 * staged ids that are stored and have no profile yet are inserted (first staged copy of an id
 * wins); in `replace` mode (re-classification) staged ids replace their old profiles.
 */
export class ProfileWriter {
  private staged!: ProfileChunkAppender;
  private direct: ProfileChunkAppender | undefined;
  private constructor(private readonly db: PnyxDb) {}

  static async open(db: PnyxDb, opts: ProfileWriterOptions): Promise<ProfileWriter> {
    const w = new ProfileWriter(db);
    const at = timestampValue(opts.atMicros);
    await db.run(`CREATE OR REPLACE TEMP TABLE ${STAGING} AS SELECT * FROM profiles LIMIT 0`);
    await db.run(`ALTER TABLE ${STAGING} ADD COLUMN seq BIGINT`);
    w.staged = new ProfileChunkAppender(await db.conn.createAppender(STAGING, 'main', 'temp'), [...PROFILE_TYPES, BIGINT], opts.version, at);
    if (opts.direct) {
      if (!opts.noOrphans) await deleteOrphanProfiles(db);
      w.direct = new ProfileChunkAppender(await db.conn.createAppender('profiles'), PROFILE_TYPES, opts.version, at);
    }
    return w;
  }

  /** The profile of a request this transaction appended to `requests` (its id has no profile: see `direct`). */
  addNew(requestId: string, t: ProfileTuple): void {
    this.direct!.add(requestId, t);
  }

  /** A profile settled at commit (see the class comment). */
  addStaged(requestId: string, t: ProfileTuple): void {
    this.staged.add(requestId, t, BigInt(this.staged.count));
  }

  /** Settles the staged profiles; returns how many rows were written in all (direct ones included). */
  async commit(mode: 'insertNew' | 'replace'): Promise<number> {
    this.direct?.close();
    this.staged.close();
    const db = this.db;
    const direct = this.direct?.count ?? 0;
    const settled = this.staged.count === 0 ? 0 : await this.settleStaged(mode);
    await db.run(`DROP TABLE ${STAGING}`);
    await invalidateReportCache(db);
    return direct + settled;
  }

  private async settleStaged(mode: 'insertNew' | 'replace'): Promise<number> {
    const db = this.db;
    const before = (await db.one<{ n: number }>('SELECT count(*) AS n FROM profiles'))!.n;
    // The first staged copy of each id as (request_id, seq), in a narrow table of its own: one
    // statement with a window over the staged rows ran out of DuckDB memory at ~1 KB per row.
    await db.run(`CREATE OR REPLACE TEMP TABLE ${FIRST} AS SELECT request_id, min(seq) AS seq FROM ${STAGING} GROUP BY request_id`);
    let deleted = 0;
    if (mode === 'replace') {
      await db.run(`DELETE FROM profiles WHERE request_id IN (SELECT request_id FROM ${FIRST})`);
      deleted = before - (await db.one<{ n: number }>('SELECT count(*) AS n FROM profiles'))!.n;
    } else {
      // Only requests that are stored and have no profile yet (direct ones of this run included).
      await db.run(`DELETE FROM ${FIRST} WHERE request_id NOT IN (SELECT request_id FROM requests) OR request_id IN (SELECT request_id FROM profiles)`);
    }
    // The staged rows that are not kept, by seq: the INSERT then joins against that table.
    // Joining the staged rows to the first-copy table itself (a hash table of every staged id)
    // ran out of memory at 1M rows / 100 MB.
    await db.run(`CREATE OR REPLACE TEMP TABLE ${SKIP} AS SELECT seq FROM ${STAGING} ANTI JOIN (SELECT seq FROM ${FIRST}) USING (seq)`);
    await db.run(`INSERT INTO profiles SELECT s.* EXCLUDE (seq) FROM ${STAGING} s ANTI JOIN ${SKIP} USING (seq)`);
    await db.run(`DROP TABLE ${SKIP}`);
    await db.run(`DROP TABLE ${FIRST}`);
    return (await db.one<{ n: number }>('SELECT count(*) AS n FROM profiles'))!.n - before + deleted;
  }

  abort(): void {
    this.direct?.abort();
    this.staged.abort();
  }
}

/** Deletes profiles whose request is not stored; returns how many. */
export async function deleteOrphanProfiles(db: PnyxDb): Promise<number> {
  const orphans = `SELECT request_id FROM profiles ANTI JOIN requests USING (request_id)`;
  const n = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM (${orphans})`))!.n;
  // Only when there are any: the common case reads both id columns once and writes nothing.
  if (n > 0) await db.run(`DELETE FROM profiles WHERE request_id IN (${orphans})`);
  return n;
}
