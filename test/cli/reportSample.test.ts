import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { isSampled } from '../../src/core/sample.js';
import { loadCatalog } from '../../src/db/catalog.js';
import { PnyxDb } from '../../src/db/database.js';
import { loadConfig } from '../../src/stages/config.js';
import { buildReport, reportFromDatabase } from '../../src/stages/report.js';
import { FIXTURES, runCli, tempDir } from '../helpers/cli.js';

/**
 * `pnyx analyze --sample R` keeps the requests whose id hashes below R; the report must scale
 * their cost by 1/R as if the log had held only those requests and said so with --sample-rate R.
 */
const t = tempDir('pnyx-report-sample-');
afterAll(t.cleanup);

const lines = readFileSync(join(FIXTURES, 'crm-sample.jsonl'), 'utf8').trimEnd().split('\n');
const idOf = (line: string) => (JSON.parse(line) as { id: string }).id;
const featureOf = (line: string) => (JSON.parse(line) as { metadata: { feature: string } }).metadata.feature;

function report(db: string, ...flags: string[]): Report {
  const r = runCli(['--db', db, 'report', '--format', 'json', ...flags]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

function analyze(db: string, file: string, ...flags: string[]): string {
  const r = runCli(['--db', db, 'analyze', file, ...flags]);
  expect(r.code, r.stderr).toBe(0);
  return r.stderr;
}

describe('--sample at ingest carries into the monthly cost', () => {
  const half = join(t.path, 'half.jsonl');
  const sampledDb = join(t.path, 'sampled.duckdb');
  const halfDb = join(t.path, 'half.duckdb');

  beforeAll(() => {
    const kept = lines.filter((l) => isSampled(idOf(l), 0.5));
    expect(kept.length).toBeGreaterThan(1500);
    expect(kept.length).toBeLessThan(2000);
    writeFileSync(half, kept.join('\n') + '\n');
    expect(analyze(sampledDb, join(FIXTURES, 'crm-sample.jsonl'), '--sample', '0.5')).toContain(`${lines.length - kept.length} sampled out`);
    analyze(halfDb, half);
  });

  it('costs as much as the same requests from a log that holds half the traffic (--sample-rate 0.5)', () => {
    const a = report(sampledDb);
    const b = report(halfDb, '--sample-rate', '0.5');
    expect(a.sample_rate).toBe(1);
    expect(b.sample_rate).toBe(0.5);
    expect(a.features.map((f) => f.feature)).toEqual(b.features.map((f) => f.feature));
    expect(a.features).toHaveLength(7);
    for (const [i, fa] of a.features.entries()) {
      const fb = b.features[i]!;
      expect(fa.monthly_cost.ingest_sample_rate).toBe(0.5);
      expect(fb.monthly_cost.ingest_sample_rate).toBe(1);
      expect(fa.monthly_cost.current).toBeGreaterThan(0);
      expect(fa.monthly_cost.current).toBeCloseTo(fb.monthly_cost.current!, 9);
      expect(fa.monthly_cost.projected).toBeCloseTo(fb.monthly_cost.projected!, 9);
      expect(fa.monthly_cost.basis).toBe(fb.monthly_cost.basis);
      expect(fa.monthly_cost.basis).toMatch(/^sample cost × 1\/0\.5 \(sample rate\)/);
      expect(fa.verdict).toBe(fb.verdict);
    }
    expect(a.totals.monthly_cost.current).toBeCloseTo(b.totals.monthly_cost.current!, 9);
    const table = runCli(['--db', sampledDb, 'report']);
    expect(table.stdout).toContain('· sample rate 1 × --sample 0.5 at ingest');
  });

  it('the stored aggregates carry the rate: the report from them equals the live one, also over tables an older pnyx stored', async () => {
    const h = await PnyxDb.open(sampledDb);
    try {
      const req = { config: loadConfig(undefined, t.path).config, configPath: null, sampleRate: 1, now: new Date('2026-09-01T00:00:00Z') };
      const live = await buildReport(h, { ...req, catalog: await loadCatalog(h), aggregates: 'live' });
      expect(live.features.every((f) => f.monthly_cost.ingest_sample_rate === 0.5)).toBe(true);
      expect((await reportFromDatabase(h, { ...req, aggregates: 'cached' })).report).toEqual(live);
      // What an older pnyx (aggregates version 2) left behind: report_features without the column, under its guard.
      await h.run('ALTER TABLE report_features DROP COLUMN ingest_rate');
      await h.run("UPDATE report_state SET fingerprint = replace(fingerprint, 'v3:', 'v2:')");
      const again = await reportFromDatabase(h, { ...req, aggregates: 'cached' });
      expect(again.reused).toBe(false);
      expect(again.report).toEqual(live);
      expect((await h.all('SELECT DISTINCT ingest_rate FROM report_features')).map((r) => r.ingest_rate)).toEqual([0.5]);
    } finally {
      h.close();
    }
  });

  it('weighs runs at different rates per feature: n / Σ 1/rate over its requests', () => {
    const db = join(t.path, 'mixed.duckdb');
    const first = join(t.path, 'first.jsonl');
    const second = join(t.path, 'second.jsonl');
    const cut = Math.floor(lines.length / 2);
    writeFileSync(first, lines.slice(0, cut).join('\n') + '\n');
    writeFileSync(second, lines.slice(cut).join('\n') + '\n');
    analyze(db, first, '--sample', '0.25');
    analyze(db, second);
    // Per feature: requests kept from the first file (rate 0.25) and all of the second's (rate 1).
    const expected = new Map<string, { n1: number; n2: number }>();
    for (const l of lines.slice(0, cut)) if (isSampled(idOf(l), 0.25)) (expected.get(featureOf(l)) ?? expected.set(featureOf(l), { n1: 0, n2: 0 }).get(featureOf(l))!).n1++;
    for (const l of lines.slice(cut)) (expected.get(featureOf(l)) ?? expected.set(featureOf(l), { n1: 0, n2: 0 }).get(featureOf(l))!).n2++;
    const r = report(db);
    expect(r.features).toHaveLength(7);
    for (const f of r.features) {
      const { n1, n2 } = expected.get(f.feature)!;
      expect(f.requests).toBe(n1 + n2);
      expect(f.monthly_cost.ingest_sample_rate).toBeCloseTo((n1 + n2) / (n1 / 0.25 + n2), 12);
    }
    const rates = r.features.map((f) => f.monthly_cost.ingest_sample_rate);
    expect(Math.min(...rates)).toBeLessThan(Math.max(...rates));
    expect(runCli(['--db', db, 'report']).stdout).toMatch(/· sample rate 1 × --sample 0\.\d+–0\.\d+ at ingest \(per feature\)/);
  });
});
