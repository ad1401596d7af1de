/**
 * Regenerates the bundled CRM fixtures deterministically (seeded PRNG, no clock):
 *   fixtures/crm-sample.jsonl        the README's main-job sample (3,500 requests, one week)
 *   fixtures/crm-scenario.jsonl.gz   the full seven-feature scenario (30,000 requests)
 *   fixtures/formats/crm-50.*        the same 50 records in every input format, for ingest tests
 *
 *   npx tsx scripts/generate-fixtures.ts [--out DIR] [--only sample,scenario,formats]
 *   npm run fixtures
 */
import { createWriteStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { FORMATS_SAMPLE, SAMPLE, SCENARIO, generateDataset, type DatasetOptions } from './fixtures/build.js';
import { toJsonl, writeFormatVariants } from './fixtures/formats.js';

type Part = 'sample' | 'scenario' | 'formats';
const PARTS: readonly Part[] = ['sample', 'scenario', 'formats'];

export async function writeSample(dir: string, opts: DatasetOptions = SAMPLE): Promise<string> {
  const path = join(dir, 'crm-sample.jsonl');
  writeFileSync(path, toJsonl([...generateDataset(opts)]));
  return path;
}

/** Streams the scenario through gzip: it never sits in memory as one string. */
export async function writeScenario(dir: string, opts: DatasetOptions = SCENARIO): Promise<string> {
  const path = join(dir, 'crm-scenario.jsonl.gz');
  const gz = createGzip({ level: 9 });
  const out = gz.pipe(createWriteStream(path));
  for (const r of generateDataset(opts)) {
    if (!gz.write(JSON.stringify(r) + '\n')) await new Promise((res) => gz.once('drain', res));
  }
  gz.end();
  await finished(out);
  return path;
}

export async function writeFormats(dir: string, opts: DatasetOptions = FORMATS_SAMPLE): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  return writeFormatVariants([...generateDataset(opts)], dir);
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
  const report = (label: string, path: string, t0: number) =>
    process.stderr.write(`${label}: ${path} (${(statSync(path).size / 1e6).toFixed(2)} MB, ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
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
