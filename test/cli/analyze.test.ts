import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { PnyxDb } from '../../src/db/database.js';
import { APPENDER_FLUSH_ROWS } from '../../src/db/requests.js';
import { BIN, runCli, tempDir } from '../helpers/cli.js';

const t = tempDir();
afterAll(t.cleanup);

function record(i: number, feature = i % 3 === 0 ? 'lead_scoring' : 'email_autocomplete') {
  return {
    id: `req-${i}`,
    timestamp: new Date(Date.UTC(2026, 7, 10, 8, i)).toISOString(),
    metadata: { feature, tenant_id: `t${i % 4}` },
    request: { model: feature === 'lead_scoring' ? 'deepseek/deepseek-v3.2' : 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: `Prompt number ${i}` }] },
    response: { choices: [{ finish_reason: 'stop' }], usage: { prompt_tokens: 100 + i, completion_tokens: 20 } },
    latency_ms: 300 + i * 10,
    cost_usd: 0.001,
  };
}
const jsonl = (recs: object[]) => recs.map((r) => JSON.stringify(r)).join('\n') + '\n';
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);

async function query<T extends Record<string, unknown>>(db: string, sql: string): Promise<T[]> {
  const h = await PnyxDb.open(db, { readOnly: true });
  try {
    return await h.all<T>(sql);
  } finally {
    h.close();
  }
}

function counts(stderr: string) {
  const m = /(\d+) read, (\d+) stored, (\d+) duplicates, (\d+) rejected/.exec(stderr);
  if (!m) throw new Error(`no counts line in: ${stderr}`);
  const [read, stored, duplicates, rejected] = m.slice(1).map(Number);
  return { read, stored, duplicates, rejected };
}

describe('pnyx analyze: ingest', () => {
  const db = join(t.path, 'main.duckdb');
  const a = join(t.path, 'a.jsonl');
  const b = join(t.path, 'b.jsonl');
  beforeAll(() => {
    writeFileSync(a, jsonl(range(0, 30).map((i) => record(i))));
    writeFileSync(b, jsonl(range(20, 45).map((i) => record(i))));
  });

  it('stores every record and prints the per-feature summary', async () => {
    const r = runCli(['analyze', a, '--db', db]);
    expect(r.code).toBe(0);
    expect(counts(r.stderr)).toEqual({ read: 30, stored: 30, duplicates: 0, rejected: 0 });
    expect(r.stdout).toContain('email_autocomplete');
    expect(r.stdout).toContain('lead_scoring');
    expect(r.stdout).toContain('deepseek/deepseek-v3.2 100%');
    const rows = await query<{ feature: string; n: number; tokens: number }>(db, 'SELECT feature, count(*) AS n, sum(prompt_tokens)::INTEGER AS tokens FROM requests GROUP BY feature ORDER BY feature');
    expect(rows).toEqual([
      { feature: 'email_autocomplete', n: 20, tokens: range(0, 30).filter((i) => i % 3 !== 0).reduce((s, i) => s + 100 + i, 0) },
      { feature: 'lead_scoring', n: 10, tokens: range(0, 30).filter((i) => i % 3 === 0).reduce((s, i) => s + 100 + i, 0) },
    ]);
  });

  it('skips a file ingested before with the same content and options; --reingest or other options read it again, adding nothing', async () => {
    const r = runCli(['analyze', a, '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`pnyx: ${a}: skipped, ingested before with the same content and options (--reingest reads it again)`);
    expect(counts(r.stderr)).toEqual({ read: 0, stored: 0, duplicates: 0, rejected: 0 });
    expect(r.stdout).toContain('email_autocomplete');
    // The same content under another name is the same file.
    const copy = join(t.path, 'copy-of-a.jsonl');
    copyFileSync(a, copy);
    expect(runCli(['analyze', copy, '--db', db]).stderr).toContain(`pnyx: ${copy}: skipped`);
    const again = runCli(['analyze', a, '--db', db, '--reingest']);
    expect(counts(again.stderr)).toEqual({ read: 30, stored: 0, duplicates: 30, rejected: 0 });
    const other = runCli(['analyze', a, '--db', db, '--store-text', 'full']);
    expect(other.stderr).not.toContain('skipped');
    expect(counts(other.stderr)).toEqual({ read: 30, stored: 0, duplicates: 30, rejected: 0 });
    expect((await query(db, 'SELECT count(*) AS n FROM requests'))[0]).toEqual({ n: 30 });
  });

  it('a log that grew by appending is read from where the last run ended; a changed one is read whole', async () => {
    const grown = join(t.path, 'grown.jsonl');
    const lines = readFileSync(a, 'utf8').trimEnd().split('\n');
    writeFileSync(grown, lines.slice(0, 20).join('\n') + '\n\n');
    const db2 = join(t.path, 'grown.duckdb');
    expect(counts(runCli(['analyze', grown, '--db', db2]).stderr)).toEqual({ read: 20, stored: 20, duplicates: 0, rejected: 0 });
    appendFileSync(grown, lines.slice(20, 25).join('\n') + '\n{"broken"\n');
    const r = runCli(['analyze', grown, '--db', db2]);
    expect(r.stderr).toContain(`pnyx: ${grown}: grew since it was last read; read from line 22 on`);
    expect(counts(r.stderr)).toEqual({ read: 6, stored: 5, duplicates: 0, rejected: 1 });
    expect(r.stderr).toContain('5 profiled');
    // Line numbers stay the file's own.
    expect(r.stderr).toContain(`${grown}:27: (json)`);
    const stored = await query<{ line: number }>(db2, 'SELECT source_line::INTEGER AS line FROM requests ORDER BY source_line');
    expect(stored.map((x) => x.line)).toEqual([...range(1, 21), ...range(22, 27)]);
    // A rewritten beginning is a different file: read whole, its old records found again.
    writeFileSync(grown, [` ${lines[0]!}`, ...lines.slice(1, 30)].join('\n') + '\n');
    const whole = runCli(['analyze', grown, '--db', db2]);
    expect(whole.stderr).not.toContain('grew since');
    expect(counts(whole.stderr)).toEqual({ read: 30, stored: 5, duplicates: 25, rejected: 0 });
  });

  it('keeps one copy of rows that overlap between files', async () => {
    const r = runCli(['analyze', b, '--db', db]);
    expect(counts(r.stderr)).toEqual({ read: 25, stored: 15, duplicates: 10, rejected: 0 });
    expect((await query(db, 'SELECT count(*) AS n, count(DISTINCT request_id) AS d FROM requests'))[0]).toEqual({ n: 45, d: 45 });
    // ingested_files keeps each file's latest run (a.jsonl's was the no-op re-run with --store-text full).
    const files = await query<{ path: string; read_count: number; stored: number; duplicates: number }>(db, 'SELECT path, read_count, stored, duplicates FROM ingested_files ORDER BY path');
    expect(files).toEqual([
      { path: a, read_count: 30, stored: 0, duplicates: 30 },
      { path: b, read_count: 25, stored: 15, duplicates: 10 },
    ]);
  });

  it('creates the database readable by its owner only', () => {
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(statSync(t.path).isDirectory()).toBe(true);
  });
});

describe('pnyx analyze: malformed input', () => {
  const db = join(t.path, 'bad.duckdb');
  const f = join(t.path, 'mixed.jsonl');
  const good = (i: number) => JSON.stringify(record(100 + i));
  beforeAll(() => {
    const dupConflict = { ...record(100), request: { model: 'x/other', messages: [{ role: 'user', content: 'different' }] } };
    writeFileSync(
      f,
      [
        good(0),
        '{"id": "broken", "request": {',
        '',
        JSON.stringify({ id: 'neg', model: 'm', prompt: 'p', prompt_tokens: -3 }),
        JSON.stringify({ id: 'nomodel', messages: [{ role: 'user', content: 'hi' }] }),
        good(1),
        JSON.stringify({ unrelated: true }),
        JSON.stringify(dupConflict),
        good(1),
      ].join('\r\n'),
    );
  });

  it('stores the good records, keeps the bad ones aside with file, line and reason', async () => {
    const r = runCli(['analyze', f, '--db', db]);
    expect(r.code).toBe(0);
    expect(counts(r.stderr)).toEqual({ read: 8, stored: 2, duplicates: 1, rejected: 5 });
    expect(r.stderr).toContain(`${f}:2: (json): invalid JSON`);
    expect(r.stderr).toContain(`${f}:4: prompt_tokens: must be >= 0, got -3`);
    expect(r.stderr).toContain(`${f}:5: model: missing model`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const rejects = await query<{ line: number; field: string }>(db, 'SELECT line, field FROM rejects ORDER BY line');
    expect(rejects).toEqual([
      { line: 2, field: '(json)' },
      { line: 4, field: 'prompt_tokens' },
      { line: 5, field: 'model' },
      { line: 7, field: '(record)' },
      { line: 8, field: 'request_id' },
    ]);
    const raw = await query<{ raw: string }>(db, 'SELECT raw FROM rejects WHERE line = 2');
    expect(raw[0]!.raw).toBe('{"id": "broken", "request": {');
  });

  it('does not double-count rejects when the file is ingested again', async () => {
    expect(runCli(['analyze', f, '--db', db]).stderr).toContain('skipped');
    const r = runCli(['analyze', f, '--db', db, '--reingest']);
    expect(counts(r.stderr)).toEqual({ read: 8, stored: 0, duplicates: 3, rejected: 5 });
    expect((await query(db, 'SELECT count(*) AS n FROM rejects'))[0]).toEqual({ n: 5 });
  });

  it('exits non-zero with one clear line when nothing can be read', () => {
    const bad = join(t.path, 'allbad.jsonl');
    writeFileSync(bad, '{nope\n[1]\n');
    const r = runCli(['analyze', bad, '--db', join(t.path, 'allbad.duckdb')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`pnyx: no record could be read from ${bad}: all 2 rejected`);
  });

  it('names a missing file and an empty file', () => {
    const missing = runCli(['analyze', join(t.path, 'nope.jsonl'), '--db', join(t.path, 'm.duckdb')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim()).toBe(`pnyx: ${join(t.path, 'nope.jsonl')}: no such file`);
    const empty = join(t.path, 'empty.jsonl');
    writeFileSync(empty, '');
    const e = runCli(['analyze', empty, '--db', join(t.path, 'm.duckdb')]);
    expect(e.code).toBe(4);
    expect(e.stderr).toContain(`pnyx: no records found in ${empty}`);
  });
});

describe('pnyx analyze: file kinds', () => {
  const recs = range(0, 12).map((i) => record(200 + i));
  const src = join(t.path, 'kinds.jsonl');
  beforeAll(async () => {
    writeFileSync(src, jsonl(recs));
    writeFileSync(join(t.path, 'kinds.jsonl.gz'), gzipSync(jsonl(recs)));
    writeFileSync(join(t.path, 'kinds.json'), JSON.stringify(recs));
    writeFileSync(join(t.path, 'fake.jsonl.gz'), jsonl(recs));
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    await c.run(`COPY (SELECT * FROM read_json('${src}', format = 'newline_delimited')) TO '${join(t.path, 'kinds.parquet')}' (FORMAT parquet)`);
    await c.run(
      `COPY (SELECT id, timestamp, metadata.feature AS feature, request.model AS model, to_json(request.messages) AS messages,
                    response.usage.prompt_tokens AS prompt_tokens, latency_ms
             FROM read_json('${src}', format = 'newline_delimited')) TO '${join(t.path, 'kinds.csv')}' (HEADER)`,
    );
    c.closeSync();
    inst.closeSync();
  });

  it.each(['kinds.jsonl.gz', 'kinds.json', 'kinds.parquet', 'kinds.csv'])('reads %s', async (name) => {
    const db = join(t.path, 'dbs', `${name}.duckdb`);
    const r = runCli(['analyze', join(t.path, name), '--db', db]);
    expect(r.stderr).not.toContain('rejected records');
    expect(r.code).toBe(0);
    expect(counts(r.stderr)).toEqual({ read: 12, stored: 12, duplicates: 0, rejected: 0 });
    const rows = await query<{ n: number; tokens: number; features: number }>(db, 'SELECT count(*) AS n, sum(prompt_tokens)::INTEGER AS tokens, count(DISTINCT feature) AS features FROM requests');
    expect(rows[0]).toEqual({ n: 12, tokens: range(0, 12).reduce((s, i) => s + 300 + i, 0), features: 2 });
  });

  it('reads every row of a Parquet file longer than the Appender flush interval', async () => {
    // Regression: Appender flushes on the main connection used to end a Parquet stream read
    // on it after 2 x APPENDER_FLUSH_ROWS rows, silently.
    const n = 2 * APPENDER_FLUSH_ROWS + 1000;
    const file = join(t.path, 'long.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    await c.run(
      `COPY (SELECT 'long-' || range AS id, 'openai/gpt-4o-mini' AS model, 'summarise note ' || range AS prompt,
                    CASE WHEN range % 2 = 0 THEN 'notes' ELSE 'search' END AS feature, 10 + range % 7 AS prompt_tokens
             FROM range(${n})) TO '${file}' (FORMAT parquet)`,
    );
    c.closeSync();
    inst.closeSync();
    const db = join(t.path, 'dbs', 'long.duckdb');
    const r = runCli(['analyze', file, '--db', db]);
    expect(r.code).toBe(0);
    expect(counts(r.stderr)).toEqual({ read: n, stored: n, duplicates: 0, rejected: 0 });
    const rows = await query<{ n: number; last: number; profiled: number }>(db, `SELECT count(*) AS n, max(source_line) AS last, (SELECT count(*) FROM profiles) AS profiled FROM requests`);
    expect(rows[0]).toEqual({ n, last: n, profiled: n });
  });

  it('the same records in another format are duplicates, not new rows', () => {
    const db = join(t.path, 'dbs', 'cross.duckdb');
    runCli(['analyze', join(t.path, 'kinds.jsonl.gz'), '--db', db]);
    const r = runCli(['analyze', join(t.path, 'kinds.parquet'), '--db', db]);
    expect(counts(r.stderr)).toEqual({ read: 12, stored: 0, duplicates: 12, rejected: 0 });
  });

  it('expands a quoted glob', () => {
    const r = runCli(['analyze', join(t.path, 'kinds.js*'), '--db', join(t.path, 'dbs', 'glob.duckdb')]);
    expect(counts(r.stderr)).toEqual({ read: 36, stored: 12, duplicates: 24, rejected: 0 });
  });

  it('says so when a .gz file is not gzip', () => {
    const r = runCli(['analyze', join(t.path, 'fake.jsonl.gz'), '--db', join(t.path, 'fake.duckdb')]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`pnyx: ${join(t.path, 'fake.jsonl.gz')}: named .gz but is not gzip data`);
  });
});

describe('pnyx --help and --version', () => {
  it('prints the version from package.json', () => {
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('lists analyze with its options', () => {
    const r = runCli(['analyze', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--feature-field <path...>');
    expect(r.stdout).toContain('--format <name>');
  });
  it('stops quietly when the reader of its output goes away (| head)', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" --db "${join(t.path, 'epipe.duckdb')}" catalog list | head -1`], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
    expect(r.stdout).toMatch(/^\d+ of \d+ models/);
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.status).toBe(0);
  });
  it('rejects an unknown command with a usage error', () => {
    const r = runCli(['nonsense']);
    expect(r.code).toBe(2);
  });
});
