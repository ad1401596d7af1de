/** A parse worker: runs parseBatch on the batches the main thread sends (see parsePool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { parseBatch, type ParseJob, type ParseOptions } from './parseBatch.js';

const opts = workerData as ParseOptions;
parentPort!.on('message', (msg: { id: number; job: ParseJob }) => {
  try {
    parentPort!.postMessage({ id: msg.id, result: parseBatch(msg.job, opts) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
