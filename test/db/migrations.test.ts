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
