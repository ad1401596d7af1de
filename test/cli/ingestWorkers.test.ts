import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PnyxDb } from '../../src/db/database.js';
import { sampleFraction } from '../../src/core/sample.js';
import { runCli, tempDir } from '../helpers/cli.js';

const t = tempDir();
afterAll(t.cleanup);

const FEATURES = ['email_autocomplete', 'support_chat', 'lead_scoring'];
function record(i: number, variant = '') {
  return {
    id: `req-${i}`,
    timestamp: new Date(Date.UTC(2026, 7, 10, 8, 0, i)).toISOString(),
    metadata: { feature: FEATURES[i % 3], tenant_id: `t${i % 5}` },
    request: {
      model: i % 2 ? 'openai/gpt-4.1-mini' : 'anthropic/claude-sonnet-4.5',
      messages: [
        { role: 'system', content: 'You answer CRM questions.' },
        { role: 'user', content: `Question ${i}${variant}: summarize the account history and list ${i % 7} next steps. ${'Details. '.repeat(i % 40)}` },
      ],
    },
    response: { choices: [{ finish_reason: 'stop' }], usage: { prompt_tokens: 100 + i, completion_tokens: 20 } },
    latency_ms: 300 + i,
    cost_usd: 0.001 * (i % 9),
  };
}

/** 400 lines: valid records, bad JSON, a record without a model, blank lines, repeats and a conflicting repeat. */
function fixture(): string {
  const lines: string[] = [];
  for (let i = 0; i < 380; i++) {
    lines.push(JSON.stringify(record(i)));
    if (i % 50 === 7) lines.push('{"id": "broken", ');
    if (i % 90 === 11) lines.push('');
  }
  lines.push(JSON.stringify(record(3)), JSON.stringify(record(4, ' (edited)')), JSON.stringify({ id: 'x', request: { messages: [] } }));
  return lines.join('\n') + '\n';
}

async function dump(db: string) {
  const h = await PnyxDb.open(db, { readOnly: true });
  try {
    return {
      requests: await h.all('SELECT * EXCLUDE (ingested_at) FROM requests ORDER BY source_line'),
      rejects: await h.all('SELECT source_file, line, field, reason, raw FROM rejects ORDER BY line, reason'),
      profiles: await h.all('SELECT * EXCLUDE (classified_at) FROM profiles ORDER BY request_id'),
      runs: await h.all('SELECT path, sample_rate, read_count, stored, duplicates, rejected, sampled_out FROM ingest_runs'),
    };
  } finally {
    h.close();
  }
}

function counts(stderr: string) {
  const m = /(\d+) read, (\d+) stored, (\d+) duplicates, (\d+) rejected(?:, (\d+) sampled out)?/.exec(stderr);
  if (!m) throw new Error(`no counts line in: ${stderr}`);
  const n = (k: number) => Number(m[k] ?? 0);
  return { read: n(1), stored: n(2), duplicates: n(3), rejected: n(4), sampledOut: n(5) };
}

describe('pnyx analyze: parse workers', () => {
  const log = join(t.path, 'log.jsonl');
  beforeAll(() => writeFileSync(log, fixture()));

  it('stores byte-identical rows, rejects and profiles with worker threads and small batches as inline', async () => {
    const inline = runCli(['analyze', log, '--db', join(t.path, 'inline.duckdb')], { env: { PNYX_WORKERS: '0' } });
    const pooled = runCli(['analyze', log, '--db', join(t.path, 'pooled.duckdb')], { env: { PNYX_WORKERS: '2', PNYX_BATCH_BYTES: '4096' } });
    expect(inline.code).toBe(0);
    expect(pooled.code).toBe(0);
    const c = counts(inline.stderr);
    // 380 distinct ids + 2 repeats (one with other content) + 8 broken lines + 1 without a model.
    expect(c).toEqual({ read: 391, stored: 380, duplicates: 1, rejected: 10, sampledOut: 0 });
    expect(counts(pooled.stderr)).toEqual(c);
    const a = await dump(join(t.path, 'inline.duckdb'));
    const b = await dump(join(t.path, 'pooled.duckdb'));
    expect(a.requests).toHaveLength(380);
    expect(a.profiles).toHaveLength(380);
    expect(a.rejects.map((r) => r.field)).toEqual([...Array(8).fill('(json)'), 'request_id', 'request.model']);
    expect(b.requests).toEqual(a.requests);
    expect(b.rejects).toEqual(a.rejects);
    expect(b.profiles).toEqual(a.profiles);
    expect(b.runs).toEqual(a.runs);
    expect(a.runs).toEqual([{ path: log, sample_rate: 1, read_count: 391, stored: 380, duplicates: 1, rejected: 10, sampled_out: 0 }]);
  });

  it('stores the same through the ChunkPump (default) as through Appenders on the main thread (PNYX_PUMP=0)', async () => {
    const pumped = runCli(['analyze', log, '--db', join(t.path, 'pumped.duckdb')], { env: { PNYX_WORKERS: '2', PNYX_BATCH_BYTES: '4096' } });
    const appended = runCli(['analyze', log, '--db', join(t.path, 'appended.duckdb')], { env: { PNYX_WORKERS: '2', PNYX_BATCH_BYTES: '4096', PNYX_PUMP: '0' } });
    expect(pumped.code).toBe(0);
    expect(appended.code).toBe(0);
    expect(counts(appended.stderr)).toEqual(counts(pumped.stderr));
    const a = await dump(join(t.path, 'pumped.duckdb'));
    const b = await dump(join(t.path, 'appended.duckdb'));
    expect([a.requests.length, a.profiles.length, a.rejects.length]).toEqual([380, 380, 10]);
    expect(b).toEqual(a);
  });

  it('--sample keeps the same requests on every run, chosen by id hash, and records the rate', async () => {
    const runs = ['s1', 's2'].map((name) => {
      const r = runCli(['analyze', log, '--sample', '0.3', '--db', join(t.path, `${name}.duckdb`)], { env: { PNYX_WORKERS: '2', PNYX_BATCH_BYTES: '8192' } });
      expect(r.code).toBe(0);
      return r;
    });
    const c = counts(runs[0]!.stderr);
    const expectedIds = Array.from({ length: 380 }, (_, i) => `req-${i}`).filter((id) => sampleFraction(id) < 0.3).sort();
    const first = await dump(join(t.path, 's1.duckdb'));
    const second = await dump(join(t.path, 's2.duckdb'));
    expect(first.requests.map((r) => r.request_id).sort()).toEqual(expectedIds);
    expect(second.requests).toEqual(first.requests);
    expect(c.stored).toBe(expectedIds.length);
    expect(c.read).toBe(c.stored + c.duplicates + c.rejected + c.sampledOut);
    expect(first.runs).toEqual([{ path: log, sample_rate: 0.3, read_count: 391, stored: c.stored, duplicates: c.duplicates, rejected: 10, sampled_out: c.sampledOut }]);
    expect(runCli(['analyze', log, '--sample', '2', '--db', join(t.path, 's3.duckdb')]).stderr).toContain('--sample 2: expected a fraction');
  });
});
