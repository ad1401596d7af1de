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
  const reader = kind === 'csv' ? 'read_csv($1, header = true, all_varchar = true)' : 'read_parquet($1)';
  const conn = await db.instance.connect();
  try {
    let result;
    try {
      result = await conn.stream(`SELECT to_json(t)::VARCHAR AS j FROM ${reader} AS t`, [path]);
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
      const col = chunk.getColumnVector(0);
      rows += chunk.rowCount;
      for (let i = 0; i < chunk.rowCount; i++) yield col.getItem(i) as string;
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
