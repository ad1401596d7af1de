/**
 * Reads a Parquet file's rows as JSONL blocks on a thread of its own, with a DuckDB instance of
 * its own (see readers.ts, streamJsonlBlocks): DuckDB makes a streamed result's chunks as they
 * are fetched, so the fetch loop runs here, ahead of the main thread, as far as the credits it is
 * given allow. The message 'stop' ends it early (the reader's consumer stopped).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DuckDBInstance } from '@duckdb/node-api';
import { PnyxError } from '../core/errors.js';
import { jsonlBlocks, parquetReaderConfig, type ParquetStreamOptions, type ParquetWorkerMessage } from './readers.js';

const opts = workerData as ParquetStreamOptions;
let credits = opts.ahead;
let stopped = false;
let wake: (() => void) | undefined;
parentPort!.on('message', (m: number | 'stop') => {
  if (m === 'stop') stopped = true;
  else credits += m;
  wake?.();
  wake = undefined;
});

function post(msg: ParquetWorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(msg, transfer);
}

async function run(): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', parquetReaderConfig(opts));
  const conn = await instance.connect();
  try {
    for await (const block of jsonlBlocks(conn, opts.path, opts.blockBytes)) {
      while (credits <= 0 && !stopped) await new Promise<void>((r) => (wake = r));
      if (stopped) return;
      credits -= 1;
      post({ block }, [block.buffer as ArrayBuffer]);
    }
    post({ done: true });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

try {
  await run();
} catch (err) {
  // A PnyxError keeps its code (bad input stays bad input); anything else is a bug, with its stack.
  if (err instanceof PnyxError) post({ error: err.message, code: err.code });
  else post({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
parentPort!.close();
