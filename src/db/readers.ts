import type { DuckDBConnection } from '@duckdb/node-api';
import { PnyxError } from '../core/errors.js';
import type { PnyxDb } from './database.js';

/**
 * Streams CSV or Parquet rows out of DuckDB's own readers as JSON text, one row at a time,
 * so every input format reaches the same record adapters. CSV is read all-VARCHAR: the
 * adapters coerce numbers and parse JSON-valued cells.
 */
export async function* streamJsonRows(db: PnyxDb, kind: 'csv' | 'parquet', path: string): AsyncGenerator<string> {
  const reader = kind === 'csv' ? 'read_csv($1, header = true, all_varchar = true)' : 'read_parquet($1)';
  // A connection of its own: the ingest Appenders flush on the main connection while this result
  // is still streaming, and a statement run on a connection ends the result streaming on it
  // (the rest of the file would silently go missing).
  const conn = await db.instance.connect();
  try {
    yield* streamRows(conn, reader, kind, path);
  } finally {
    conn.closeSync();
  }
}

async function* streamRows(conn: DuckDBConnection, reader: string, kind: 'csv' | 'parquet', path: string): AsyncGenerator<string> {
  let result;
  try {
    result = await conn.stream(`SELECT to_json(t)::VARCHAR AS j FROM ${reader} AS t`, [path]);
  } catch (err) {
    throw new PnyxError('input', `${path}: cannot read as ${kind}: ${firstLine(err)}`, { cause: err });
  }
  for (;;) {
    let chunk;
    try {
      chunk = await result.fetchChunk();
    } catch (err) {
      throw new PnyxError('input', `${path}: cannot read as ${kind}: ${firstLine(err)}`, { cause: err });
    }
    if (!chunk || chunk.rowCount === 0) break;
    const col = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) yield col.getItem(i) as string;
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
