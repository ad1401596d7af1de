import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { encodedBuffers, rowBuffers, type EncodedRows, type RowBuffers } from '../core/requestRow.js';
import { parseBatch, type ParseJob, type ParseOptions, type ParseResult } from './parseBatch.js';

/**
 * Where batches get parsed: inline on the main thread, or in a pool of worker threads. Either
 * way `submit` returns results that the caller awaits in submission order, so rows are stored
 * in file order and "first copy wins" means the same thing in both modes.
 */
export interface BatchParser {
  readonly workers: number;
  submit(job: ParseJob): Promise<ParseResult>;
  /** Hands back the buffers of a result's rows that the caller is done with (see rowBuffers), to be written into again. */
  recycle(rows: EncodedRows): void;
  close(): Promise<void>;
}

/** Worker count from PNYX_WORKERS, else one per core (at most 8). 0 means inline. */
export function defaultWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.PNYX_WORKERS;
  if (v !== undefined && /^\d+$/.test(v.trim())) return Math.min(Number(v), 64);
  return Math.min(availableParallelism(), 8);
}

/** Old-generation heap of a parse worker (MB). */
const WORKER_HEAP_MB = 192;
/**
 * Young generation of a parse worker (MB; Node's default is 48). A record leaves ~15 KB of
 * short-lived garbage, so the default scavenges every ~3,000 rows. Measured with
 * `/usr/bin/time node bin/pnyx analyze /tmp/req200k.jsonl` (200k rows of the bench log), three
 * alternating rounds: 96 MB took 23.5 / 23.5 / 18.1 s wall and 42.5 / 41.4 / 30.7 s CPU against the
 * default's 25.5 / 25.3 / 23.2 s and 44.8 / 45.4 / 42.0 s, for ~+90 MB peak RSS; 192 MB was no
 * better than 96 (22.9 s, 41.5 s CPU) and cost +250 MB.
 */
const WORKER_YOUNG_MB = 96;

const WORKER_FILE = fileURLToPath(new URL('./parseWorker.js', import.meta.url));

export function inlineParser(opts: ParseOptions): BatchParser {
  let spare: RowBuffers | undefined;
  return {
    workers: 0,
    submit: async (job) => {
      const b = spare;
      spare = undefined;
      return parseBatch(job, opts, b);
    },
    recycle: (rows) => {
      spare = rowBuffers(rows);
    },
    close: async () => undefined,
  };
}

/** A worker pool, or the inline parser when workers is 0 or the compiled worker is absent (tests from source). */
export function createBatchParser(opts: ParseOptions, workers: number): BatchParser {
  if (workers <= 0 || !existsSync(WORKER_FILE)) return inlineParser(opts);
  return new WorkerPool(opts, workers);
}

interface Pending {
  resolve: (r: ParseResult) => void;
  reject: (e: Error) => void;
}

class WorkerPool implements BatchParser {
  private readonly pool: { worker: Worker; inFlight: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private recycled = 0;
  private failure: Error | undefined;

  constructor(opts: ParseOptions, readonly workers: number) {
    for (let i = 0; i < workers; i++) {
      // A small old generation makes the workers collect their garbage early: their live data is
      // a batch or two, and process RSS stays bounded.
      const worker = new Worker(WORKER_FILE, { workerData: opts, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
      const slot = { worker, inFlight: 0 };
      worker.on('message', (msg: { id: number; result?: ParseResult; error?: string }) => {
        slot.inFlight -= 1;
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error !== undefined) p?.reject(new Error(`parse worker failed: ${msg.error}`));
        else p?.resolve(msg.result!);
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`parse worker exited with code ${code}`));
      });
      this.pool.push(slot);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  submit(job: ParseJob): Promise<ParseResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const slot = this.pool.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    slot.inFlight += 1;
    return new Promise<ParseResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if ('bytes' in job) slot.worker.postMessage({ id, job }, [job.bytes.buffer as ArrayBuffer]);
      else slot.worker.postMessage({ id, job });
    });
  }

  recycle(rows: EncodedRows): void {
    if (this.failure) return;
    const b = rowBuffers(rows);
    this.pool[this.recycled++ % this.pool.length]!.worker.postMessage({ recycle: b }, encodedBuffers(b));
  }

  async close(): Promise<void> {
    this.failure ??= new Error('parse pool closed');
    await Promise.all(this.pool.map((s) => s.worker.terminate()));
  }
}
