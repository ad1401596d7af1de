/**
 * Golden outputs of the parse path (everything parse workers store, before the classifier): for
 * every input file in fixtures/ and test/corpus/ under each --store-text mode (with --store-raw, and
 * the default redacted without it), a digest of each
 * `requests` column and of the rejects; plus redactText over a corpus of tricky strings and a
 * synthetic log whose records carry those strings in every kind of field. A faster parse path
 * must leave all of them byte for byte as they are (content_sha256 is compared with hashes that
 * earlier versions stored).
 *
 *   npx tsx scripts/golden-parse.ts --write          rewrite test/stages/parse.golden.json
 *   npx tsx scripts/golden-parse.ts --check          compare with it (test/stages/parse.golden.test.ts does too)
 *   npx tsx scripts/golden-parse.ts --log F [--lines 20000] [--rows OUT]
 *                                                    digest of the first lines of a log (all variants);
 *                                                    --rows: one line per row/reject with its digest,
 *                                                    to diff two checkouts row by row
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MAPPING } from '../src/core/adapters/attribution.js';
import { redactText } from '../src/core/redact.js';
import { decodeRows, REQUEST_ROW_COLUMNS } from '../src/core/requestRow.js';
import { STORE_TEXT_MODES, type StoreTextMode } from '../src/core/storeText.js';
import { PnyxDb } from '../src/db/database.js';
import { makeLinesAbsolute, parseBatch, type ParseJob, type ParseOptions, type ParseResult } from '../src/stages/parseBatch.js';
import { describeSource, readBatches } from '../src/stages/sources.js';
import { trickyStrings, trickyLog } from './parse/tricky.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PARSE_GOLDEN_PATH = join(ROOT, 'test/stages/parse.golden.json');

const BIG_FILE = 1 << 20;

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

/** Input files of the golden set: every log file under fixtures/ (not the catalog) and test/corpus/. */
export function goldenInputs(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'catalog' ? [] : walk(join(dir, e.name))) : [join(dir, e.name)]));
  return [...walk(join(ROOT, 'fixtures')), ...walk(join(ROOT, 'test/corpus'))]
    .filter((p) => /\.(jsonl|json|csv|parquet)(\.gz)?$/.test(p) && !p.endsWith('.labels.csv'))
    .sort();
}

/** The variants checked: every --store-text mode with --store-raw (so the masked raw record is covered), and the default. */
const VARIANTS: readonly { name: string; storeText: StoreTextMode; storeRaw: boolean }[] = [
  ...STORE_TEXT_MODES.map((m) => ({ name: `${m}+raw`, storeText: m, storeRaw: true })),
  { name: 'redacted', storeText: 'redacted', storeRaw: false },
];

function options(file: string, kind: ParseOptions['kind'], v: (typeof VARIANTS)[number]): ParseOptions {
  return { mapping: DEFAULT_MAPPING, file, kind, sampleRate: 1, derive: [], storeText: v.storeText, storeRaw: v.storeRaw };
}

/** Runs parse jobs in order, as ingest does, making line numbers absolute. */
function runJobs(jobs: ParseJob[], opts: ParseOptions): ParseResult[] {
  let offset = 0;
  return jobs.map((job) => {
    const res = parseBatch(job, opts);
    makeLinesAbsolute(res, offset);
    offset += res.lineCount;
    return res;
  });
}

export interface Digest {
  rows: number;
  rejects: number;
  /** Per requests column, a digest of its values in row order. */
  columns: Record<string, string>;
  /** Digest of every reject tuple (line, field, reason, stored reason, stored raw, excerpt). */
  rejectRows: string;
}

export function digestResults(results: ParseResult[]): Digest {
  const rows = results.flatMap((r) => decodeRows(r.rows));
  const rejects = results.flatMap((r) => r.rejects);
  const columns: Record<string, string> = {};
  REQUEST_ROW_COLUMNS.forEach(([name], i) => {
    columns[name] = sha(JSON.stringify(rows.map((r) => r[i])));
  });
  return { rows: rows.length, rejects: rejects.length, columns, rejectRows: sha(JSON.stringify(rejects)) };
}

async function fileJobs(path: string, db: PnyxDb): Promise<{ kind: ParseOptions['kind']; jobs: ParseJob[] }> {
  const info = describeSource(path);
  const jobs: ParseJob[] = [];
  // Small batches, so records cross batch boundaries as in a large file.
  for await (const job of readBatches(info, db, 4096, () => {})) jobs.push(job);
  return { kind: info.kind, jobs };
}

/** Copies jobs: parseBatch may be handed the same bytes once per mode. */
const copyJob = (j: ParseJob): ParseJob => ('bytes' in j ? { ...j, bytes: j.bytes.slice() } : j);

export interface Golden {
  files: Record<string, Record<string, Digest | { error: string }>>;
  redact: { strings: number; digest: string };
  trickyLog: Record<string, Digest>;
}

export async function computeGolden(): Promise<Golden> {
  const dir = mkdtempSync(join(tmpdir(), 'pnyx-golden-'));
  const db = await PnyxDb.open(join(dir, 'g.duckdb'));
  const files: Golden['files'] = {};
  try {
    for (const path of goldenInputs()) {
      const name = relative(ROOT, path);
      files[name] = {};
      let read: { kind: ParseOptions['kind']; jobs: ParseJob[] };
      try {
        read = await fileJobs(path, db);
      } catch (err) {
        // A file the reader refuses whole (not gzip, wrong schema): its message is the output.
        for (const v of VARIANTS) files[name][v.name] = { error: (err as Error).message.replace(ROOT, '<root>') };
        continue;
      }
      // The one big fixture (crm-sample, 3,500 records) under the default only: the other
      // variants are covered by the small files and the tricky log, and this runs in CI.
      const variants = statSync(path).size > BIG_FILE ? VARIANTS.filter((v) => v.name === 'redacted') : VARIANTS;
      for (const v of variants) files[name][v.name] = digestResults(runJobs(read.jobs.map(copyJob), options(name, read.kind, v)));
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const strings = trickyStrings();
  const log = new TextEncoder().encode(trickyLog(strings));
  const trickyDigests: Record<string, Digest> = {};
  for (const v of VARIANTS) trickyDigests[v.name] = digestResults(runJobs([{ bytes: log.slice(), firstBatch: true }], options('tricky.jsonl', 'jsonl', v)));
  return {
    files,
    redact: { strings: strings.length, digest: sha(JSON.stringify(strings.map((s) => redactText(s)))) },
    trickyLog: trickyDigests,
  };
}

/** One line per file and mode, so a diff of the file names what changed. */
function formatGolden(g: Golden): string {
  const files = Object.entries(g.files).map(([name, modes]) => {
    const inner = Object.entries(modes).map(([mode, d]) => `   ${JSON.stringify(mode)}: ${JSON.stringify(d)}`);
    return `  ${JSON.stringify(name)}: {\n${inner.join(',\n')}\n  }`;
  });
  const tricky = Object.entries(g.trickyLog).map(([mode, d]) => `  ${JSON.stringify(mode)}: ${JSON.stringify(d)}`);
  return `{\n "files": {\n${files.join(',\n')}\n },\n "redact": ${JSON.stringify(g.redact)},\n "trickyLog": {\n${tricky.join(',\n')}\n }\n}\n`;
}

/** The first `lines` lines of a log as 2 MiB byte batches cut at line breaks. */
export function logJobs(path: string, lines: number): ParseJob[] {
  const text = readFileSync(path, 'utf8').split('\n', lines).join('\n') + '\n';
  const bytes = Buffer.from(text);
  const jobs: ParseJob[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + (2 << 20));
    if (end < bytes.length) end = bytes.lastIndexOf(10, end - 1) + 1;
    jobs.push({ bytes: new Uint8Array(bytes.subarray(start, end)), firstBatch: start === 0 });
    start = end;
  }
  return jobs;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args[i + 1];
  };
  const log = flag('--log');
  if (log) {
    const lines = Number(flag('--lines') ?? 20000);
    const rowsOut = flag('--rows');
    const perRow: string[] = [];
    const out: Record<string, Digest> = {};
    for (const v of VARIANTS) {
      const results = runJobs(logJobs(log, lines), options('log.jsonl', 'jsonl', v));
      out[v.name] = digestResults(results);
      if (rowsOut) {
        for (const r of results) {
          for (const row of decodeRows(r.rows)) perRow.push(`${v.name} row ${row[0]} ${sha(JSON.stringify(row))}`);
          for (const rej of r.rejects) perRow.push(`${v.name} reject ${rej[0]} ${sha(JSON.stringify(rej))}`);
        }
      }
    }
    if (rowsOut) writeFileSync(rowsOut, perRow.join('\n') + '\n');
    process.stdout.write(JSON.stringify(out, null, 1) + '\n');
    process.stdout.write(`digest of all: ${sha(JSON.stringify(out))}\n`);
    return;
  }
  const golden = await computeGolden();
  if (args.includes('--write')) {
    writeFileSync(PARSE_GOLDEN_PATH, formatGolden(golden));
    process.stdout.write(`wrote ${relative(ROOT, PARSE_GOLDEN_PATH)} (${Object.keys(golden.files).length} files, ${golden.redact.strings} tricky strings)\n`);
    return;
  }
  const want = JSON.parse(readFileSync(PARSE_GOLDEN_PATH, 'utf8')) as Golden;
  const same = JSON.stringify(want) === JSON.stringify(golden);
  process.stdout.write(same ? 'golden: identical\n' : 'golden: DIFFERS\n');
  if (!same) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
