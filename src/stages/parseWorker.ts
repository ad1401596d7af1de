/** A parse worker: runs parseBatch on the batches the main thread sends (see parsePool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { encodedBuffers } from '../core/requestRow.js';
import { parseBatch, type ParseJob, type ParseOptions } from './parseBatch.js';

const opts = workerData as ParseOptions;
parentPort!.on('message', (msg: { id: number; job: ParseJob }) => {
  try {
    const result = parseBatch(msg.job, opts);
    // The rows' buffers move to the main thread without a copy (their text stays UTF-8 bytes).
    parentPort!.postMessage({ id: msg.id, result }, encodedBuffers(result.rows));
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
