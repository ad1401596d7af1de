/** A parse worker: runs parseBatch on the batches the main thread sends (see parsePool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { encodedBuffers, rowBuffers, type RowBuffers } from '../core/requestRow.js';
import { parseBatch, type ParseJob, type ParseOptions } from './parseBatch.js';

const opts = workerData as ParseOptions;
/** Buffers of spent batches the main thread handed back, written into again. */
const spares: RowBuffers[] = [];
const MAX_SPARES = 3;
parentPort!.on('message', (msg: { id: number; job: ParseJob } | { recycle: RowBuffers }) => {
  if ('recycle' in msg) {
    if (spares.length < MAX_SPARES) spares.push(msg.recycle);
    return;
  }
  try {
    const result = parseBatch(msg.job, opts, spares.pop());
    // The rows' buffers move to the main thread without a copy (their text stays UTF-8 bytes).
    parentPort!.postMessage({ id: msg.id, result }, encodedBuffers(rowBuffers(result.rows)));
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
