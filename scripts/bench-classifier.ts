/**
 * Classifier throughput: synthetic CRM-style chat requests of ~2 KB (system prompt + user turn drawn
 * from varied fragments, see scripts/classifier/goldenCorpus.ts), classified in a loop on one
 * thread or on N worker threads. The texts are flat strings, as JSON.parse gives them at ingest.
 * Prints prompts/s wall and per CPU-second (CPU time of all threads: the figure that holds on a
 * shared machine), MB/s, and the load average.
 *   npx tsx scripts/bench-classifier.ts [count=200000] [targetBytes=2048] [--threads N]
 */
import { loadavg } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { classifyPrompt, type ClassifierInput } from '../src/core/classifier/index.js';
import { benchInputs } from './classifier/goldenCorpus.js';

interface Job {
  count: number;
  target: number;
  url: string;
}

/** Worker threads do not inherit tsx's loader: register it, then run this file. */
const WORKER_BOOT = `import('tsx/esm/api').then((t) => { t.register(); return import(require('node:worker_threads').workerData.url); });`;

const POOL = 2000;

/** The benchmark's requests, with flat strings (a concatenated string is slower to read). */
function pool(target: number): { inputs: ClassifierInput[]; avgChars: number } {
  const inputs = benchInputs(POOL, target).map((x) => JSON.parse(JSON.stringify(x)) as ClassifierInput);
  let chars = 0;
  for (const x of inputs) chars += x.system_prompt!.length + x.messages[0]!.content.length;
  return { inputs, avgChars: chars / POOL };
}

function classifyMany(inputs: readonly ClassifierInput[], count: number): number {
  let sink = 0;
  for (let i = 0; i < count; i++) sink += classifyPrompt(inputs[i % POOL]!).reasoning;
  return sink;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

if (!isMainThread) {
  const { count, target } = workerData as Job;
  const { inputs } = pool(target);
  classifyMany(inputs, 20_000); // warm-up (JIT, weights load)
  parentPort!.postMessage('ready');
  parentPort!.once('message', () => parentPort!.postMessage(classifyMany(inputs, count)));
} else {
  const args = process.argv.slice(2);
  const ti = args.indexOf('--threads');
  const threads = ti >= 0 ? Number(args.splice(ti, 2)[1]) : 0;
  const count = Number(args[0] ?? 200_000);
  const target = Number(args[1] ?? 2048);
  const { inputs, avgChars } = pool(target);
  let secs: number;
  let cpuSecs: number;
  let sink = 0;
  if (threads <= 0) {
    classifyMany(inputs, 20_000);
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    sink = classifyMany(inputs, count);
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    cpuSecs = (cpu.user + cpu.system) / 1e6;
  } else {
    const per = Math.ceil(count / threads);
    const workers = Array.from({ length: threads }, () => new Worker(WORKER_BOOT, { eval: true, workerData: { count: per, target, url: import.meta.url } satisfies Job }));
    await Promise.all(workers.map((w) => new Promise((ok) => w.once('message', ok))));
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage(); // all threads of the process
    const sums = await Promise.all(workers.map((w) => new Promise<number>((ok) => {
      w.once('message', ok);
      w.postMessage('go');
    })));
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    cpuSecs = (cpu.user + cpu.system) / 1e6;
    for (const s of sums) sink += s;
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const n = threads <= 0 ? count : Math.ceil(count / threads) * threads;
  process.stdout.write(
    `classified ${fmt(n)} prompts (avg ${avgChars.toFixed(0)} chars), ${threads <= 0 ? 'one thread' : `${threads} worker threads`}: ` +
      `${fmt(n / secs)} prompts/s wall (${secs.toFixed(2)} s), ${fmt(n / cpuSecs)} prompts/s per CPU-second ` +
      `(${((n * avgChars) / cpuSecs / 1e6).toFixed(0)} MB/s) (checksum ${sink.toFixed(1)}); ` +
      `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`,
  );
}
