import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DuckDBBlobVector, DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { PnyxError, type PnyxErrorCode } from '../core/errors.js';
import type { PnyxDb } from './database.js';

/**
 * Streams CSV or Parquet rows out of DuckDB's own readers as JSON text, one row at a time,
 * so every input format reaches the same record adapters. CSV is read all-VARCHAR: the
 * adapters coerce numbers and parse JSON-valued cells.
 *
 * The stream runs on its own connection: any statement on a connection ends the result it is
 * streaming — including the requests appender's automatic flush every ~200k rows on the main
 * connection, which silently cut a 1M-row Parquet ingest at 213,344 rows. For Parquet the rows
 * read are checked against the file's own row count, so a short read is an error, never a loss.
 */
export async function* streamJsonRows(db: PnyxDb, kind: 'csv' | 'parquet', path: string): AsyncGenerator<string> {
  yield* onOwnConnection(db, async function* (conn) {
    for await (const chunk of jsonChunks(conn, kind, path, 'to_json(t)::VARCHAR')) {
      const col = chunk.getColumnVector(0);
      for (let i = 0; i < chunk.rowCount; i++) yield col.getItem(i) as string;
    }
  });
}

/** What `read` yields, read on a new connection of `db`, closed when the reader stops. */
async function* onOwnConnection<T>(db: PnyxDb, read: (conn: DuckDBConnection) => AsyncGenerator<T>): AsyncGenerator<T> {
  const conn = await db.instance.connect();
  try {
    yield* read(conn);
  } finally {
    conn.closeSync();
  }
}

/**
 * Parquet rows as JSONL bytes, in blocks that end with the row reaching `blockBytes` (the last
 * one smaller): each row's `to_json` on a line of its own. JSON escapes every line break inside a
 * value, so line n of the blocks is row n, and the blocks go to the parse workers as JSONL blocks
 * do. Each block is a fresh buffer, so it can be transferred.
 *
 * The rows are read by a DuckDB instance of their own on a worker thread (parquetWorker.ts),
 * which fetches ahead of this thread by at most PARQUET_BLOCKS_AHEAD blocks: DuckDB makes a
 * streamed result's chunks only as they are fetched, and on this thread the next fetch started
 * only once the block before had been handed on, between appends (faster on its own thread:
 * docs/PERFORMANCE_LOG.md, "Eleventh pass"). Starting that thread costs ~0.3 s (loading node-api
 * into it is most of it), so files under PARQUET_THREAD_MIN_BYTES are read here, on a
 * connection of `db`, and so is every file without the compiled worker (tests run from source).
 */
export async function* streamJsonlBlocks(db: PnyxDb, path: string, blockBytes: number, fileBytes: number): AsyncGenerator<Uint8Array> {
  if (!readsOnOwnThread(fileBytes)) {
    yield* onOwnConnection(db, (conn) => jsonlBlocks(conn, path, blockBytes));
    return;
  }
  // The reader's instance may need what the database's would have needed to read the file.
  const memoryLimit = (await db.one<{ v: string }>(`SELECT current_setting('memory_limit') AS v`))!.v;
  const options: ParquetStreamOptions = { path, blockBytes, threads: PARQUET_THREADS, memoryLimit, ahead: PARQUET_BLOCKS_AHEAD };
  const worker = new Worker(PARQUET_WORKER, { workerData: options });
  const queue: ParquetWorkerMessage[] = [];
  let failure: Error | undefined;
  let exited = false;
  let notify: (() => void) | undefined;
  const wake = (): void => {
    notify?.();
    notify = undefined;
  };
  worker.on('message', (m: ParquetWorkerMessage) => {
    queue.push(m);
    wake();
  });
  worker.on('error', (err) => {
    failure = err;
    wake();
  });
  worker.on('exit', () => {
    exited = true;
    wake();
  });
  try {
    for (;;) {
      while (queue.length === 0 && failure === undefined && !exited) await new Promise<void>((r) => (notify = r));
      const m = queue.shift();
      if (m === undefined) throw new Error(`Parquet reader of ${path} stopped: ${failure?.message ?? 'it exited'}`, { cause: failure });
      if ('block' in m) {
        worker.postMessage(1);
        yield m.block;
      } else if ('done' in m) {
        return;
      } else {
        throw m.code ? new PnyxError(m.code, m.error) : new Error(`Parquet reader of ${path}: ${m.error}`);
      }
    }
  } finally {
    // Stopped early (or failed): the worker closes its DuckDB instance itself, then exits.
    if (!exited) {
      const gone = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.postMessage('stop');
      await gone;
    }
  }
}

/** What parquetWorker.ts is given. */
export interface ParquetStreamOptions {
  path: string;
  blockBytes: number;
  /** DuckDB threads of the reader's instance. */
  threads: number;
  /** DuckDB memory_limit of the reader's instance: the database's own. */
  memoryLimit: string;
  /** Blocks it may send before this thread has taken them. */
  ahead: number;
}

/** What parquetWorker.ts sends: a block of JSONL, the end, or why it stopped. */
export type ParquetWorkerMessage = { block: Uint8Array } | { done: true } | { error: string; code?: PnyxErrorCode };

const PARQUET_WORKER = fileURLToPath(new URL('./parquetWorker.js', import.meta.url));
/**
 * Parquet files this large or larger are read on a thread of their own. It saved ~2.8 s on a
 * 193 MB file (~0.5 s per 32 MB) and costs ~0.3 s to start: per file, 280 ms against 22 ms
 * read here for a 50-row file.
 */
export const PARQUET_THREAD_MIN_BYTES = 32 << 20;

/** Whether streamJsonlBlocks reads a Parquet file of this size on a thread of its own. */
export function readsOnOwnThread(fileBytes: number): boolean {
  return fileBytes >= PARQUET_THREAD_MIN_BYTES && existsSync(PARQUET_WORKER);
}

/** Blocks the Parquet reader may have sent and this thread not yet taken (~2 MB each). */
const PARQUET_BLOCKS_AHEAD = 8;
/**
 * DuckDB threads of the Parquet reader's instance: one per two cores. On 2 cores one thread
 * reads 300k rows of the bench log in ~8.6 s (~29 s per 1M), faster than the parse workers take
 * them (a 1M-row analyze takes 60-70 s); more threads read more row groups at once, each with
 * its own buffers (2 threads: +275 MB peak RSS in a 1M-row analyze).
 */
const PARQUET_THREADS = Math.max(1, Math.floor(availableParallelism() / 2));

/**
 * The Parquet reader's instance hands freed memory back to the kernel after any single release
 * of 128 MB or more (DuckDB's `allocator_bulk_deallocation_flush_threshold`, 512 MB by default).
 * Each ~123k-row group of the bench log is ~80 MB compressed and ~200 MB decoded, and with the
 * 10 s decay pnyx sets for DuckDB's jemalloc (src/allocator.ts) the freed row groups stayed
 * resident: the reader alone peaked at 1,067–1,134 MiB, a 1M-row Parquet analyze at 2,024–2,163 MiB.
 * With 128 MB: 1,785–1,886 MiB (under 2 GB), wall 46.09 / 45.72 / 46.15 s against 49.89 / 44.08 / 48.03 s
 * (alternating; 64 MB: 1,728–1,781 MiB but 2–4% slower, the next row group's pages faulted in
 * afresh). docs/PERFORMANCE_LOG.md, "Seventeenth pass".
 */
export const PARQUET_READER_FLUSH_THRESHOLD = '128MB';

/** DuckDB configuration of the Parquet reader's in-memory instance. */
export function parquetReaderConfig(opts: Pick<ParquetStreamOptions, 'threads' | 'memoryLimit'>): Record<string, string> {
  return {
    threads: String(opts.threads),
    memory_limit: opts.memoryLimit,
    // No temp_directory: an in-memory instance would spill into ./.tmp, and a streamed scan
    // holds only the row groups in flight.
    temp_directory: '',
    allocator_bulk_deallocation_flush_threshold: PARQUET_READER_FLUSH_THRESHOLD,
  };
}

/** The JSONL blocks of streamJsonlBlocks, read on `conn` (which must do nothing else meanwhile). */
export async function* jsonlBlocks(conn: DuckDBConnection, path: string, blockBytes: number): AsyncGenerator<Uint8Array> {
  let block = new Uint8Array(blockBytes + (blockBytes >> 2));
  let size = 0;
  for await (const chunk of jsonChunks(conn, 'parquet', path, 'encode(to_json(t)::VARCHAR)')) {
    const col = chunk.getColumnVector(0) as DuckDBBlobVector;
    for (let i = 0; i < chunk.rowCount; i++) {
      const row = col.getItemBytes(i) ?? NULL_JSON;
      if (size + row.length + 1 > block.length) {
        const bigger = new Uint8Array(Math.max(block.length * 2, size + row.length + 1));
        bigger.set(block.subarray(0, size));
        block = bigger;
      }
      block.set(row, size);
      block[size + row.length] = 0x0a;
      size += row.length + 1;
      // Per row, not per chunk: a chunk of 2,048 chat rows is ~4.5 MB, more than a block.
      if (size >= blockBytes) {
        yield block.subarray(0, size);
        block = new Uint8Array(blockBytes + (blockBytes >> 2));
        size = 0;
      }
    }
  }
  if (size > 0) yield block.subarray(0, size);
}

/** `null` as JSON (to_json of a row is never NULL; kept so a row can never vanish). */
const NULL_JSON = new TextEncoder().encode('null');

/**
 * The chunks of `SELECT <expr> AS j FROM <reader> AS t`, streamed on `conn`, which must be a
 * connection of its own (see streamJsonRows). For Parquet, the rows read are checked against the
 * file's row count.
 */
async function* jsonChunks(conn: DuckDBConnection, kind: 'csv' | 'parquet', path: string, expr: string): AsyncGenerator<DuckDBDataChunk> {
  const reader = kind === 'csv' ? 'read_csv($1, header = true, all_varchar = true)' : 'read_parquet($1)';
  // DuckDB reports a file it cannot read when the query starts or at any later fetch.
  const unreadable = (err: unknown) => new PnyxError('input', `${path}: cannot read as ${kind}: ${firstLine(err)}`, { cause: err });
  let result;
  try {
    result = await conn.stream(`SELECT ${expr} AS j FROM ${reader} AS t`, [path]);
  } catch (err) {
    throw unreadable(err);
  }
  let rows = 0;
  for (;;) {
    let chunk;
    try {
      chunk = await result.fetchChunk();
    } catch (err) {
      throw unreadable(err);
    }
    if (!chunk || chunk.rowCount === 0) break;
    rows += chunk.rowCount;
    yield chunk;
  }
  if (kind === 'parquet') {
    const expected = Number((await conn.runAndReadAll('SELECT count(*) FROM read_parquet($1)', [path])).getRows()[0]![0]);
    if (rows !== expected) throw new PnyxError('input', `${path}: read ${rows} of its ${expected} Parquet rows; nothing from this file was stored`);
  }
}

/**
 * DuckDB's reader errors as one line: the headline plus the first line that says why
 * (e.g. "Invalid unicode ... detected"). Never the "Original Line: ..." DuckDB quotes, which is
 * log content, nor the "LINE 1: SELECT ..." of pnyx's own query.
 */
function firstLine(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n');
  const head = lines[0] ?? '';
  const why = lines.slice(1).find((l) => l.trim() !== '' && !/^(Original Line|Possible Solution|LINE \d+:|\s)/.test(l));
  return why ? `${head}: ${why}` : head;
}
