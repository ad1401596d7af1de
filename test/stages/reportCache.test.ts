import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { loadCatalog } from '../../src/db/catalog.js';
import { PnyxDb } from '../../src/db/database.js';
import { taskMixByFeature } from '../../src/db/profiles.js';
import { BUCKET_ID_SQL, BUCKETS_SQL } from '../../src/db/recommend.js';
import { currentAggregates, dataGuard, storedReportCount } from '../../src/db/reportCache.js';
import { renderReportHtml } from '../../src/render/reportHtml.js';
import { renderReportMarkdown } from '../../src/render/reportMarkdown.js';
import { renderReportTable } from '../../src/render/reportTable.js';
import { loadConfig } from '../../src/stages/config.js';
import { reclassifyStale } from '../../src/stages/classify.js';
import { buildReport, reportFromDatabase } from '../../src/stages/report.js';
import { FIXTURES, runCli, tempDir } from '../helpers/cli.js';

/**
 * `pnyx report` reads stored aggregates (report_buckets, report_features) and stored reports
 * (report_results) while they are current. After every way the data can change, the report from
 * the stored aggregates, and the stored report, must equal the one computed from the tables.
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

/** Which report_* tables exist: all four once a report stored its aggregates, none after a write. */
const reportTables = (): Promise<string[]> =>
  withDb(async (h) => (await h.all<{ t: string }>("SELECT table_name AS t FROM duckdb_tables() WHERE table_name LIKE 'report%' ORDER BY 1")).map((r) => r.t));
const ALL_REPORT_TABLES = ['report_buckets', 'report_features', 'report_results', 'report_state'];

/** Every format the report renders to: a stored report must print exactly like a fresh one. */
function rendered(r: Report): string[] {
  return [JSON.stringify(r, null, 2), renderReportMarkdown(r), renderReportHtml(r), renderReportTable(r, { color: false, clean: (x) => x })];
}

/**
 * The report from the stored aggregates (refreshed if stale) and stored as a whole, then the same
 * report reused from storage, then the one computed from the tables with no cache at all.
 */
async function cachedAndLive(extra: { feature?: string } = {}): Promise<{ cached: Report; live: Report; reused: boolean }> {
  return withDb(async (h) => {
    const req = { config: loadConfig(undefined, t.path).config, configPath: null, sampleRate: 1, now, ...extra };
    const first = await reportFromDatabase(h, { ...req, aggregates: 'cached' });
    const again = await reportFromDatabase(h, { ...req, aggregates: 'cached', now: new Date('2026-09-01T10:00:00Z') });
    expect(again.reused).toBe(true);
    expect(again.report.generated_at).toBe('2026-09-01T10:00:00.000Z');
    const live = await buildReport(h, { ...req, catalog: await loadCatalog(h), aggregates: 'live' });
    expect(first.report).toEqual(live);
    expect(rendered({ ...again.report, generated_at: live.generated_at })).toEqual(rendered(live));
    return { cached: first.report, live, reused: first.reused };
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
    const { cached } = await cachedAndLive();
    expect(cached.totals.requests).toBe(350);
    expect(cached.features.length).toBeGreaterThan(3);
    expect(await withDb((h) => currentAggregates(h, 'cached'))).toBe('cached');
    // A small database computes them live unless asked.
    expect(await withDb((h) => currentAggregates(h))).toBe('live');
    previous = cached;
  });

  it("gives analyze's task mix from the stored aggregates as from the tables", async () => {
    const [cached, live] = await withDb(async (h) => {
      expect(await currentAggregates(h, 'cached')).toBe('cached');
      return [await taskMixByFeature(h, 'cached'), await taskMixByFeature(h, 'live')];
    });
    expect(cached).toEqual(live);
    expect(cached.reduce((s, r) => s + r.n, 0)).toBe(350);
    expect(new Set(cached.map((r) => r.feature)).size).toBe(previous.features.length);
    for (const f of new Set(cached.map((r) => r.feature))) {
      expect(cached.filter((r) => r.feature === f).reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 12);
    }
  });

  it('after analyzing more logs', async () => {
    analyze(all);
    const { cached } = await cachedAndLive();
    expect(cached.totals.requests).toBe(700);
    expect(cached).not.toEqual(previous);
    previous = cached;
  });

  it('the buckets are those of the plain join and GROUP BY, and carry the id export joins each request on', async () => {
    // BUCKETS_SQL joins profiles as the hash of their rounded key; this is the query it replaced.
    const plain = `
      SELECT ${BUCKET_ID_SQL} AS bucket_id, r.feature, r.model, p.task_type, p.domain, p.output_format, p.structured_output, p.needs_tools, p.multimodal,
        round(p.reasoning * 20) / 20 AS reasoning, round(p.complexity * 20) / 20 AS complexity,
        round(p.policy_sensitivity * 20) / 20 AS policy_sensitivity, round(p.latency_sensitivity * 20) / 20 AS latency_sensitivity,
        round(p.safety_risk * 10) / 10 AS safety_risk, ceil(log2(greatest(p.context_tokens, 1)))::INTEGER AS ctx_bucket,
        ceil(log2(coalesce(r.reasoning_tokens, 0) + 1))::INTEGER AS effort_bucket,
        count(*) AS requests, count(*) FILTER (WHERE NOT r.has_prompt_text) AS metadata_only,
        max(p.context_tokens) AS context_tokens, max(p.context_tokens + coalesce(r.completion_tokens, 0)) AS max_context_tokens,
        sum(coalesce(r.prompt_tokens, p.context_tokens))::DOUBLE AS prompt_tokens, sum(coalesce(r.completion_tokens, 0))::DOUBLE AS completion_tokens,
        sum(coalesce(r.reasoning_tokens, 0))::DOUBLE AS reasoning_tokens, sum(coalesce(r.cached_tokens, 0))::DOUBLE AS cached_tokens,
        sum(r.cost_usd) AS logged_cost, count(*) FILTER (WHERE r.cost_usd IS NULL) AS u_requests,
        sum(coalesce(r.prompt_tokens, p.context_tokens)) FILTER (WHERE r.cost_usd IS NULL)::DOUBLE AS u_prompt,
        sum(coalesce(r.completion_tokens, 0)) FILTER (WHERE r.cost_usd IS NULL)::DOUBLE AS u_completion,
        sum(coalesce(r.reasoning_tokens, 0)) FILTER (WHERE r.cost_usd IS NULL)::DOUBLE AS u_reasoning,
        sum(coalesce(r.cached_tokens, 0)) FILTER (WHERE r.cost_usd IS NULL)::DOUBLE AS u_cached
      FROM requests r JOIN profiles p USING (request_id)
      WHERE $1::VARCHAR IS NULL OR r.feature = $1::VARCHAR
      GROUP BY ALL`;
    await withDb(async (h) => {
      for (const feature of [null, 'support_ticket_drafting']) {
        const n = (sql: string) => h.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (${sql})`, [feature]);
        const buckets = (await n(BUCKETS_SQL))!.n;
        expect(buckets).toBe((await n(plain))!.n);
        expect(buckets).toBeGreaterThan(feature === null ? 40 : 5);
        // Same columns, same rows; the cost sums may differ in the last bits (another summation order).
        const differ = async (a: string, b: string) =>
          (await n(`(SELECT * EXCLUDE (logged_cost) FROM (${a})) EXCEPT ALL (SELECT * EXCLUDE (logged_cost) FROM (${b}))`))!.n;
        expect(await differ(BUCKETS_SQL, plain)).toBe(0);
        expect(await differ(plain, BUCKETS_SQL)).toBe(0);
        const cost = await h.one<{ n: number; off: number }>(
          `SELECT count(*)::INTEGER AS n, coalesce(max(abs(a.logged_cost - b.logged_cost) / greatest(abs(b.logged_cost), 1e-12)), 0) AS off
           FROM (${BUCKETS_SQL}) a JOIN (${plain}) b USING (bucket_id) WHERE (a.logged_cost IS NULL) = (b.logged_cost IS NULL)`,
          [feature],
        );
        expect(cost!.n).toBe(buckets);
        expect(cost!.off).toBeLessThan(1e-12);
      }
    });
  });

  it('every pnyx write drops the report_* tables in its own transaction', async () => {
    expect(await reportTables()).toEqual(ALL_REPORT_TABLES);
    const repeats = join(t.path, 'repeats.jsonl');
    writeFileSync(repeats, lines.slice(0, 10).join('\n') + '\n');
    analyze(repeats); // nothing new: every record is a duplicate, yet the ingest commit ran
    expect(await reportTables()).toEqual([]);
    // Asked not to refresh, stale aggregates leave the caller computing live, and nothing is stored.
    expect(await withDb((h) => currentAggregates(h, 'cached', false))).toBe('live');
    expect(await reportTables()).toEqual([]);
    expect((await cachedAndLive()).reused).toBe(false);
  });

  it('after edits by hand that the guard sees (deleted rows, a newer classified_at)', async () => {
    const before = await withDb(dataGuard);
    await withDb((h) =>
      h.run("UPDATE profiles SET complexity = 1, reasoning = 1, classified_at = now()::TIMESTAMP WHERE request_id IN (SELECT request_id FROM requests WHERE feature = 'email_autocomplete' LIMIT 140)"),
    );
    expect(await withDb(dataGuard)).not.toBe(before);
    const edited = await cachedAndLive();
    expect(edited.reused).toBe(false);
    expect(edited.cached.features.find((f) => f.feature === 'email_autocomplete')).not.toEqual(previous.features.find((f) => f.feature === 'email_autocomplete'));

    await withDb((h) => h.run("DELETE FROM requests WHERE feature = 'pipeline_forecast'"));
    const moved = await cachedAndLive();
    expect(moved.cached.features.map((f) => f.feature)).not.toContain('pipeline_forecast');
    previous = moved.cached;
  });

  it('an in-place UPDATE by hand is not seen (documented); dropping report_state recomputes', async () => {
    const before = await withDb(dataGuard);
    await withDb((h) => h.run("UPDATE requests SET cost_usd = cost_usd * 2 WHERE feature = 'lead_scoring'"));
    expect(await withDb(dataGuard)).toBe(before);
    await withDb((h) => h.run('DROP TABLE report_state'));
    const { cached } = await cachedAndLive();
    expect(cached.features.find((f) => f.feature === 'lead_scoring')!.monthly_cost.current).not.toBe(
      previous.features.find((f) => f.feature === 'lead_scoring')!.monthly_cost.current,
    );
    previous = cached;
  });

  it('a stored report is kept per input: feature, config, catalog scores', async () => {
    expect((await cachedAndLive()).reused).toBe(true);
    const n = await withDb(storedReportCount);
    expect((await cachedAndLive({ feature: 'lead_scoring' })).reused).toBe(false);
    expect(await withDb(storedReportCount)).toBe(n + 1);
    // Other scores: the stored report of the same flags is not reused.
    const scores = join(t.path, 'scores.csv');
    writeFileSync(scores, 'model,capability,score,n\ndeepseek/deepseek-v3.2,reasoning,0.99,500\n');
    const r = runCli(['--db', db, 'catalog', 'import-scores', scores], { cwd: t.path });
    expect(r.code, r.stderr).toBe(0);
    expect((await cachedAndLive()).reused).toBe(false);
    // Another policy file: likewise.
    writeFileSync(join(t.path, 'pnyx.config.json'), JSON.stringify({ sample_rate: 0.5 }));
    try {
      expect((await cachedAndLive()).reused).toBe(false);
    } finally {
      rmSync(join(t.path, 'pnyx.config.json'));
    }
  });

  it('after re-classification of stored requests (analyze re-profiles those of another classifier version)', async () => {
    await withDb((h) => h.run("UPDATE profiles SET classifier_version = 'old'"));
    expect(await reportTables()).toEqual(ALL_REPORT_TABLES);
    expect(await withDb((h) => reclassifyStale(h))).toBe(previous.totals.requests);
    expect(await reportTables()).toEqual([]);
    const { cached } = await cachedAndLive();
    // The hand-edited profiles are classified again: email_autocomplete's summary changes back.
    expect(cached.features.find((f) => f.feature === 'email_autocomplete')).not.toEqual(previous.features.find((f) => f.feature === 'email_autocomplete'));
    previous = cached;
  });

  it('after db purge', async () => {
    expect(await reportTables()).toEqual(ALL_REPORT_TABLES);
    const r = runCli(['--db', db, 'db', 'purge', '--before', '2026-08-13'], { cwd: t.path });
    expect(r.code, r.stderr).toBe(0);
    expect(await reportTables()).toEqual([]);
    const { cached } = await cachedAndLive();
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
    await withDb((h) => h.run("DELETE FROM requests WHERE feature = 'lead_scoring'"));
    const ro2 = await PnyxDb.open(db, { readOnly: true });
    try {
      expect(await currentAggregates(ro2, 'cached')).toBe('live');
    } finally {
      ro2.close();
    }
  });
});
