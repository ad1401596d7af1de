import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import duckdb from '@duckdb/node-bindings';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { PnyxError } from '../core/errors.js';
import { ChunkPump } from './chunkPump.js';
import { MIGRATIONS } from './migrations.js';

export { DEFAULT_DB_PATH } from './defaultPath.js';

export interface OpenOptions {
  /** DuckDB threads (default: all cores). */
  threads?: number;
  /** DuckDB memory_limit, e.g. '1GB' (default: DuckDB's own, 80% of RAM). */
  memoryLimit?: string;
  readOnly?: boolean;
  /** Fail (like a read-only open) instead of creating the file when there is none: for commands that only rework existing data. */
  mustExist?: boolean;
}

export type Row = Record<string, unknown>;

/**
 * The DuckDB storage format of database files pnyx creates: readable by DuckDB 1.2.0 and later
 * (DuckDB's own default is still the 0.10.2 format). It is the oldest format that stores long
 * strings compressed (ZSTD): in the older one a column holding any string over 4 KB (a pasted
 * document in a prompt) is stored uncompressed, with a 256 KB overflow block per ~240 rows
 * however few long strings there are. See ZSTD_COLUMNS.
 */
export const STORAGE_VERSION = 'v1.2.0';

/**
 * Columns of long text stored with ZSTD (migration 9; in files of STORAGE_VERSION or later, and
 * ignored by DuckDB in older files). Measured (docs/PERFORMANCE_LOG.md, "Ninth pass"): 200k bench
 * requests' file 465 -> 89 MB; writing their prompts 1.4-1.7 s CPU against 1.9-2.8 s uncompressed.
 */
export const ZSTD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  requests: ['system_prompt', 'messages', 'raw'],
};

/** Values per string that `eachStringBatch` has DuckDB join. */
const JOINED_VALUES = 2048;
/** Rowids per query of `eachStringBatch` (bounds the memory of DuckDB's aggregate). */
const JOINED_ROWS_PER_QUERY = 1 << 18;

/**
 * The one handle to pnyx's DuckDB file. Every SQL statement of pnyx goes through here or
 * through the other modules of src/db/; parameters are always bound.
 */
export class PnyxDb {
  private constructor(
    readonly path: string,
    readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    /** Opened with access_mode READ_ONLY: no migrations, no writes. */
    readonly readOnly: boolean,
  ) {}

  static async open(path: string, options: OpenOptions = {}): Promise<PnyxDb> {
    const abs = resolve(path);
    const dir = dirname(abs);
    if ((options.readOnly || options.mustExist) && !existsSync(abs)) {
      throw new PnyxError('no_data', `no pnyx database at ${path}: run \`pnyx analyze <logs>\` first`);
    }
    try {
      // The database holds customer prompts: its folder and files are the owner's only.
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const why = /EACCES|EPERM|EROFS/.test(code) ? 'permission denied or read-only location' : code;
      throw new PnyxError('db_io', `cannot create database folder ${dir}: ${why} (use --db to put the database elsewhere)`);
    }
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      throw new PnyxError('db_io', `database path ${path} is a directory`);
    }
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    // New files only (an existing file keeps the format it was created with): see STORAGE_VERSION.
    else config.storage_compatibility_version = STORAGE_VERSION;
    let instance: DuckDBInstance;
    // Files DuckDB creates later (the .wal, spill files) must be owner-only too: the umask is
    // held while the database is open, not just while the file is created.
    holdPrivateUmask();
    try {
      instance = await DuckDBInstance.create(abs, config);
    } catch (err) {
      releasePrivateUmask();
      throw translateDbError(path, err, 'open');
    }
    for (const f of [abs, `${abs}.wal`]) {
      try {
        if (existsSync(f)) chmodSync(f, 0o600);
      } catch {
        /* read-only file systems: permissions are what they are */
      }
    }
    let db: PnyxDb | undefined;
    try {
      const conn = await instance.connect();
      db = new PnyxDb(abs, instance, conn, options.readOnly === true);
      if (!options.readOnly) {
        await db.migrate();
        // Its table function is registered now, outside any transaction: one registered inside
        // a transaction is gone again if that transaction rolls back.
        ChunkPump.of(conn);
      }
      return db;
    } catch (err) {
      if (db) db.close();
      else {
        instance.closeSync();
        releasePrivateUmask();
      }
      throw translateDbError(path, err, 'open');
    }
  }

  async run(sql: string, params: DuckDBValue[] = []): Promise<void> {
    try {
      await this.conn.run(sql, params);
    } catch (err) {
      throw translateDbError(this.path, naming(err, sql));
    }
  }

  /** Runs a query and returns plain JS rows (BIGINT as number where safe). */
  async all<T extends Row = Row>(sql: string, params: DuckDBValue[] = []): Promise<T[]> {
    try {
      const reader = await this.conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJS().map((r) => normalizeRow(r) as T);
    } catch (err) {
      throw translateDbError(this.path, naming(err, sql));
    }
  }

  /**
   * Runs a query and returns its columns by name, one array each: several times faster than
   * `all` for thousands of rows. Values as DuckDB's JS conversion gives them (BIGINT as bigint).
   */
  async columns(sql: string, params: DuckDBValue[] = []): Promise<Record<string, unknown[]>> {
    try {
      return (await this.conn.runAndReadAll(sql, params)).getColumnsObjectJS();
    } catch (err) {
      throw translateDbError(this.path, naming(err, sql));
    }
  }

  /**
   * Streams a query's first column chunk by chunk (2048 rows each), so a column of millions
   * of values is never held whole. Values as DuckDB's node-api gives them (VARCHAR as string).
   */
  async eachFirstColumnChunk(sql: string, params: DuckDBValue[], fn: (values: readonly DuckDBValue[]) => void): Promise<void> {
    try {
      const result = await this.conn.stream(sql, params);
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        fn(chunk.getColumnValues(0));
      }
    } catch (err) {
      throw translateDbError(this.path, naming(err, sql));
    }
  }

  /**
   * Streams a query's first column, of type UBIGINT, chunk by chunk as 32-bit words: value i is
   * words[2i] (low) and words[2i + 1] (high) on a little-endian host. A NULL value reads as
   * whatever its slot holds (callers ask for columns without NULLs). No value becomes a JS
   * BigInt: the chunk's data is read as it is, 8 bytes per value.
   */
  async eachUint64Chunk(sql: string, params: DuckDBValue[], fn: (words: Uint32Array) => void): Promise<void> {
    try {
      const result = await this.conn.stream(sql, params);
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        if (chunk.columnCount < 1 || duckdb.get_type_id(duckdb.vector_get_column_type(duckdb.data_chunk_get_vector(chunk.chunk, 0))) !== duckdb.Type.UBIGINT) {
          throw new Error('eachUint64Chunk: the first column is not a UBIGINT');
        }
        const bytes = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk.chunk, 0), chunk.rowCount * 8);
        fn(new Uint32Array(bytes.buffer, bytes.byteOffset, chunk.rowCount * 2));
      }
    } catch (err) {
      throw translateDbError(this.path, naming(err, sql));
    }
  }

  /**
   * Streams every non-NULL value of a VARCHAR column, in batches and in no particular order.
   * node-api reads each string longer than 12 bytes with a native call of its own, so DuckDB
   * joins 2,048 values into one string with newlines and JavaScript splits it (a value holding
   * a newline is read on its own). 4-5x faster than `eachFirstColumnChunk` for request ids: 1M
   * ids 1.13-1.21 s -> 0.38-0.42 s, 10M 11.9 -> 2.3 s. One query per range of 262,144 rowids
   * keeps DuckDB's aggregate small (+50-80 MB peak RSS against +230 MB for one query at 10M);
   * only ranges that hold rows are read (rows a transaction has not committed yet have rowids
   * from 36,028,797,018,960,000, ~2^55, on).
   */
  async eachStringBatch(table: string, column: string, fn: (values: readonly string[]) => void): Promise<void> {
    const [t, c] = [quoteIdent(table), quoteIdent(column)];
    const size = BigInt(JOINED_ROWS_PER_QUERY);
    const ranges = await this.all<{ r: number | bigint }>(`SELECT DISTINCT rowid // ${size} AS r FROM ${t} ORDER BY r`);
    for (const { r } of ranges) {
      const from = BigInt(r) * size;
      await this.eachFirstColumnChunk(
        `SELECT string_agg(${c}, chr(10)) FROM ${t} WHERE rowid >= $1 AND rowid < $2 AND NOT contains(${c}, chr(10)) GROUP BY rowid // ${JOINED_VALUES}`,
        [from, from + size],
        (joined) => {
          for (const s of joined) fn((s as string).split('\n'));
        },
      );
    }
    await this.eachFirstColumnChunk(`SELECT ${c} FROM ${t} WHERE contains(${c}, chr(10))`, [], (values) => fn(values as string[]));
  }

  async one<T extends Row = Row>(sql: string, params: DuckDBValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /** Runs `fn` in one transaction: all of it lands, or none of it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.run('COMMIT');
      return out;
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      // Errors raised by appenders or streams inside fn reach here untranslated.
      throw translateDbError(this.path, err);
    }
  }

  async migrate(): Promise<string[]> {
    await this.conn.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)',
    );
    const done = new Set((await this.all<{ id: number }>('SELECT id FROM schema_migrations')).map((r) => r.id));
    const applied: string[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      await this.transaction(async () => {
        await this.conn.run(m.sql);
        await this.conn.run('INSERT INTO schema_migrations VALUES ($1, $2, now()::TIMESTAMP)', [m.id, m.name]);
      });
      applied.push(m.name);
    }
    return applied;
  }

  /**
   * Rewrites the database into a fresh file and puts it in place of the old one, then closes
   * this handle. DuckDB reuses freed blocks but does not erase them, so after a purge the
   * deleted text would still be readable in the file; a copy holds only live rows.
   * A crash midway leaves the original untouched (the copy is renamed over it at the end).
   */
  async rewriteAndClose(): Promise<void> {
    const fresh = `${this.path}.compact`;
    rmSync(fresh, { force: true });
    rmSync(`${fresh}.wal`, { force: true });
    const name = quoteIdent((await this.one<{ d: string }>('SELECT current_database() AS d'))!.d);
    await this.run('CHECKPOINT');
    await this.run(`ATTACH '${fresh.replace(/'/g, "''")}' AS pnyx_compact`);
    // COPY FROM DATABASE recreates tables without their columns' compression: the ZSTD_COLUMNS
    // tables are created again with it before the data is copied.
    await this.run(`COPY FROM DATABASE ${name} TO pnyx_compact (SCHEMA)`);
    for (const table of Object.keys(ZSTD_COLUMNS)) {
      const ddl = await this.tableSqlWithZstd(table, 'pnyx_compact');
      if (!ddl) continue;
      await this.run(`DROP TABLE pnyx_compact.${quoteIdent(table)}`);
      await this.run(ddl);
    }
    await this.run(`COPY FROM DATABASE ${name} TO pnyx_compact (DATA)`);
    await this.run('DETACH pnyx_compact');
    this.close();
    chmodSync(fresh, 0o600);
    renameSync(fresh, this.path);
  }

  /**
   * `CREATE TABLE <into>.<table>` with the live table's columns in order (types, NOT NULL,
   * defaults) and ZSTD on its ZSTD_COLUMNS; undefined when the table does not exist.
   */
  private async tableSqlWithZstd(table: string, into: string): Promise<string | undefined> {
    const cols = await this.all<{ name: string; type: string; nullable: boolean; def: string | null }>(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable, column_default AS def
         FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1
        ORDER BY column_index`,
      [table],
    );
    if (cols.length === 0) return undefined;
    const zstd = new Set(ZSTD_COLUMNS[table] ?? []);
    const defs = cols.map(
      (c) =>
        `${quoteIdent(c.name)} ${c.type}${zstd.has(c.name) ? ' USING COMPRESSION zstd' : ''}${c.nullable ? '' : ' NOT NULL'}${c.def === null ? '' : ` DEFAULT ${c.def}`}`,
    );
    return `CREATE TABLE ${into}.${quoteIdent(table)} (${defs.join(', ')})`;
  }

  private closed = false;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.conn.closeSync();
    } finally {
      try {
        this.instance.closeSync();
      } finally {
        releasePrivateUmask();
      }
    }
  }
}

let umaskHolders = 0;
let savedUmask = 0;

function holdPrivateUmask(): void {
  if (umaskHolders++ === 0) savedUmask = process.umask(0o077);
}

function releasePrivateUmask(): void {
  if (umaskHolders > 0 && --umaskHolders === 0) process.umask(savedUmask);
}

/**
 * Adds the failing statement to a DuckDB error's stack (shown with --debug only): DuckDB's
 * errors carry no JavaScript frames that say which statement failed. Statements hold no log
 * data (values are bound parameters).
 */
function naming(err: unknown, sql: string): unknown {
  if (err instanceof Error) err.stack = `${err.stack ?? err.message}\n    in statement: ${sql.replace(/\s+/g, ' ').trim().slice(0, 300)}`;
  return err;
}

function normalizeRow(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) {
    out[k] = typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  }
  return out;
}

/**
 * The one place DuckDB's errors become user-facing PnyxErrors. Storage conditions a user can
 * cause or fix (lock, corrupt file, permissions, disk full) get a code and one clear line; any
 * other error is returned unchanged, because it is a bug and the CLI reports it as one.
 * `during` says whether the database was being opened (an unreadable file is then "corrupt",
 * not a failed read).
 */
export function translateDbError(path: string, err: unknown, during: 'open' | 'use' = 'use'): unknown {
  if (err instanceof PnyxError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const first = msg.split('\n')[0] ?? '';
  if (/No space left on device|ENOSPC|disk is full|not enough space/i.test(msg)) {
    return new PnyxError(
      'db_io',
      `disk full while writing database ${path}: the work in progress was rolled back and earlier data is intact; free some space and run again`,
      { cause: err },
    );
  }
  if (/Out of Memory Error|could not allocate block|failed to pin block|failed to allocate data/i.test(msg)) {
    return new PnyxError(
      'db_io',
      `DuckDB reached its memory limit while working on database ${path}: the work in progress was rolled back and earlier data is intact; run again with a larger --memory-limit (default 1GB)`,
      { cause: err },
    );
  }
  if (/Could not set lock|Conflicting lock|lock on file/i.test(msg)) {
    return new PnyxError('db_locked', `database ${path} is in use by another process (another pnyx running?); try again when it finishes`, { cause: err });
  }
  if (/Permission denied|EACCES|EPERM|Read-only file system|EROFS|read-only mode|Cannot open file .* for writing/i.test(msg)) {
    return new PnyxError('db_io', `cannot write database ${path}: permission denied or read-only location (use --db to put it elsewhere)`, { cause: err });
  }
  if (
    /not a valid DuckDB database|Serialization Error|checksum|corrupt|Could not read enough bytes|Failure while replaying WAL|database file .* is not|unknown storage version|invalid header/i.test(msg) ||
    (during === 'open' && /Invalid Input Error|Internal Error/i.test(msg))
  ) {
    return new PnyxError(
      'db_corrupt',
      `database ${path} is not a readable pnyx/DuckDB database (corrupted, truncated or another kind of file); it was left untouched: move it aside or pass --db`,
      { cause: err },
    );
  }
  if (/IO Error|Could not (read|write|open)|No such file/i.test(msg) || during === 'open') {
    return new PnyxError('db_io', `database ${path}: ${first}`, { cause: err });
  }
  return err;
}

/** A SQL identifier, double-quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
