import { type DuckDBAppender } from '@duckdb/node-api';
import type { ProfileTuple } from '../core/classifier/profileTuple.js';
import { ChunkAppender } from './chunkAppender.js';
import { ChunkPump } from './chunkPump.js';
import type { PnyxDb } from './database.js';
import { profilesMatchRequests } from './profiles.js';
import { invalidateReportCache } from './reportCache.js';

const STAGING = 'profile_staging';
const FIRST = 'profile_first';
const SKIP = 'profile_skip';

/** Where `classified_at` sits among the columns of `profiles` (migration 8); the staging table adds `seq` after it. */
const CLASSIFIED_AT = 16;

/**
 * Appends profile rows to one table (`profiles` or its staging table) as DataChunks filled in
 * place (see ChunkAppender): per row this is cheaper than a row Appender (measured at 200k rows:
 * ~5.5 µs with node-api's DataChunk vectors against ~8.4 µs with `signals` as JSON text plus
 * ~1.4 µs to cast it at commit, and ~26 µs with one `appendList` per row), and than node-api's
 * DataChunk vectors, which keep every value in JS arrays and convert them again at flush.
 */
class ProfileChunkAppender {
  private readonly out: ChunkAppender;

  constructor(
    out: ChunkAppender,
    version: string,
    atMicros: bigint,
  ) {
    this.out = out;
    this.out.constantString(1, version);
    this.out.constantInt64(CLASSIFIED_AT, Number(atMicros));
  }

  /** Rows appended in all. */
  get count(): number {
    return this.out.count;
  }

  /** `seq`: the staging table's column after the profile's. */
  add(requestId: string, t: ProfileTuple, seq?: number): void {
    const o = this.out;
    o.string(0, requestId);
    o.sharedString(2, t[0]);
    o.sharedString(3, t[1]);
    o.double(4, t[2]);
    o.sharedString(5, t[3]);
    o.boolean(6, t[4]);
    o.double(7, t[5]);
    o.double(8, t[6]);
    o.double(9, t[7]);
    o.int64(10, t[8]);
    o.boolean(11, t[9]);
    o.boolean(12, t[10]);
    o.sharedString(13, t[11]);
    o.double(14, t[12]);
    o.stringList(15, t[13]);
    if (seq !== undefined) o.int64(CLASSIFIED_AT + 1, seq);
    o.endRow();
  }

  close(): void {
    this.out.close();
  }

  abort(): void {
    this.out.abort();
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
  /** Write through the connection's ChunkPump (the caller awaits its `room` between batches) instead of Appenders. */
  pump?: boolean;
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
  private pump: ChunkPump | undefined;
  private constructor(private readonly db: PnyxDb) {}

  static async open(db: PnyxDb, opts: ProfileWriterOptions): Promise<ProfileWriter> {
    const w = new ProfileWriter(db);
    await db.run(`CREATE OR REPLACE TEMP TABLE ${STAGING} AS SELECT * FROM profiles LIMIT 0`);
    await db.run(`ALTER TABLE ${STAGING} ADD COLUMN seq BIGINT`);
    const pump = opts.pump ? await ChunkPump.claim(db.conn) : undefined;
    w.pump = pump;
    const chunks = (table: string, appender: DuckDBAppender) => ChunkAppender.forTable(appender, pump && { pump, table });
    w.staged = new ProfileChunkAppender(chunks(STAGING, await db.conn.createAppender(STAGING, 'main', 'temp')), opts.version, opts.atMicros);
    if (opts.direct) {
      if (!opts.noOrphans) await deleteOrphanProfiles(db);
      w.direct = new ProfileChunkAppender(chunks('profiles', await db.conn.createAppender('profiles')), opts.version, opts.atMicros);
    }
    return w;
  }

  /** The profile of a request this transaction appended to `requests` (its id has no profile: see `direct`). */
  addNew(requestId: string, t: ProfileTuple): void {
    this.direct!.add(requestId, t);
  }

  /** A profile settled at commit (see the class comment). */
  addStaged(requestId: string, t: ProfileTuple): void {
    this.staged.add(requestId, t, this.staged.count);
  }

  /** Settles the staged profiles; returns how many rows were written in all (direct ones included). */
  async commit(mode: 'insertNew' | 'replace'): Promise<number> {
    this.direct?.close();
    this.staged.close();
    await this.pump?.drain();
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
      // Each subquery is cut down to the staged ids first: DuckDB then hashes those few, not all
      // of requests and profiles (1M stored requests, 1,038 staged ids: 110-350 ms -> 21-28 ms).
      await db.run(
        `DELETE FROM ${FIRST} WHERE request_id NOT IN (SELECT r.request_id FROM requests r SEMI JOIN ${FIRST} f USING (request_id))
           OR request_id IN (SELECT p.request_id FROM profiles p SEMI JOIN ${FIRST} f USING (request_id))`,
      );
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
  // The common case: one profile per stored request, found without a join.
  if (await profilesMatchRequests(db)) return 0;
  const orphans = `SELECT request_id FROM profiles ANTI JOIN requests USING (request_id)`;
  const n = (await db.one<{ n: number }>(`SELECT count(*) AS n FROM (${orphans})`))!.n;
  // Only when there are any: otherwise the join is read once and nothing is written.
  if (n > 0) await db.run(`DELETE FROM profiles WHERE request_id IN (${orphans})`);
  return n;
}
