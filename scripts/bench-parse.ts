/**
 * Cost of the parse path of ingest without the classifier: what a parse worker does per request
 * (split lines, JSON.parse, adapter normalization, content hash, masking for storage, the stored
 * row), in CPU µs per request and requests per CPU-second (CPU time of this process: the figure
 * that holds on a shared machine). Also times the parts on their own.
 *
 *   npm run build && npx tsx scripts/bench-parse.ts [n=20000] [--log F] [--rounds 5]
 *       [--store-text redacted] [--store-raw] [--compare DIR]
 *
 * Requests: the first n lines of --log (default fixtures/crm-sample.jsonl, cycled up to n), cut
 * into 2 MiB batches as the JSONL reader does. Each measure runs `--rounds` times after one
 * unmeasured warm-up round; the best round counts (a busy machine only ever makes a round slower).
 * What runs is the build in dist/ (what ships: tsx's transpiled src adds a helper call per
 * closure created, which distorts per-record costs), so build first.
 * --compare DIR: another checkout's build (DIR/dist), e.g. an export of main built with tsc; both
 * run the whole parse path in alternating rounds and the ratio of their best rounds is printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JsonObject } from '../src/core/adapters/fields.js';
import type * as IngestRecord from '../src/core/ingestRecord.js';
import type * as Redact from '../src/core/redact.js';
import type { CanonicalRequest } from '../src/core/request.js';
import type * as StoreText from '../src/core/storeText.js';
import type { StoreTextMode } from '../src/core/storeText.js';
import type { ParseJob, ParseOptions, ParseResult } from '../src/stages/parseBatch.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

type ParseFn = (job: ParseJob, opts: ParseOptions) => ParseResult;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

/** The first n lines of the log (cycled when it has fewer), as 2 MiB batches cut at line breaks. */
function loadLines(path: string, n: number): string[] {
  const all = readFileSync(path, 'utf8').split('\n', n + 1).filter((l) => l.trim() !== '');
  const out: string[] = [];
  for (let i = 0; out.length < n && all.length > 0; i++) out.push(all[i % all.length]!);
  return out;
}

function batches(lines: string[]): Buffer[] {
  const out: Buffer[] = [];
  let cur: string[] = [];
  let size = 0;
  for (const l of lines) {
    cur.push(l);
    size += l.length + 1;
    if (size >= 2 << 20) {
      out.push(Buffer.from(cur.join('\n') + '\n'));
      cur = [];
      size = 0;
    }
  }
  if (cur.length > 0) out.push(Buffer.from(cur.join('\n') + '\n'));
  return out;
}

/** CPU µs (user + system) of one call. */
function cpuOf(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return d.user + d.system;
}

function best(rounds: number, fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < rounds; r++) min = Math.min(min, cpuOf(fn));
  return min;
}

/** A module of a build (DIR/dist/...). */
async function fromBuild<T>(dir: string, module: string): Promise<T> {
  const file = join(resolve(dir), 'dist', module);
  if (!existsSync(file)) throw new Error(`${file} is missing: build that checkout first (npm run build)`);
  return (await import(pathToFileURL(file).href)) as T;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 20000);
  const log = flag(args, '--log') ?? join(ROOT, 'fixtures/crm-sample.jsonl');
  const rounds = Number(flag(args, '--rounds') ?? 5);
  const { readJsonLine } = await fromBuild<typeof IngestRecord>(ROOT, 'core/ingestRecord.js');
  const { redactText } = await fromBuild<typeof Redact>(ROOT, 'core/redact.js');
  const { STORE_TEXT_MODES, textForStorage } = await fromBuild<typeof StoreText>(ROOT, 'core/storeText.js');
  const { DEFAULT_MAPPING } = await fromBuild<{ DEFAULT_MAPPING: IngestRecord.RecordReaderOptions['mapping'] }>(ROOT, 'core/adapters/attribution.js');
  const mode = (flag(args, '--store-text') ?? 'redacted') as StoreTextMode;
  if (!STORE_TEXT_MODES.includes(mode)) throw new Error(`--store-text: one of ${STORE_TEXT_MODES.join(', ')}`);
  const compare = flag(args, '--compare');
  const storeRaw = args.includes('--store-raw');

  const lines = loadLines(log, n);
  const blocks = batches(lines);
  const mb = blocks.reduce((s, b) => s + b.length, 0) / 1e6;
  const opts: ParseOptions = { mapping: DEFAULT_MAPPING, file: 'bench.jsonl', kind: 'jsonl', sampleRate: 1, derive: [], storeText: mode, storeRaw };
  const run = (parse: ParseFn) => () => {
    for (const b of blocks) parse({ bytes: new Uint8Array(b.buffer, b.byteOffset, b.length), firstBatch: false }, opts);
  };
  const self = (await fromBuild<{ parseBatch: ParseFn }>(ROOT, 'stages/parseBatch.js')).parseBatch;
  const per = (us: number) => `${(us / lines.length).toFixed(1)} µs/request, ${Math.round((lines.length / us) * 1e6).toLocaleString('en-US')} requests/CPU-s`;
  process.stdout.write(`${lines.length} requests (${mb.toFixed(1)} MB) from ${log}; --store-text ${mode}${storeRaw ? ' --store-raw' : ''}; best of ${rounds} rounds; load ${loadavg()[0]!.toFixed(2)}\n`);

  if (compare) {
    const other = (await fromBuild<{ parseBatch: ParseFn }>(compare, 'stages/parseBatch.js')).parseBatch;
    // One unmeasured round each first, so neither pays for the JIT warm-up.
    run(other)();
    run(self)();
    let mine = Infinity;
    let theirs = Infinity;
    for (let r = 0; r < rounds; r++) {
      theirs = Math.min(theirs, cpuOf(run(other)));
      mine = Math.min(mine, cpuOf(run(self)));
    }
    process.stdout.write(`parse path, ${compare}: ${per(theirs)}\nparse path, this checkout: ${per(mine)}\nspeed-up: ${(theirs / mine).toFixed(2)}x\n`);
    return;
  }

  run(self)();
  const whole = best(rounds, run(self));
  // The parts on their own, over the same records.
  const ropts: IngestRecord.RecordReaderOptions = { mapping: DEFAULT_MAPPING };
  const parsed = best(rounds, () => {
    for (const l of lines) JSON.parse(l);
  });
  const read = best(rounds, () => {
    for (const l of lines) readJsonLine(l, ropts);
  });
  const outcomes = lines.map((l) => ({ text: l, out: readJsonLine(l, ropts) }));
  const ok = outcomes.flatMap((o) => (o.out.ok ? [{ text: o.text, request: o.out.request, raw: o.out.raw }] : [])) as { text: string; request: CanonicalRequest; raw: JsonObject }[];
  const stored = best(rounds, () => {
    for (const o of ok) textForStorage(o.request, o.raw, o.text, mode, storeRaw);
  });
  const texts = ok.flatMap((o) => [o.request.system_prompt ?? '', ...o.request.messages.map((m) => m.content)]);
  const redacted = best(rounds, () => {
    for (const t of texts) redactText(t);
  });
  process.stdout.write(
    [
      `parse path (parseBatch, no classifier): ${per(whole)}`,
      `  JSON.parse:                           ${per(parsed)}`,
      `  readJsonLine (parse+adapter+hash):    ${per(read)}`,
      `  textForStorage (${mode}):${' '.repeat(Math.max(1, 21 - mode.length))}${per(stored)}`,
      `  redactText of prompt texts only:      ${per(redacted)} (${texts.length} texts)`,
    ].join('\n') + '\n',
  );
}

await main();
