import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSchema, type Report } from '../../src/core/report.js';
import { PnyxDb } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';

const t = tempDir();
afterAll(t.cleanup);
const db = join(t.path, 'x.duckdb');

/** Traffic of three features; profiles are written directly (the classifier's output is not under test here). */
const FEATURES = {
  email_autocomplete: { model: 'anthropic/claude-sonnet-4.5', reasoning: 0.05, complexity: 0.15, latency: 0.9 },
  email_digest: { model: 'anthropic/claude-sonnet-4.5', reasoning: 0.05, complexity: 0.15, latency: 0.2 },
  forecast: { model: 'meta-llama/llama-3.1-8b-instruct', reasoning: 0.95, complexity: 0.9, latency: 0.1 },
} as const;

beforeAll(async () => {
  const lines: string[] = [];
  let i = 0;
  for (const [feature, f] of Object.entries(FEATURES)) {
    for (let k = 0; k < 120; k++, i++) {
      lines.push(
        JSON.stringify({
          id: `r${i}`,
          timestamp: new Date(Date.UTC(2026, 7, 1) + i * 600_000).toISOString(),
          metadata: { feature },
          request: { model: f.model, messages: [{ role: 'user', content: `SECRET-PROMPT-${i}` }] },
          response: { usage: { prompt_tokens: 900, completion_tokens: 120 } },
        }),
      );
    }
  }
  writeFileSync(join(t.path, 'logs.jsonl'), lines.join('\n') + '\n');
  expect(runCli(['--db', db, 'analyze', join(t.path, 'logs.jsonl')]).code).toBe(0);
  const h = await PnyxDb.open(db);
  try {
    for (const [feature, f] of Object.entries(FEATURES)) {
      await h.run('DELETE FROM profiles WHERE request_id IN (SELECT request_id FROM requests WHERE feature = $1)', [feature]);
      await h.run(
        `INSERT INTO profiles SELECT request_id, 'test', 'text_generation', 'general', $1, 'free_text', false, $2, 0, 0.05,
           900, false, false, 'en', $3, []::VARCHAR[], now()::TIMESTAMP FROM requests WHERE feature = $4`,
        [f.reasoning, f.latency, f.complexity, feature],
      );
    }
  } finally {
    h.close();
  }
});

function reportJson(args: string[] = []): Report {
  const r = runCli(['--db', db, 'report', '--format', 'json', ...args], { cwd: t.path });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return ReportSchema.parse(JSON.parse(r.stdout));
}

describe('pnyx report', () => {
  it('json: schema-valid, a verdict per feature reached from the profiles and the bundled catalog', () => {
    const rep = reportJson(['--sample-rate', '0.5']);
    const byName = Object.fromEntries(rep.features.map((f) => [f.feature, f]));
    expect(Object.keys(byName).sort()).toEqual(['email_autocomplete', 'email_digest', 'forecast']);
    expect(byName.email_autocomplete!.verdict).toBe('over-provisioned');
    expect(byName.forecast!.verdict).toBe('under-provisioned');
    expect(byName.forecast!.recommendation.routes[0]!.tier).toMatch(/frontier|mid/);
    expect(rep.catalog.source).toBe('bundled');
    expect(rep.sample_rate).toBe(0.5);
    // sample rate 0.5 doubles the monthly figure of rate 1
    const full = reportJson();
    const ratio = rep.features[0]!.monthly_cost.current! / full.features[0]!.monthly_cost.current!;
    expect(ratio).toBeCloseTo(2, 10);
    expect(JSON.stringify(rep)).not.toContain('SECRET-PROMPT');
  });

  it('--feature: unique prefix or substring; ambiguous lists the candidates', () => {
    expect(reportJson(['--feature', 'forec']).features.map((f) => f.feature)).toEqual(['forecast']);
    expect(reportJson(['--feature', 'autoc']).features.map((f) => f.feature)).toEqual(['email_autocomplete']);
    const amb = runCli(['--db', db, 'report', '--feature', 'email'], { cwd: t.path });
    expect(amb.code).toBe(2);
    expect(amb.stderr).toBe('pnyx: --feature email is ambiguous: email_autocomplete, email_digest\n');
    expect(runCli(['--db', db, 'report', '--feature', 'nope'], { cwd: t.path }).code).toBe(11);
  });

  it('--fail-on exits 20 after printing the report; an unmatched gate exits 0', () => {
    const r = runCli(['--db', db, 'report', '--format', 'markdown', '--fail-on', 'under,mixed'], { cwd: t.path });
    expect(r.code).toBe(20);
    expect(r.stdout).toContain('| forecast |');
    expect(r.stderr).toBe('pnyx: --fail-on under,mixed: forecast (under-provisioned)\n');
    expect(runCli(['--db', db, 'report', '--feature', 'forecast', '--fail-on', 'over'], { cwd: t.path }).code).toBe(0);
    expect(runCli(['--db', db, 'report', '--fail-on', 'sideways'], { cwd: t.path }).code).toBe(2);
  });

  it('html goes to reports/ by default, owner-only', () => {
    const r = runCli(['--db', db, 'report', '--format', 'html'], { cwd: t.path });
    expect(r.code).toBe(0);
    const path = join(t.path, 'reports/pnyx-report.html');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('<h2>forecast <span class="verdict under">under-provisioned</span></h2>');
  });

  it('the routing policy file: blocked providers are not recommended, violations gate', () => {
    writeFileSync(join(t.path, 'policy.yaml'), 'policy:\n  blocked_providers: [openai, anthropic]\nfeatures:\n  forecast:\n    blocked_providers: [meta-llama]\n');
    const rep = reportJson(['--config', join(t.path, 'policy.yaml')]);
    const routes = rep.features.flatMap((f) => f.recommendation.routes.map((x) => x.model));
    expect(routes.some((m) => m.startsWith('openai/') || m.startsWith('anthropic/'))).toBe(false);
    const forecast = rep.features.find((f) => f.feature === 'forecast')!;
    expect(forecast.violations).toEqual([{ rule: 'blocked', model: 'meta-llama/llama-3.1-8b-instruct', message: 'meta-llama/llama-3.1-8b-instruct: provider meta-llama blocked by policy' }]);
    expect(runCli(['--db', db, 'report', '--config', join(t.path, 'policy.yaml'), '--fail-on', 'violation'], { cwd: t.path }).code).toBe(20);
    writeFileSync(join(t.path, 'bad.json'), '{"policy": {"quality_floor": 3}}');
    const bad = runCli(['--db', db, 'report', '--config', join(t.path, 'bad.json')], { cwd: t.path });
    expect(bad.code).toBe(10);
    expect(bad.stderr).toMatch(/bad\.json: invalid config: policy\.quality_floor/);
  });
});

describe('pnyx export', () => {
  it('csv without prompt text unless --show-text; every request with its recommendation', () => {
    const out = join(t.path, 'exp.csv');
    expect(runCli(['--db', db, 'export', '--format', 'csv', '--out', out], { cwd: t.path }).code).toBe(0);
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(361);
    expect(csv[0]).toContain('recommended_model');
    expect(csv.join('\n')).not.toContain('SECRET-PROMPT');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(runCli(['--db', db, 'export', '--format', 'jsonl', '--out', join(t.path, 'exp.jsonl'), '--show-text'], { cwd: t.path }).code).toBe(0);
    const first = JSON.parse(readFileSync(join(t.path, 'exp.jsonl'), 'utf8').split('\n')[0]!);
    expect(first.messages).toContain('SECRET-PROMPT');
    expect(first.feature_verdict).toBe('over-provisioned');
  });

  it('arrow: an IPC stream readable by apache-arrow', async () => {
    const { tableFromIPC } = await import('apache-arrow');
    const out = join(t.path, 'exp.arrows');
    expect(runCli(['--db', db, 'export', '--format', 'arrow', '--out', out], { cwd: t.path }).code).toBe(0);
    const table = tableFromIPC(readFileSync(out));
    expect(table.numRows).toBe(360);
    expect(table.schema.fields.find((f) => f.name === 'recommended_model')?.type.toString()).toBe('Utf8');
  });
});
