import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { PnyxError } from '../core/errors.js';
import { MIGRATIONS } from './migrations.js';

/** Default database location, relative to the working directory. */
export const DEFAULT_DB_PATH = '.pnyx/pnyx.duckdb';

export interface OpenOptions {
  /** DuckDB threads (default: all cores). */
  threads?: number;
  /** DuckDB memory_limit, e.g. '1GB' (default: DuckDB's own, 80% of RAM). */
  memoryLimit?: string;
  readOnly?: boolean;
}

export type Row = Record<string, unknown>;

/**
 * The one handle to pnyx's DuckDB file. Every SQL statement of pnyx goes through here or
 * through the other modules of src/db/; parameters are always bound.
 */
export class PnyxDb {
  private constructor(
    readonly path: string,
    readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  static async open(path: string, options: OpenOptions = {}): Promise<PnyxDb> {
    const abs = resolve(path);
    const dir = dirname(abs);
    if (options.readOnly && !existsSync(abs)) {
      throw new PnyxError('no_data', `no pnyx database at ${path}: run \`pnyx analyze <logs>\` first`);
    }
    try {
      // The database holds customer prompts: its folder and files are the owner's only.
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new PnyxError('db_io', `cannot create database folder ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      throw new PnyxError('db_io', `database path ${path} is a directory`);
    }
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    let instance: DuckDBInstance;
    const oldMask = process.umask(0o077);
    try {
      instance = await DuckDBInstance.create(abs, config);
    } catch (err) {
      throw translateOpenError(path, err);
    } finally {
      process.umask(oldMask);
    }
    try {
      chmodSync(abs, 0o600);
    } catch {
      /* read-only file systems: permissions are what they are */
    }
    const conn = await instance.connect();
    const db = new PnyxDb(abs, instance, conn);
    if (!options.readOnly) await db.migrate();
    return db;
  }

  async run(sql: string, params: DuckDBValue[] = []): Promise<void> {
    await this.conn.run(sql, params);
  }

  /** Runs a query and returns plain JS rows (BIGINT as number where safe). */
  async all<T extends Row = Row>(sql: string, params: DuckDBValue[] = []): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJS().map((r) => normalizeRow(r) as T);
  }

  async one<T extends Row = Row>(sql: string, params: DuckDBValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /** Runs `fn` in one transaction: all of it lands, or none of it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.conn.run('COMMIT');
      return out;
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
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

  close(): void {
    try {
      this.conn.closeSync();
    } finally {
      this.instance.closeSync();
    }
  }
}

function normalizeRow(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) {
    out[k] = typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  }
  return out;
}

export function translateOpenError(path: string, err: unknown): PnyxError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/lock/i.test(msg)) {
    return new PnyxError('db_locked', `database ${path} is in use by another process (another pnyx running?); try again when it finishes`, { cause: err });
  }
  if (/not a valid DuckDB database|invalid|corrupt|checksum|Serialization/i.test(msg)) {
    return new PnyxError('db_corrupt', `database ${path} is not a readable pnyx/DuckDB database (corrupted or another file); move it aside or pass --db`, { cause: err });
  }
  if (/permission|read-only|EACCES|EROFS/i.test(msg)) {
    return new PnyxError('db_io', `cannot open database ${path}: permission denied or read-only location`, { cause: err });
  }
  return new PnyxError('db_io', `cannot open database ${path}: ${msg.split('\n')[0]}`, { cause: err });
}
