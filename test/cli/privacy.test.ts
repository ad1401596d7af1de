import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { PnyxDb } from '../../src/db/database.js';
import { writePrivateFile } from '../../src/stages/privateFile.js';
import { FIXTURES, runCli, tempDir } from '../helpers/cli.js';
import { countsLine, query } from '../helpers/ingest.js';

const t = tempDir('pnyx-privacy-');
afterAll(t.cleanup);

const SYSTEM = 'You are the support assistant of Acme. Escalations go to ops@acme.com.';
const USER = 'Refund my card 4111 1111 1111 1111, call me on +49 30 1234567. My key is sk-proj-abcdefghijklmnopqrstuvwxyz012345';
const log = join(t.path, 'pii.jsonl');
writeFileSync(
  log,
  [
    JSON.stringify({ id: 'p1', model: 'openai/gpt-4o-mini', feature: 'support', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: USER }], metadata: { customer_email: 'jane@customer.io' } }),
    JSON.stringify({ id: 'p2', model: 'openai/gpt-4o-mini', prompt: 'x', prompt_tokens: 'jane@customer.io' }),
  ].join('\n') + '\n',
);

describe('--store-text', () => {
  let runs = 0;
  async function stored(mode: string, raw: string[] = ['--store-raw']) {
    const db = join(t.path, `${mode}-${runs++}.duckdb`);
    const r = runCli(['analyze', log, '--db', db, ...(mode === 'default' ? [] : ['--store-text', mode]), ...raw]);
    expect(r.code).toBe(0);
    expect(countsLine(r.stderr)).toEqual({ read: 2, stored: 1, duplicates: 0, rejected: 1 });
    const [req] = await query<{ system_prompt: string | null; user: string; raw: string; metadata: string; store_text: string }>(
      db,
      "SELECT system_prompt, messages->>'$[0].content' AS user, raw::VARCHAR AS raw, metadata::VARCHAR AS metadata, store_text FROM requests",
    );
    const [rej] = await query<{ reason: string; raw: string | null }>(db, 'SELECT reason, raw FROM rejects');
    return { r, db, req: req!, rej: rej! };
  }

  it('default is redacted: emails, cards, phones and keys masked in every text column, the mode recorded', async () => {
    const { req, rej } = await stored('default');
    expect(req.store_text).toBe('redacted');
    expect(req.system_prompt).toBe('You are the support assistant of Acme. Escalations go to [EMAIL].');
    expect(req.user).toBe('Refund my card [CARD], call me on [PHONE]. My key is [API_KEY]');
    expect(JSON.parse(req.metadata)).toEqual({ customer_email: '[EMAIL]' });
    for (const secret of ['ops@acme.com', '4111', '1234567', 'sk-proj', 'jane@customer.io']) {
      expect(req.raw).not.toContain(secret);
      expect(rej.raw).not.toContain(secret);
      expect(rej.reason).not.toContain(secret);
    }
    expect(rej.reason).toBe('expected a number, got a string of 16 characters: "[EMAIL]"');
  });

  it('without --store-raw the original record is not kept: raw is NULL, the prompt is stored once (masked)', async () => {
    const { req, rej } = await stored('default', []);
    expect(req.raw).toBeNull();
    expect(req.user).toBe('Refund my card [CARD], call me on [PHONE]. My key is [API_KEY]');
    // A rejected record is always kept aside, masked.
    expect(rej.raw).toContain('[EMAIL]');
    expect(rej.raw).not.toContain('jane@customer.io');
  });

  it('explain prints stored text only with --show-text (its own flag or the global one), and then the masked text', async () => {
    const { db } = await stored('default');
    expect(runCli(['explain', 'p1', '--db', db]).stdout).not.toContain('Refund');
    expect(runCli(['--show-text', 'explain', 'p1', '--db', db]).stdout).toContain('Refund my card [CARD], call me on [PHONE]. My key is [API_KEY]');
  });

  it('full keeps the text as logged', async () => {
    const { req, rej } = await stored('full');
    expect(req.store_text).toBe('full');
    expect(req.system_prompt).toBe(SYSTEM);
    expect(req.user).toBe(USER);
    expect(rej.raw).toContain('jane@customer.io');
  });

  it('hash keeps only sha256 fingerprints of texts', async () => {
    const { req, rej } = await stored('hash');
    expect(req.store_text).toBe('hash');
    expect(req.system_prompt).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(req.user).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(req.raw).not.toContain('Refund');
    expect(rej.raw).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(rej.reason).toBe('expected a number, got a string of 16 characters');
  });

  it('none keeps no prompt text at all', async () => {
    const { req, rej } = await stored('none');
    expect(req.store_text).toBe('none');
    expect(req.system_prompt).toBeNull();
    expect(req.user).toBe('');
    expect(req.raw).not.toContain('Refund');
    expect(req.raw).not.toContain('support assistant');
    expect(rej.raw).toBeNull();
  });

  it('an unknown mode is a usage error', () => {
    const r = runCli(['analyze', log, '--db', join(t.path, 'bad.duckdb'), '--store-text', 'some']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('pnyx: unknown --store-text some; one of full, redacted, hash, none');
  });

  it('the terminal never shows log text unless --show-text', () => {
    const quiet = runCli(['analyze', log, '--db', join(t.path, 'term.duckdb'), '--store-text', 'full']);
    expect(quiet.stdout + quiet.stderr).not.toContain('jane@customer.io');
    const shown = runCli(['analyze', log, '--db', join(t.path, 'term2.duckdb'), '--show-text']);
    expect(shown.stderr).toContain(`${log}:2: prompt_tokens: expected a number, got a string of 16 characters: "jane@customer.io"`);
  });
});

describe('owner-only files', () => {
  it('the database, its folder and its write-ahead log are created 0600/0700', async () => {
    const dir = join(t.path, 'perm', '.pnyx');
    const path = join(dir, 'x.duckdb');
    const db = await PnyxDb.open(path);
    try {
      await db.run("CREATE TABLE scratch AS SELECT 'x' AS v"); // not checkpointed: the .wal stays
      expect(existsSync(`${path}.wal`)).toBe(true);
      expect(statSync(`${path}.wal`).mode & 0o777).toBe(0o600);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      db.close();
    }
  });

  it('writePrivateFile writes 0600, replaces a looser existing file, and leaves no temp file', () => {
    const p = join(t.path, 'report.html');
    writeFileSync(p, 'old', { mode: 0o644 });
    writePrivateFile(p, '<html>report</html>');
    expect(readFileSync(p, 'utf8')).toBe('<html>report</html>');
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(existsSync(`${p}.${process.pid}.tmp`)).toBe(false);
  });

  it('writePrivateFile into a missing folder is one clear PnyxError', () => {
    expect(() => writePrivateFile(join(t.path, 'nope', 'r.json'), '{}')).toThrow(/^cannot write .*r\.json: ENOENT$/);
  });
});

describe('pnyx db path | stats | purge', () => {
  const db = join(t.path, 'purge.duckdb');
  // Random tokens in old and new requests' prompts and tenant ids. Prompts are stored ZSTD-compressed
  // (migration 9), so their bytes are not in the file as such; the tenant ids (a column DuckDB
  // stores as a dictionary of the strings themselves) are, and show which rows' text the file holds.
  const oldTokens = Array.from({ length: 40 }, () => randomBytes(18).toString('hex'));
  const newTokens = Array.from({ length: 40 }, () => randomBytes(18).toString('hex'));
  const rec = (id: string, ts: string, token: string) =>
    JSON.stringify({ id, timestamp: ts, model: 'm', feature: 'f', tenant_id: token, prompt: `ticket ${token}` });
  const purgeLog = join(t.path, 'purge.jsonl');
  writeFileSync(
    purgeLog,
    [...oldTokens.map((k, i) => rec(`old-${i}`, '2026-01-05T10:00:00Z', k)), ...newTokens.map((k, i) => rec(`new-${i}`, '2026-09-05T10:00:00Z', k)), '{broken'].join('\n') + '\n',
  );
  const inFile = (tokens: string[]) => {
    const bytes = readFileSync(db).toString('latin1');
    return tokens.filter((k) => bytes.includes(k)).length;
  };

  it('path prints the resolved path, from --db or PNYX_DB', () => {
    expect(runCli(['db', 'path', '--db', 'rel/x.duckdb'], { cwd: t.path }).stdout).toBe(`${join(t.path, 'rel/x.duckdb')}\n`);
    expect(runCli(['db', 'path'], { cwd: t.path, env: { PNYX_DB: '/data/p.duckdb' } }).stdout).toBe('/data/p.duckdb\n');
    expect(runCli(['db', 'path'], { cwd: t.path }).stdout).toBe(`${join(t.path, '.pnyx/pnyx.duckdb')}\n`);
  });

  it('stats lists row counts per table and the file size', () => {
    expect(runCli(['analyze', purgeLog, '--db', db, '--store-text', 'full', '-q']).code).toBe(0);
    const r = runCli(['db', 'stats', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ingested_files\s+1$/m);
    expect(r.stdout).toMatch(/^rejects\s+1$/m);
    expect(r.stdout).toMatch(/^requests\s+80$/m);
    expect(r.stdout).toMatch(new RegExp(`^file\\s+${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d`, 'm'));
  });

  it('purge deletes older requests and rejects in one go, and the deleted text is gone from the file', async () => {
    expect(inFile(oldTokens)).toBe(40);
    const r = runCli(['db', 'purge', '--before', '2026-06-01', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('deleted 40 requests, 40 profiles, 0 rejects (before 2026-06-01T00:00:00.000Z)\n');
    expect(await query(db, "SELECT count(*) AS n, count(*) FILTER (WHERE request_id LIKE 'new-%') AS kept FROM profiles")).toEqual([{ n: 40, kept: 40 }]);
    expect(await query(db, "SELECT count(*) AS n, count(*) FILTER (WHERE request_id LIKE 'new-%') AS kept FROM requests")).toEqual([{ n: 40, kept: 40 }]);
    expect(inFile(oldTokens)).toBe(0);
    expect(inFile(newTokens)).toBe(40);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    // The same log with the same options is skipped: purged rows stay purged.
    const same = runCli(['analyze', purgeLog, '--db', db, '--store-text', 'full', '-q']);
    expect(same.stderr).toContain('skipped, ingested before with the same content and options');
    expect(countsLine(same.stderr)).toEqual({ read: 0, stored: 0, duplicates: 0, rejected: 0 });
    // Still a working pnyx database: constraints kept; read again (other options), it adds back only the purged rows.
    const again = runCli(['analyze', purgeLog, '--db', db, '-q']);
    expect(countsLine(again.stderr)).toEqual({ read: 81, stored: 40, duplicates: 40, rejected: 1 });
    const all = runCli(['db', 'purge', '--before', '2100-01-01', '--db', db]);
    expect(all.stdout).toBe('deleted 80 requests, 80 profiles, 1 rejects (before 2100-01-01T00:00:00.000Z)\n');
  });

  it('purge needs a real date', () => {
    const r = runCli(['db', 'purge', '--before', 'last week', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('pnyx: --before last week: not a date (use YYYY-MM-DD or an ISO 8601 timestamp)');
  });
});

describe('pnyx db compact', () => {
  it('and purge name a missing database in one line (exit 4) instead of creating one', () => {
    for (const args of [['db', 'compact'], ['db', 'purge', '--before', '2026-01-01']]) {
      const missing = join(t.path, 'nowhere', 'x.duckdb');
      const r = runCli([...args, '--db', missing]);
      expect(r.code).toBe(4);
      expect(r.stderr).toBe(`pnyx: no pnyx database at ${missing}: run \`pnyx analyze <logs>\` first\n`);
      expect(existsSync(join(t.path, 'nowhere'))).toBe(false);
    }
  });

  it('converts a file an older pnyx made (DuckDB storage v1.0.0+) to compressed prompt text, with every row kept', async () => {
    const db = join(t.path, 'older.duckdb');
    // What an older pnyx left: a file in DuckDB's default format (pnyx then only migrates it).
    const inst = await DuckDBInstance.create(db);
    inst.closeSync();
    expect(runCli(['analyze', join(FIXTURES, 'crm-sample.jsonl'), '--db', db, '-q']).code).toBe(0);
    const stats = runCli(['db', 'stats', '--db', db]).stdout;
    expect(stats).toMatch(/^format\s+DuckDB storage v1\.0\.0\+ \(an older pnyx made it: prompt text uncompressed; `pnyx db compact` converts it\)$/m);
    const before = await query(db, 'SELECT count(*) AS n, sum(hash(messages)) AS h FROM requests');
    const sizeBefore = statSync(db).size;

    const r = runCli(['db', 'compact', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rewrote .*older\.duckdb: [\d.]+ MiB -> [\d.]+ MiB, DuckDB storage v1\.0\.0\+ -> v1\.2\.0\+\n$/);
    expect(runCli(['db', 'stats', '--db', db]).stdout).toMatch(/^format\s+DuckDB storage v1\.2\.0\+$/m);
    expect(await query(db, 'SELECT count(*) AS n, sum(hash(messages)) AS h FROM requests')).toEqual(before);
    expect(await query(db, `SELECT DISTINCT compression FROM pragma_storage_info('requests') WHERE column_name = 'messages' AND segment_type <> 'VALIDITY'`)).toEqual([
      { compression: 'ZSTD' },
    ]);
    expect(statSync(db).size).toBeLessThan(sizeBefore / 2);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    // Still a working pnyx database: the same file again stores nothing new.
    expect(countsLine(runCli(['analyze', join(FIXTURES, 'crm-sample.jsonl'), '--db', db, '--reingest']).stderr)).toEqual({
      read: 3500,
      stored: 0,
      duplicates: 3500,
      rejected: 0,
    });
  });
});

describe('profiles and --store-text', () => {
  it('a request stored as hash keeps the profile made from its original text; a missing one is made from metadata only', async () => {
    const db = join(t.path, 'profiles-hash.duckdb');
    const f = join(t.path, 'sql.jsonl');
    writeFileSync(f, JSON.stringify({ id: 'q1', model: 'm', feature: 'analytics', prompt: 'Write a SQL query that joins orders and customers and returns revenue per region for 2025.' }) + '\n');
    expect(runCli(['analyze', f, '--db', db, '--store-text', 'hash', '-q']).code).toBe(0);
    const [orig] = await query<{ task_type: string; signals: string[] }>(db, 'SELECT task_type, signals FROM profiles');
    expect(orig!.signals.join(' ')).not.toContain('no-prompt-text');
    // An older classifier version: the hashed text must not be re-classified.
    const h = await PnyxDb.open(db);
    await h.run("UPDATE profiles SET classifier_version = 'old'");
    h.close();
    expect(runCli(['analyze', f, '--db', db, '-q']).code).toBe(0);
    expect(await query(db, 'SELECT task_type, classifier_version FROM profiles')).toEqual([{ task_type: orig!.task_type, classifier_version: 'old' }]);
    // No profile at all and the log not at hand (another file is analyzed): made from metadata,
    // never from the fingerprints.
    const h2 = await PnyxDb.open(db);
    await h2.run('DELETE FROM profiles');
    h2.close();
    const other = join(t.path, 'other.jsonl');
    writeFileSync(other, JSON.stringify({ id: 'q2', model: 'm', prompt: 'Say hi.' }) + '\n');
    expect(runCli(['analyze', other, '--db', db, '-q']).code).toBe(0);
    const [re] = await query<{ signals: string[] }>(db, "SELECT signals FROM profiles WHERE request_id = 'q1'");
    expect(re!.signals).toContain('no-prompt-text: profile from metadata only');
  });
});
