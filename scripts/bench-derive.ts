/**
 * The classifier in its real context: what `derive: ['profile']` adds to a parse worker's batch.
 * Runs `parseBatch` (a build's stages/parseBatch.js) over the first n lines of a request log, cut
 * into 2 MiB batches as the JSONL reader cuts them, without and with the profile deriver, and
 * prints CPU µs per row of each, their difference (the classifier as the workers pay for it: the
 * parse work between two prompts evicts the weight rows and tokenizer tables from the cache, so it
 * costs more than in bench-classifier's tight loop), and the load average.
 *
 *   npm run build && npx tsx scripts/bench-derive.ts [n=40000] [--log F] [--rounds 10] [--compare DIR] [--engines]
 *
 * --engines: this build twice, once per classifier engine (the JavaScript one in a worker with
 * PNYX_NATIVE=0, the native one as built), measured the same alternating way.
 * DIR is another build (a checkout's `dist`, in a package with "type": "module"). Each build runs
 * in its own worker thread (its own V8 isolate, so neither build's JIT feedback touches the
 * other's). A measure is one batch (~2 MiB, ~950 rows of the bench log) in one mode by one build,
 * one thread busy at a time; each round measures every batch in every mode by every build, after
 * one unmeasured warm-up round. Per build and mode, the best measure of each batch counts and
 * these are summed: a busy machine only ever makes a measure slower, and short measures often
 * find the machine quiet where a whole 40k-row pass rarely does (the minimum of whole passes
 * still swung by ±10% under a load of 4-6 on 2 cores).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { DEFAULT_MAPPING as Mapping } from '../src/core/adapters/attribution.js';
import type { ParseJob, ParseOptions, ParseResult } from '../src/stages/parseBatch.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH_BYTES = 2 << 20;

interface Job {
  build: string;
  log: string;
  n: number;
}

/** The start of the file holding its first n lines (read in 16 MiB steps: logs can be large). */
function head(log: string, n: number): Buffer {
  const fd = openSync(log, 'r');
  const parts: Buffer[] = [];
  let lines = 0;
  for (;;) {
    const part = Buffer.alloc(16 << 20);
    const got = readSync(fd, part, 0, part.length, null);
    if (got === 0) break;
    parts.push(part.subarray(0, got));
    for (let i = part.indexOf(10); i >= 0 && i < got; i = part.indexOf(10, i + 1)) lines++;
    if (lines >= n) break;
  }
  closeSync(fd);
  return Buffer.concat(parts);
}

/** The first n lines of the log as batches of about BATCH_BYTES, each ending with a line break. */
function batches(log: string, n: number): { blocks: Uint8Array[]; rows: number } {
  const buf = head(log, n);
  let end = 0;
  let rows = 0;
  while (rows < n && end < buf.length) {
    const nl = buf.indexOf(10, end);
    end = nl < 0 ? buf.length : nl + 1;
    rows++;
  }
  const blocks: Uint8Array[] = [];
  for (let start = 0; start < end; ) {
    const nl = buf.indexOf(10, Math.min(start + BATCH_BYTES, end - 1));
    const stop = nl < 0 || nl >= end ? end : nl + 1;
    blocks.push(buf.subarray(start, stop));
    start = stop;
  }
  return { blocks, rows };
}

if (!isMainThread) {
  const job = workerData as Job;
  const { parseBatch } = (await import(pathToFileURL(join(job.build, 'stages/parseBatch.js')).href)) as {
    parseBatch: (job: ParseJob, opts: ParseOptions) => ParseResult;
  };
  const { DEFAULT_MAPPING } = (await import(pathToFileURL(join(job.build, 'core/adapters/attribution.js')).href)) as { DEFAULT_MAPPING: typeof Mapping };
  const { blocks } = batches(job.log, job.n);
  const base: ParseOptions = { mapping: DEFAULT_MAPPING, file: 'bench.jsonl', kind: 'jsonl', sampleRate: 1, derive: [] };
  const modes = { parse: base, profile: { ...base, derive: ['profile'] } } satisfies Record<string, ParseOptions>;
  const measure = (opts: ParseOptions, block: number): number => {
    const c0 = process.cpuUsage();
    const rows = parseBatch({ bytes: blocks[block]!, firstBatch: false }, opts).rows.count;
    const cpu = process.cpuUsage(c0);
    if (rows === 0) throw new Error('no rows parsed');
    return cpu.user + cpu.system;
  };
  for (let b = 0; b < blocks.length; b++) for (const opts of Object.values(modes)) measure(opts, b);
  parentPort!.postMessage(blocks.length);
  parentPort!.on('message', ([mode, block]: [keyof typeof modes, number]) => parentPort!.postMessage(measure(modes[mode], block)));
} else {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const log = resolve(option('--log') ?? '/tmp/req200k.jsonl');
  const rounds = Number(option('--rounds') ?? 10);
  const compare = option('--compare');
  const engines = args.includes('--engines') && args.splice(args.indexOf('--engines'), 1).length > 0;
  const n = Number(args[0] ?? 40_000);
  const { rows } = batches(log, n);
  const dist = join(ROOT, 'dist');
  // [label, build, environment of its worker]
  const builds: Array<[string, string, NodeJS.ProcessEnv]> = engines
    ? [
        [`${dist} (native engine)`, dist, process.env],
        [`${dist} (js engine)`, dist, { ...process.env, PNYX_NATIVE: '0' }],
      ]
    : [dist, ...(compare ? [resolve(compare)] : [])].map((b) => [b, b, process.env]);
  const runs: Array<{ build: string; worker: Worker; parse: number[]; profile: number[] }> = [];
  let nBlocks = 0;
  for (const [label, build, env] of builds) {
    const worker = new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`, {
      eval: true,
      env,
      workerData: { build, log, n } satisfies Job,
    });
    nBlocks = await new Promise<number>((ok, fail) => {
      worker.once('message', ok);
      worker.once('error', fail);
    });
    runs.push({ build: label, worker, parse: Array<number>(nBlocks).fill(Infinity), profile: Array<number>(nBlocks).fill(Infinity) });
  }
  const measure = (w: Worker, mode: 'parse' | 'profile', block: number) =>
    new Promise<number>((ok) => {
      w.once('message', ok);
      w.postMessage([mode, block]);
    });
  for (let r = 0; r < rounds; r++) {
    for (let b = 0; b < nBlocks; b++) {
      for (const run of runs) {
        run.parse[b] = Math.min(run.parse[b]!, await measure(run.worker, 'parse', b));
        run.profile[b] = Math.min(run.profile[b]!, await measure(run.worker, 'profile', b));
      }
    }
  }
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  const us = (x: number) => `${(x / rows).toFixed(1)} µs`;
  let text = `${rows.toLocaleString('en-US')} rows of ${log} in ${nBlocks} batches, best of ${rounds} alternating rounds per batch, CPU per row:\n`;
  for (const run of runs) {
    const [parse, profile] = [sum(run.parse), sum(run.profile)];
    text += `  ${run.build}: parse ${us(parse)}, parse + profile ${us(profile)}, profile ${us(profile - parse)} (×${(profile / parse).toFixed(2)})\n`;
  }
  text += `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`;
  process.stdout.write(text);
  await Promise.all(runs.map((r) => r.worker.terminate()));
}
