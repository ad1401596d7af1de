import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { loadCatalog } from '../../src/db/catalog.js';
import { PnyxDb } from '../../src/db/database.js';
import { currentAggregates, dataFingerprint } from '../../src/db/reportCache.js';
import { loadConfig } from '../../src/stages/config.js';
import { buildReport } from '../../src/stages/report.js';
import { FIXTURES, runCli, tempDir } from '../helpers/cli.js';

/**
 * `pnyx report` reads stored aggregates (report_buckets, report_features) while their
 * fingerprint matches the data. After every way the data can change, the report from the stored
 * aggregates must equal the one computed from the tables.
 */
const t = tempDir();
const db = join(t.path, 'x.duckdb');
const now = new Date('2026-09-01T00:00:00Z');
// Every 5th record of the CRM sample: all its features over its whole week, and a lean test.
const lines = readFileSync(join(FIXTURES, 'crm-sample.jsonl'), 'utf8').split('\n').filter(Boolean).filter((_, i) => i % 5 === 0);
const firstHalf = join(t.path, 'first.jsonl');
const all = join(t.path, 'all.jsonl');

async function withDb<T>(fn: (h: PnyxDb) => Promise<T>): Promise<T> {
  const h = await PnyxDb.open(db);
  try {
    return await fn(h);
  } finally {
    h.close();
  }
}

/** The report from the stored aggregates (refreshed if stale), then the one computed from the tables. */
async function cachedAndLive(): Promise<{ cached: Report; live: Report }> {
  return withDb(async (h) => {
    const opts = { catalog: await loadCatalog(h), config: loadConfig(undefined, t.path).config, configPath: null, sampleRate: 1, now };
    const cached = await buildReport(h, { ...opts, aggregates: 'cached' });
    const live = await buildReport(h, { ...opts, aggregates: 'live' });
    return { cached, live };
  });
}

function analyze(file: string): void {
  const r = runCli(['--db', db, '-q', 'analyze', file], { cwd: t.path });
  expect(r.code, r.stderr).toBe(0);
}

describe('stored report aggregates', () => {
  let previous: Report;
  beforeAll(() => {
    writeFileSync(firstHalf, lines.slice(0, 350).join('\n') + '\n');
    writeFileSync(all, lines.join('\n') + '\n');
  });
  afterAll(t.cleanup);

  it('after a first analyze: the stored aggregates are current and give the live report', async () => {
    analyze(firstHalf);
    const { cached, live } = await cachedAndLive();
    expect(cached.totals.requests).toBe(350);
    expect(cached.features.length).toBeGreaterThan(3);
    expect(cached).toEqual(live);
    expect(await withDb((h) => currentAggregates(h, 'cached'))).toBe('cached');
    // A small database computes them live unless asked.
    expect(await withDb((h) => currentAggregates(h))).toBe('live');
    previous = cached;
  });

  it('after analyzing more logs', async () => {
    analyze(all);
    const { cached, live } = await cachedAndLive();
    expect(cached.totals.requests).toBe(700);
    expect(cached).toEqual(live);
    expect(cached).not.toEqual(previous);
    previous = cached;
  });

  it('after the tables are edited by hand (profiles, then requests)', async () => {
    const before = await withDb(dataFingerprint);
    await withDb((h) => h.run("UPDATE profiles SET complexity = 1, reasoning = 1 WHERE request_id IN (SELECT request_id FROM requests WHERE feature = 'email_autocomplete' LIMIT 140)"));
    expect(await withDb(dataFingerprint)).not.toBe(before);
    const edited = await cachedAndLive();
    expect(edited.cached).toEqual(edited.live);
    expect(edited.cached.features.find((f) => f.feature === 'email_autocomplete')).not.toEqual(previous.features.find((f) => f.feature === 'email_autocomplete'));

    await withDb((h) => h.run("UPDATE requests SET feature = 'lead_scoring' WHERE feature = 'pipeline_forecast'"));
    const moved = await cachedAndLive();
    expect(moved.cached).toEqual(moved.live);
    expect(moved.cached.features.map((f) => f.feature)).not.toContain('pipeline_forecast');
    previous = moved.cached;
  });

  it('after re-classification of stored requests (analyze re-profiles those of another classifier version)', async () => {
    await withDb((h) => h.run("UPDATE profiles SET classifier_version = 'old'"));
    analyze(all);
    const { cached, live } = await cachedAndLive();
    expect(cached).toEqual(live);
    // The hand-edited profiles are classified again: email_autocomplete's summary changes back.
    expect(cached.features.find((f) => f.feature === 'email_autocomplete')).not.toEqual(previous.features.find((f) => f.feature === 'email_autocomplete'));
    previous = cached;
  });

  it('after db purge', async () => {
    const r = runCli(['--db', db, 'db', 'purge', '--before', '2026-08-13'], { cwd: t.path });
    expect(r.code, r.stderr).toBe(0);
    const { cached, live } = await cachedAndLive();
    expect(cached).toEqual(live);
    expect(cached.totals.requests).toBeLessThan(previous.totals.requests);
    expect(cached.totals.requests).toBeGreaterThan(0);
  });

  it('a read-only open reads current stored aggregates and computes stale ones live, without writing', async () => {
    const ro = await PnyxDb.open(db, { readOnly: true });
    try {
      expect(await currentAggregates(ro, 'cached')).toBe('cached');
    } finally {
      ro.close();
    }
    await withDb((h) => h.run('UPDATE requests SET cost_usd = cost_usd * 2'));
    const ro2 = await PnyxDb.open(db, { readOnly: true });
    try {
      expect(await currentAggregates(ro2, 'cached')).toBe('live');
    } finally {
      ro2.close();
    }
  });
});
