import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { PnyxDb } from '../../src/db/database.js';
import { MIGRATIONS } from '../../src/db/migrations.js';
import { tempDir } from '../helpers/cli.js';

const t = tempDir();
afterAll(t.cleanup);

/** A database as a pnyx of migration `upTo` left it: those migrations applied and recorded. */
async function databaseAt(path: string, upTo: number): Promise<void> {
  const inst = await DuckDBInstance.create(path);
  const conn = await inst.connect();
  await conn.run('CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)');
  for (const m of MIGRATIONS.filter((x) => x.id <= upTo)) {
    await conn.run(m.sql);
    await conn.run('INSERT INTO schema_migrations VALUES ($1, $2, now()::TIMESTAMP)', [m.id, m.name]);
  }
  await conn.run(`INSERT INTO profiles VALUES ('req-1', 'cls-1.0.0', 'summarization', 'crm', 0.25, 'free_text', false, 0.5, 0, 0.1,
    1200, false, false, 'en', 0.3, ['sig-a', 'sig-b'], TIMESTAMP '2026-11-01 10:00:00')`);
  conn.closeSync();
  inst.closeSync();
}

const PROFILE_COLUMNS = `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'profiles' ORDER BY ordinal_position`;
const PROFILE_KEYS = `SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'profiles' AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`;

describe('migration 8: profiles without a PRIMARY KEY', () => {
  it('rebuilds an older database with its profiles intact, the same columns and NOT NULLs, and no key index', async () => {
    const old = join(t.path, 'old.duckdb');
    await databaseAt(old, 7);
    const fresh = await PnyxDb.open(join(t.path, 'fresh.duckdb'));
    const db = await PnyxDb.open(old);
    try {
      expect(await db.all(PROFILE_KEYS)).toEqual([]);
      expect(await db.all(PROFILE_COLUMNS)).toEqual(await fresh.all(PROFILE_COLUMNS));
      const cols = await db.all<{ column_name: string; is_nullable: string }>(PROFILE_COLUMNS);
      expect(cols).toHaveLength(17);
      expect(cols.every((c) => c.is_nullable === 'NO')).toBe(true);
      expect(await db.all(`SELECT request_id, task_type, reasoning, context_tokens, signals::VARCHAR AS signals FROM profiles`)).toEqual([
        { request_id: 'req-1', task_type: 'summarization', reasoning: 0.25, context_tokens: 1200, signals: '[sig-a, sig-b]' },
      ]);
      await expect(db.run(`INSERT INTO profiles SELECT * REPLACE (NULL AS task_type) FROM profiles`)).rejects.toThrow(/NOT NULL/);
      expect((await db.all<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id')).map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    } finally {
      db.close();
      fresh.close();
    }
  });
});

const REQUEST_COLUMNS = `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_name = 'requests' ORDER BY ordinal_position`;
/** Compression of the requests table's long-text columns, as DuckDB stored them. */
const TEXT_COMPRESSION = `SELECT column_name AS col, list(DISTINCT compression ORDER BY compression) AS how FROM pragma_storage_info('requests')
  WHERE column_name IN ('system_prompt', 'messages', 'raw', 'feature') AND segment_type <> 'VALIDITY' GROUP BY ALL ORDER BY col`;
const STORAGE = `SELECT tags['storage_version'] AS v FROM duckdb_databases() WHERE database_name = current_database()`;

/** `n` requests with a 5 KB prompt each (over DuckDB's 4 KB string limit), then a checkpoint. */
async function addLongRequests(db: PnyxDb, n: number, from = 0): Promise<void> {
  await db.run(`INSERT INTO requests (request_id, feature, model, system_prompt, messages, raw, has_prompt_text, tool_count, source_format,
      source_file, source_line, content_sha256, ingested_at)
    SELECT 'req-' || i, 'email', 'm', 'You are a careful assistant. ' || repeat('Rules. ', i % 5), to_json([{'role': 'user', 'content': repeat('lorem ipsum ' || i || ' ', 400)}]),
      to_json({'i': i}), true, 0, 'canonical', 'f.jsonl', i, 'sha-' || i, TIMESTAMP '2026-11-01 10:00:00'
    FROM range(${from}, ${from + n}) r(i)`);
  await db.run('CHECKPOINT');
}

describe('migration 9: long-text columns of requests in ZSTD', () => {
  it('a new database is in DuckDB 1.2 storage and keeps prompts of any length compressed', async () => {
    const db = await PnyxDb.open(join(t.path, 'zstd-new.duckdb'));
    try {
      expect(await db.all(STORAGE)).toEqual([{ v: 'v1.2.0+' }]);
      await addLongRequests(db, 3000);
      expect(await db.all(TEXT_COMPRESSION)).toEqual([
        { col: 'feature', how: ['Dictionary'] },
        { col: 'messages', how: ['ZSTD'] },
        { col: 'raw', how: ['ZSTD'] },
        { col: 'system_prompt', how: ['ZSTD'] },
      ]);
      // Every prompt reads back whole: the JSON text of each row's one message, summed.
      let chars = 0;
      for (let i = 0; i < 3000; i++) chars += JSON.stringify([{ role: 'user', content: `lorem ipsum ${i} `.repeat(400) }]).length;
      expect(await db.one(`SELECT count(*) AS n, sum(strlen(messages::VARCHAR)) AS chars, max(store_text) AS st FROM requests`)).toEqual({
        n: 3000,
        chars,
        st: 'full',
      });
    } finally {
      db.close();
    }
  });

  it('rebuilds an older database with its requests intact and the same columns, NOT NULLs and default', async () => {
    const old = join(t.path, 'zstd-old.duckdb');
    await databaseAt(old, 8);
    const inst = await DuckDBInstance.create(old);
    const conn = await inst.connect();
    await conn.run(`INSERT INTO requests (request_id, feature, model, messages, has_prompt_text, tool_count, source_format, source_file, source_line,
        content_sha256, ingested_at) VALUES ('req-1', 'email', 'm', '[{"role":"user","content":"hi"}]', true, 0, 'canonical', 'f.jsonl', 1, 'sha-1', now()::TIMESTAMP)`);
    const atEight = (await conn.runAndReadAll(REQUEST_COLUMNS)).getRowObjectsJson();
    conn.closeSync();
    inst.closeSync();
    const db = await PnyxDb.open(old);
    try {
      expect(await db.all(REQUEST_COLUMNS)).toEqual(atEight.map((r) => ({ ...r })));
      expect(await db.all(`SELECT request_id, messages::VARCHAR AS messages, store_text FROM requests`)).toEqual([
        { request_id: 'req-1', messages: '[{"role":"user","content":"hi"}]', store_text: 'full' },
      ]);
      await expect(db.run(`INSERT INTO requests SELECT * REPLACE (NULL AS feature) FROM requests`)).rejects.toThrow(/NOT NULL/);
      // A file keeps the storage format it was created in; there DuckDB ignores the ZSTD setting.
      expect(await db.all(STORAGE)).toEqual([{ v: 'v1.0.0+' }]);
      await addLongRequests(db, 1000, 10);
      const how = await db.all<{ col: string; how: string[] }>(TEXT_COMPRESSION);
      expect(how.find((r) => r.col === 'messages')!.how).not.toContain('ZSTD');
      expect((await db.all<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id')).map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    } finally {
      db.close();
    }
    // The rewrite of `pnyx db purge` writes a fresh file, in the new format and with ZSTD.
    const before = await PnyxDb.open(old);
    await before.rewriteAndClose();
    const after = await PnyxDb.open(old);
    try {
      expect(await after.all(STORAGE)).toEqual([{ v: 'v1.2.0+' }]);
      expect(await after.one(`SELECT count(*) AS n FROM requests`)).toEqual({ n: 1001 });
      expect((await after.all<{ col: string; how: string[] }>(TEXT_COMPRESSION)).find((r) => r.col === 'messages')!.how).toEqual(['ZSTD']);
    } finally {
      after.close();
    }
  });

  it('a database rewritten after a purge keeps ZSTD, its rows, NOT NULLs and default', async () => {
    const path = join(t.path, 'zstd-rewrite.duckdb');
    const db = await PnyxDb.open(path);
    await addLongRequests(db, 2000);
    const columns = await db.all(REQUEST_COLUMNS);
    await db.rewriteAndClose();
    const again = await PnyxDb.open(path);
    try {
      expect(await again.all(REQUEST_COLUMNS)).toEqual(columns);
      expect(await again.one(`SELECT count(*) AS n, count(DISTINCT messages) AS distinct_messages FROM requests`)).toEqual({ n: 2000, distinct_messages: 2000 });
      expect((await again.all<{ col: string; how: string[] }>(TEXT_COMPRESSION)).find((r) => r.col === 'messages')!.how).toEqual(['ZSTD']);
      await expect(again.run(`INSERT INTO requests SELECT * REPLACE (NULL AS model) FROM requests LIMIT 1`)).rejects.toThrow(/NOT NULL/);
    } finally {
      again.close();
    }
  });
});
