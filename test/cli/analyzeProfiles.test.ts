import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSIFIER_VERSION, classifyPrompt } from '../../src/core/classifier/index.js';
import { PnyxDb } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';

const t = tempDir();
afterAll(t.cleanup);
const db = join(t.path, 'x.duckdb');
const logs = join(t.path, 'logs.jsonl');

const PROMPTS = [
  'Summarize this support ticket for the account owner: the nightly sync failed three times this week.',
  'Write a SQL query that returns the top 10 customers by revenue this quarter.',
  "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did she sell altogether?",
];

async function withDb<T>(fn: (h: PnyxDb) => Promise<T>): Promise<T> {
  const h = await PnyxDb.open(db);
  try {
    return await fn(h);
  } finally {
    h.close();
  }
}

beforeAll(() => {
  const recs = Array.from({ length: 30 }, (_, i) => ({
    id: `req-${i}`,
    metadata: { feature: ['summaries', 'sql_reports', 'math_help'][i % 3] },
    request: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `${PROMPTS[i % 3]} (#${i})` }], max_tokens: 256 },
    response: { usage: { prompt_tokens: 40 + i, completion_tokens: 20 } },
  }));
  writeFileSync(logs, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
});

describe('pnyx analyze stores capability profiles', () => {
  it('profiles every stored request with the current classifier, as classifyPrompt would', async () => {
    const r = runCli(['--db', db, 'analyze', logs]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('30 profiled');
    expect(r.stdout).toContain('task mix per feature');
    expect(r.stdout).toMatch(/^\s+sql_reports\s+code_generation 100%$/m);
    const rows = await withDb((h) =>
      h.all<{ request_id: string; classifier_version: string | null; task_type: string | null; domain: string | null; reasoning: number | null; context_tokens: number | null }>(
        `SELECT r.request_id, p.classifier_version, p.task_type, p.domain, p.reasoning, p.context_tokens
         FROM requests r LEFT JOIN profiles p USING (request_id) ORDER BY r.request_id`,
      ),
    );
    expect(rows).toHaveLength(30);
    expect(rows.every((x) => x.classifier_version === CLASSIFIER_VERSION)).toBe(true);
    const r2 = rows.find((x) => x.request_id === 'req-2')!;
    const expected = classifyPrompt({
      system_prompt: null,
      messages: [{ role: 'user', content: `${PROMPTS[2]} (#2)`, attachments: 0 }],
      tools: null,
      response_format: null,
      max_tokens: 256,
      stream: null,
      prompt_tokens: 42,
      has_prompt_text: true,
    });
    expect(r2).toMatchObject({ task_type: expected.task_type, domain: expected.domain, reasoning: expected.reasoning, context_tokens: 42 });
    expect(r2.domain).toBe('math');
  });

  it('re-classifies profiles of an older classifier version on the next run, and only those', async () => {
    await withDb(async (h) => {
      await h.run(`UPDATE profiles SET classifier_version = 'cls-0.0.1', task_type = 'other' WHERE request_id IN ('req-1', 'req-4')`);
      await h.run(`DELETE FROM profiles WHERE request_id = 'req-7'`);
    });
    const r = runCli(['--db', db, 'analyze', logs, '--reingest']);
    expect(r.code).toBe(0);
    // req-7 is read again from the log and profiled on its original text; the two stale ones are
    // re-classified from the stored text.
    expect(r.stderr).toContain('1 profiled, 2 stored requests re-classified');
    const rows = await withDb((h) => h.all<{ request_id: string; classifier_version: string; task_type: string }>(`SELECT request_id, classifier_version, task_type FROM profiles ORDER BY request_id`));
    expect(rows).toHaveLength(30);
    expect(rows.every((x) => x.classifier_version === CLASSIFIER_VERSION)).toBe(true);
    expect(rows.find((x) => x.request_id === 'req-1')!.task_type).toBe('code_generation');
  });

  it('keeps the ingest-time profile of requests stored without text (--store-text hash)', async () => {
    const hashed = join(t.path, 'hashed.duckdb');
    expect(runCli(['--db', hashed, 'analyze', '--store-text', 'hash', logs]).code).toBe(0);
    const h = await PnyxDb.open(hashed);
    try {
      await h.run(`UPDATE profiles SET classifier_version = 'cls-0.0.1' WHERE request_id = 'req-2'`);
    } finally {
      h.close();
    }
    const r = runCli(['--db', hashed, 'analyze', '--store-text', 'hash', logs, '--reingest']);
    expect(r.stderr).toContain('0 profiled\n');
    const h2 = await PnyxDb.open(hashed);
    try {
      // A fingerprint is not re-classified: the profile made from the original text stays.
      expect(await h2.one(`SELECT classifier_version, domain FROM profiles WHERE request_id = 'req-2'`)).toEqual({ classifier_version: 'cls-0.0.1', domain: 'math' });
    } finally {
      h2.close();
    }
  });

  it('pnyx explain shows the profile and metadata, and the prompt only with --show-text', () => {
    const r = runCli(['--db', db, 'explain', 'req-2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^feature\s+math_help$/m);
    expect(r.stdout).toMatch(/^model\s+openai\/gpt-4o-mini$/m);
    expect(r.stdout).toMatch(/^domain\s+math$/m);
    expect(r.stdout).not.toContain('Natalia');
    const withText = runCli(['--db', db, 'explain', 'req-2', '--show-text']);
    expect(withText.stdout).toContain('Natalia sold clips');
    expect(runCli(['--db', db, 'explain', 'nope']).code).toBe(11);
  });
});
