import type { DuckDBBlobVector, DuckDBDataChunk } from '@duckdb/node-api';
import { PnyxError } from '../core/errors.js';
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
  for await (const chunk of jsonChunks(db, kind, path, 'to_json(t)::VARCHAR')) {
    const col = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) yield col.getItem(i) as string;
  }
}

/**
 * Parquet rows as JSONL bytes, in blocks that end with the row reaching `blockBytes` (the last
 * one smaller): each row's `to_json` on a line of its own. JSON escapes every line break inside a
 * value, so line n of the blocks is row n, and the blocks go to the parse workers as JSONL blocks
 * do: the rows never become strings on this thread (`getItemBytes` hands over DuckDB's UTF-8 as
 * it is).
 * Each block is a fresh buffer, so it can be transferred.
 */
export async function* streamJsonlBlocks(db: PnyxDb, path: string, blockBytes: number): AsyncGenerator<Uint8Array> {
  let block = new Uint8Array(blockBytes + (blockBytes >> 2));
  let size = 0;
  for await (const chunk of jsonChunks(db, 'parquet', path, 'encode(to_json(t)::VARCHAR)')) {
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
 * The chunks of `SELECT <expr> AS j FROM <reader> AS t`, streamed on a connection of its own
 * (see streamJsonRows). For Parquet, the rows read are checked against the file's row count.
 */
async function* jsonChunks(db: PnyxDb, kind: 'csv' | 'parquet', path: string, expr: string): AsyncGenerator<DuckDBDataChunk> {
  const reader = kind === 'csv' ? 'read_csv($1, header = true, all_varchar = true)' : 'read_parquet($1)';
  const conn = await db.instance.connect();
  try {
    let result;
    try {
      result = await conn.stream(`SELECT ${expr} AS j FROM ${reader} AS t`, [path]);
    } catch (err) {
      throw new PnyxError('input', `${path}: cannot read as ${kind}: ${firstLine(err)}`, { cause: err });
    }
    let rows = 0;
    for (;;) {
      let chunk;
      try {
        chunk = await result.fetchChunk();
      } catch (err) {
        throw new PnyxError('input', `${path}: cannot read as ${kind}: ${firstLine(err)}`, { cause: err });
      }
      if (!chunk || chunk.rowCount === 0) break;
      rows += chunk.rowCount;
      yield chunk;
    }
    if (kind === 'parquet') {
      const expected = Number((await conn.runAndReadAll('SELECT count(*) FROM read_parquet($1)', [path])).getRows()[0]![0]);
      if (rows !== expected) throw new PnyxError('input', `${path}: read ${rows} of its ${expected} Parquet rows; nothing from this file was stored`);
    }
  } finally {
    conn.closeSync();
  }
}

/**
 * DuckDB's reader errors as one line: the headline plus the first line that says why
 * (e.g. "Invalid unicode ... detected"). Never the "Original Line: ..." DuckDB quotes, which is
 * log content.
 */
function firstLine(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err)).split('\n');
  const head = lines[0] ?? '';
  const why = lines.slice(1).find((l) => l.trim() !== '' && !/^(Original Line|Possible Solution|\s)/.test(l));
  return why ? `${head}: ${why}` : head;
}
