/**
 * Regenerates the bundled CRM fixtures deterministically (seeded PRNG, no clock):
 *   fixtures/crm-sample.jsonl        the README's main-job sample (3,500 requests, one week)
 *   fixtures/crm-scenario.jsonl.gz   the full seven-feature scenario (30,000 requests)
 *   fixtures/formats/crm-50.*        the same 50 records in every input format, for ingest tests
 *   *.labels.csv                     ground truth per request (feature, variant, language) for tests
 *
 *   npx tsx scripts/generate-fixtures.ts [--out DIR] [--only sample,scenario,formats]
 *   npm run fixtures
 */
import { createWriteStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { FORMATS_SAMPLE, SAMPLE, SCENARIO, generateDataset, type DatasetOptions } from './fixtures/build.js';
import { toJsonl, writeFormatVariants } from './fixtures/formats.js';
import type { RequestLabel } from './fixtures/record.js';

type Part = 'sample' | 'scenario' | 'formats';
const PARTS: readonly Part[] = ['sample', 'scenario', 'formats'];

/** `id,feature,variant,language`: what the generator made each request as (for classifier tests only). */
export function labelsCsv(labels: readonly RequestLabel[]): string {
  return ['id,feature,variant,language', ...labels.map((l) => `${l.id},${l.feature},${l.variant},${l.language}`)].join('\n') + '\n';
}

export interface Written {
  path: string;
  labelsPath: string;
  records: number;
}

export async function writeSample(dir: string, opts: DatasetOptions = SAMPLE): Promise<Written> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'crm-sample.jsonl');
  const labelsPath = join(dir, 'crm-sample.labels.csv');
  const all = [...generateDataset(opts)];
  writeFileSync(path, toJsonl(all.map((g) => g.record)));
  writeFileSync(labelsPath, labelsCsv(all.map((g) => g.label)));
  return { path, labelsPath, records: all.length };
}

/**
 * Streams the scenario to `crm-scenario.jsonl.gz` (or plain `.jsonl` with gzipLevel 0) without
 * holding it in memory. Tests that need it call this into a temp dir.
 */
export async function writeScenario(dir: string, opts: DatasetOptions = SCENARIO, gzipLevel = 9): Promise<Written> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, gzipLevel > 0 ? 'crm-scenario.jsonl.gz' : 'crm-scenario.jsonl');
  const labelsPath = join(dir, 'crm-scenario.labels.csv');
  const labels: RequestLabel[] = [];
  function* lines(): Generator<string> {
    for (const { record, label } of generateDataset(opts)) {
      labels.push(label);
      yield JSON.stringify(record) + '\n';
    }
  }
  const source = Readable.from(lines());
  if (gzipLevel > 0) await pipeline(source, createGzip({ level: gzipLevel }), createWriteStream(path));
  else await pipeline(source, createWriteStream(path));
  writeFileSync(labelsPath, labelsCsv(labels));
  return { path, labelsPath, records: labels.length };
}

export async function writeFormats(dir: string, opts: DatasetOptions = FORMATS_SAMPLE): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  return writeFormatVariants([...generateDataset(opts)].map((g) => g.record), dir);
}

async function main(argv: string[]): Promise<void> {
  let out = resolve(import.meta.dirname, '../fixtures');
  let only: Part[] = [...PARTS];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = resolve(argv[++i] ?? '.');
    else if (argv[i] === '--only') only = (argv[++i] ?? '').split(',').filter((p): p is Part => (PARTS as string[]).includes(p));
    else throw new Error(`unknown argument ${argv[i]} (use --out DIR, --only sample,scenario,formats)`);
  }
  mkdirSync(out, { recursive: true });
  const report = (label: string, w: Written, t0: number) =>
    process.stderr.write(`${label}: ${w.records} requests in ${w.path} (${(statSync(w.path).size / 1e6).toFixed(2)} MB, ${((performance.now() - t0) / 1000).toFixed(1)} s); labels in ${w.labelsPath}\n`);
  if (only.includes('formats')) {
    const t0 = performance.now();
    const files = await writeFormats(join(out, 'formats'));
    process.stderr.write(`formats: ${files.length} files in ${join(out, 'formats')} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  if (only.includes('sample')) {
    const t0 = performance.now();
    report('sample', await writeSample(out), t0);
  }
  if (only.includes('scenario')) {
    const t0 = performance.now();
    report('scenario', await writeScenario(out), t0);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`generate-fixtures: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
