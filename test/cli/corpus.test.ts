import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from '../helpers/cli.js';
import { expectAccountedFor, query } from '../helpers/ingest.js';

/**
 * The bad-input corpus: one case per kind of real-world mess (test/corpus/README.md lists them).
 * Every case runs the real `pnyx analyze` on a fresh database and must give precise messages or
 * correct storage, with every record accounted for (helpers/ingest.ts checks that for all).
 */
const CORPUS = join(REPO, 'test/corpus');
const t = tempDir('pnyx-corpus-');
afterAll(t.cleanup);
let n = 0;

async function analyze(file: string, ...args: string[]) {
  const db = join(t.path, `case-${n++}.duckdb`);
  const r = runCli(['analyze', file, '--db', db, ...args]);
  const counts = await expectAccountedFor(r, db);
  return { r, db, counts };
}
const corpus = (name: string) => join(CORPUS, name);
const WANT_TS = Date.UTC(2026, 7, 10, 9, 15);

describe('bad-input corpus', () => {
  it('truncated file: the cut record is a reject saying so, the rest is stored', async () => {
    const f = corpus('truncated.jsonl');
    const { r, counts } = await analyze(f);
    expect(r.code).toBe(0);
    expect(counts).toEqual({ read: 4, stored: 3, duplicates: 0, rejected: 1 });
    expect(r.stderr).toContain(`pnyx: ${f}:4: (json): invalid JSON: the record ends early (truncated line?)`);
  });

  it('invalid UTF-8: each bad line is rejected naming the byte, kept with U+FFFD in rejects, never stored altered', async () => {
    const f = corpus('invalid-utf8.jsonl');
    const { r, db, counts } = await analyze(f);
    expect(r.code).toBe(0);
    expect(counts).toEqual({ read: 5, stored: 2, duplicates: 0, rejected: 3 });
    expect(r.stderr).toContain(`${f}:2: (encoding): invalid UTF-8 at byte 40 of the line (the file must be UTF-8)`);
    expect(r.stderr).toContain(`${f}:3: (encoding): invalid UTF-8 at byte 43 of the line`);
    expect(r.stderr).toContain(`${f}:4: (encoding): invalid UTF-8 at byte 38 of the line`);
    const rejects = await query<{ line: number; has_replacement: boolean }>(db, "SELECT line, contains(raw, '\uFFFD') AS has_replacement FROM rejects ORDER BY line");
    expect(rejects).toEqual([
      { line: 2, has_replacement: true },
      { line: 3, has_replacement: true },
      { line: 4, has_replacement: true },
    ]);
    expect(await query(db, 'SELECT request_id FROM requests ORDER BY 1')).toEqual([{ request_id: 'u1' }, { request_id: 'u5' }]);
  });

  it('UTF-8 BOM: skipped, the first record reads normally', async () => {
    const { r, db, counts } = await analyze(corpus('bom.jsonl'));
    expect(r.code).toBe(0);
    expect(counts).toEqual({ read: 2, stored: 2, duplicates: 0, rejected: 0 });
    expect(await query(db, 'SELECT request_id, feature FROM requests ORDER BY 1')).toEqual([
      { request_id: 'b1', feature: 'email_draft' },
      { request_id: 'b2', feature: 'email_draft' },
    ]);
  });

  it('CRLF line endings: no stray carriage returns in stored text, blank lines are not records', async () => {
    const { counts, db } = await analyze(corpus('crlf.jsonl'), '--store-text', 'full', '--store-raw');
    expect(counts).toEqual({ read: 3, stored: 3, duplicates: 0, rejected: 0 });
    const rows = await query<{ cr: number; lines: number[] }>(db, "SELECT count(*) FILTER (WHERE contains(raw::VARCHAR, chr(13))) AS cr, list(source_line::INTEGER ORDER BY source_line) AS lines FROM requests");
    expect(rows[0]).toEqual({ cr: 0, lines: [1, 2, 4] });
  });

  it('numbers as strings are read as numbers; unreadable ones are rejects naming the field, without quoting the value', async () => {
    const f = corpus('numbers-as-strings.jsonl');
    const { r, db, counts } = await analyze(f);
    expect(counts).toEqual({ read: 3, stored: 1, duplicates: 0, rejected: 2 });
    expect(await query(db, 'SELECT prompt_tokens, completion_tokens, cost_usd, latency_ms, temperature FROM requests')).toEqual([
      { prompt_tokens: 120, completion_tokens: 30, cost_usd: 0.0012, latency_ms: 1000, temperature: 0.7 },
    ]);
    expect(r.stderr).toContain(`${f}:2: prompt_tokens: expected a number, got a string of 4 characters\n`);
    expect(r.stderr).toContain(`${f}:3: completion_tokens: expected a number, got a string of 3 characters\n`);
    expect(r.stderr).not.toContain('12,5');
    // The table keeps the quote for whoever investigates; --show-text prints it.
    expect(await query(db, 'SELECT reason FROM rejects WHERE line = 2')).toEqual([{ reason: 'expected a number, got a string of 4 characters: "12,5"' }]);
    const shown = runCli(['analyze', f, '--db', join(t.path, 'show.duckdb'), '--show-text']);
    expect(shown.stderr).toContain(`${f}:2: prompt_tokens: expected a number, got a string of 4 characters: "12,5"`);
  });

  it('negative or absurd counts, costs and latencies are rejects naming the field', async () => {
    const f = corpus('bad-counts.jsonl');
    const { r, db, counts } = await analyze(f);
    expect(counts).toEqual({ read: 6, stored: 1, duplicates: 0, rejected: 5 });
    expect(r.stderr).toContain(`${f}:1: prompt_tokens: must be >= 0, got -5`);
    expect(r.stderr).toContain(`${f}:2: completion_tokens: implausibly large: 1000000000000`);
    expect(r.stderr).toContain(`${f}:3: prompt_tokens: expected a whole number, got 1.5`);
    expect(r.stderr).toContain(`${f}:4: cost_usd: must be >= 0, got -0.01`);
    expect(r.stderr).toContain(`${f}:5: latency_ms: implausibly large: 10000000000`);
    expect(await query(db, 'SELECT request_id, prompt_tokens, cost_usd FROM requests')).toEqual([{ request_id: 'k6', prompt_tokens: 0, cost_usd: 0 }]);
  });

  it('timestamps in seven spellings are the same instant, none is NULL, nonsense is a reject', async () => {
    const f = corpus('timestamps.jsonl');
    const { r, db, counts } = await analyze(f);
    expect(counts).toEqual({ read: 10, stored: 8, duplicates: 0, rejected: 2 });
    const rows = await query<{ request_id: string; ms: number | null }>(db, 'SELECT request_id, epoch_ms(ts) AS ms FROM requests ORDER BY request_id');
    expect(rows).toEqual([
      ...['ts1', 'ts2', 'ts3', 'ts4', 'ts5', 'ts6', 'ts7'].map((id) => ({ request_id: id, ms: WANT_TS })),
      { request_id: 'ts8', ms: null },
    ]);
    expect(r.stderr).toContain(`${f}:9: timestamp: unreadable timestamp (a string of 9 characters)`);
    expect(r.stderr).toContain(`${f}:10: timestamp: timestamp out of range (before 2000 or after 2100)`);
  });

  // The committed ones plus zero-byte files of every other kind (an empty .gz is not a gzip stream).
  it.each(['empty.jsonl', 'whitespace.jsonl', 'empty.json', 'empty.csv', 'empty.parquet', 'empty.jsonl.gz'])('empty file %s: "no records found", exit 4, nothing stored', async (name) => {
    const committed = name === 'empty.jsonl' || name === 'whitespace.jsonl';
    const f = committed ? corpus(name) : join(t.path, name);
    if (!committed) writeFileSync(f, '');
    const { r, counts } = await analyze(f);
    expect(r.code).toBe(4);
    expect(counts).toEqual({ read: 0, stored: 0, duplicates: 0, rejected: 0 });
    expect(r.stderr).toContain(`pnyx: no records found in ${f}`);
  });

  it('a Parquet file with another schema: every row rejected as an unknown format, exit 4', async () => {
    const f = corpus('other-schema.parquet');
    const { r, counts } = await analyze(f);
    expect(r.code).toBe(4);
    expect(counts).toEqual({ read: 3, stored: 0, duplicates: 0, rejected: 3 });
    expect(r.stderr).toContain(`${f}:1: (record): unknown log format (fields: a, b, c)`);
    expect(r.stderr).toContain(`pnyx: no record could be read from ${f}: all 3 rejected`);
  });

  it('a Parquet file with wrong-typed cells: rows rejected naming the field, the rest stored', async () => {
    const f = corpus('wrong-types.parquet');
    const { r, db, counts } = await analyze(f);
    expect(r.code).toBe(0);
    expect(counts).toEqual({ read: 3, stored: 1, duplicates: 0, rejected: 2 });
    expect(r.stderr).toContain(`${f}:2: prompt_tokens: expected a number, got a string of 6 characters`);
    expect(r.stderr).toContain(`${f}:3: model: missing model`);
    expect(await query(db, 'SELECT request_id, prompt_tokens FROM requests')).toEqual([{ request_id: 'w1', prompt_tokens: 12 }]);
  });

  it('a .gz that is not gzip: one clear line, exit 3, nothing stored', async () => {
    const f = corpus('not-gzip.jsonl.gz');
    const { r } = await analyze(f);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`pnyx: ${f}: named .gz but is not gzip data`);
  });

  it('a truncated gzip: one clear line, exit 3, and the records read before the cut are rolled back', async () => {
    const f = corpus('truncated.jsonl.gz');
    const { r } = await analyze(f);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`pnyx: ${f}: truncated or corrupt gzip data`);
  });

  it('duplicate ids: same content is a duplicate, different content a reject, the first copy is kept', async () => {
    const f = corpus('duplicates.jsonl');
    const { r, db, counts } = await analyze(f, '--store-text', 'full');
    expect(counts).toEqual({ read: 4, stored: 2, duplicates: 1, rejected: 1 });
    expect(r.stderr).toContain(`${f}:4: request_id: duplicate request_id with different content (first copy kept)`);
    expect(await query(db, "SELECT messages->>'$[0].content' AS c FROM requests WHERE request_id = 'd2'")).toEqual([{ c: 'Draft a follow-up for deal d2' }]);
    // The conflicting copy is kept aside as it was read (its columns; no --store-raw here).
    const [rej] = await query<{ line: number; raw: string }>(db, 'SELECT line::INTEGER AS line, raw FROM rejects');
    expect(rej!.line).toBe(4);
    const kept = JSON.parse(rej!.raw);
    expect([kept.request_id, kept.messages[0].content, kept.metadata.feature]).toEqual(['d2', 'something else entirely', 'email_draft']);
  });

  it('duplicate ids with --store-raw: the conflicting copy is kept as its original record', async () => {
    const { db } = await analyze(corpus('duplicates.jsonl'), '--store-text', 'full', '--store-raw');
    const [rej] = await query<{ raw: string }>(db, 'SELECT raw FROM rejects');
    expect(JSON.parse(rej!.raw)).toMatchObject({ id: 'd2', messages: [{ role: 'user', content: 'something else entirely' }], prompt_tokens: 120 });
  });

  it('SQL metacharacters in feature names and ids are stored verbatim and execute nothing', async () => {
    const { r, db, counts } = await analyze(corpus('feature-sql.jsonl'));
    expect(r.code).toBe(0);
    expect(counts).toEqual({ read: 3, stored: 3, duplicates: 0, rejected: 0 });
    expect(await query(db, 'SELECT request_id, feature FROM requests ORDER BY request_id')).toEqual([
      { request_id: 's1', feature: "'; DROP TABLE requests; --" },
      { request_id: 's2', feature: 'x" OR 1=1; DELETE FROM rejects; --' },
      { request_id: "s3'; DROP TABLE ingested_files; --", feature: 'normal' },
    ]);
    expect(r.stdout).toContain("'; DROP TABLE requests; --");
  });

  it('terminal escape sequences in feature and model names and keys are stored verbatim but never reach the terminal', async () => {
    const f = corpus('feature-escapes.jsonl');
    const { r, db, counts } = await analyze(f);
    expect(counts).toEqual({ read: 4, stored: 3, duplicates: 0, rejected: 1 });
    expect(r.stdout).toContain('red');
    expect(r.stdout).toContain('click');
    expect(r.stdout).toContain('bellc1evil');
    expect(r.stdout).not.toContain('evil.example');
    expect(r.stderr).toContain(`${f}:4: (record): unknown log format (fields: , id)`);
    expect(await query(db, "SELECT feature FROM requests WHERE request_id = 'e1'")).toEqual([{ feature: '\u001b[31mred\u001b[0m' }]);
  });

  it('HTML and script in prompts is stored as text, unchanged, and not printed', async () => {
    const { r, db, counts } = await analyze(corpus('html.jsonl'));
    expect(counts).toEqual({ read: 1, stored: 1, duplicates: 0, rejected: 0 });
    expect(await query(db, "SELECT system_prompt, messages->>'$[0].content' AS user FROM requests")).toEqual([
      { system_prompt: '<script>alert(document.cookie)</script>', user: '<img src=x onerror="fetch(\'//evil\')"> & </textarea>' },
    ]);
    expect(r.stdout + r.stderr).not.toContain('<script>');
    expect(r.stdout).toContain('<b>bold</b>'); // a feature name: plain text on a terminal
  });

  it('deeply nested JSON (100k levels) is a reject, not a crash, in JSONL and in a JSON array', async () => {
    const depth = 100_000;
    const deepMeta = `{"id":"deep","model":"m","prompt":"p","metadata":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    const deepArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const good = JSON.stringify({ id: 'ok', model: 'm', prompt: 'p' });
    const f = join(t.path, 'deep.jsonl');
    writeFileSync(f, [deepMeta, deepArray, good].join('\n') + '\n');
    const { r, counts } = await analyze(f);
    expect(r.code).toBe(0);
    expect(counts).toEqual({ read: 3, stored: 1, duplicates: 0, rejected: 2 });
    expect(r.stderr).toContain(`${f}:1: (record): nested deeper than 500 levels`);
    expect(r.stderr).toContain(`${f}:2: (record): expected a JSON object, got an array`);
    const arr = join(t.path, 'deep.json');
    writeFileSync(arr, `[${deepMeta},${good}]`);
    const a = await analyze(arr);
    expect(a.counts).toEqual({ read: 2, stored: 1, duplicates: 0, rejected: 1 });
    expect(a.r.stderr).toContain(`${arr}:1: (record): nested deeper than 500 levels`);
  });

  it('a 50 MB single line is stored whole; the next line still reads', async () => {
    const f = join(t.path, 'big.jsonl');
    const prompt = 'All work and no play makes Jack a dull boy. '.repeat(Math.ceil((50 * 1024 * 1024) / 44));
    writeFileSync(f, JSON.stringify({ id: 'huge', model: 'm', prompt, feature: 'bulk' }) + '\n' + JSON.stringify({ id: 'small', model: 'm', prompt: 'p' }) + '\n');
    const { r, db, counts } = await analyze(f, '--store-text', 'full');
    expect(r.code).toBe(0);
    expect(counts).toEqual({ read: 2, stored: 2, duplicates: 0, rejected: 0 });
    expect(await query(db, "SELECT request_id, length(messages->>'$[0].content') AS len FROM requests ORDER BY 1")).toEqual([
      { request_id: 'huge', len: prompt.length },
      { request_id: 'small', len: 1 },
    ]);
  });

  it('CSV and JSON arrays with invalid UTF-8 are refused with the byte offset, nothing stored', async () => {
    const arr = join(t.path, 'bad-utf8.json');
    writeFileSync(arr, Buffer.concat([Buffer.from('[{"id":"a","model":"m","prompt":"x'), Buffer.from([0xff]), Buffer.from('"}]')]));
    const a = await analyze(arr);
    expect(a.r.code).toBe(3);
    expect(a.r.stderr).toContain(`pnyx: ${arr}: invalid UTF-8 at byte 35; re-encode the file as UTF-8`);
    const csv = join(t.path, 'bad-utf8.csv');
    writeFileSync(csv, Buffer.concat([Buffer.from('id,model,prompt\na,m,x'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    const c = await analyze(csv);
    expect(c.r.code).toBe(3);
    expect(c.r.stderr).toContain(`pnyx: ${csv}: cannot read as csv: Invalid Input Error: CSV Error on Line: 2: Invalid unicode (byte sequence mismatch) detected.`);
    expect(c.r.stderr).not.toContain('Original Line');
  });
});
