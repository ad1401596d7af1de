import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PnyxDb } from '../../src/db/database.js';
import { tempDir } from '../helpers/cli.js';

/**
 * `eachStringBatch` reads a VARCHAR column as strings DuckDB joined with newlines: every
 * non-NULL value must come out exactly once and unchanged, whatever it holds (newlines, CR,
 * backslashes, empty strings, astral characters), over several rowid ranges with gaps.
 */
const t = tempDir('pnyx-strings-');
let db: PnyxDb;
beforeAll(async () => {
  db = await PnyxDb.open(join(t.path, 's.duckdb'));
  await db.run('CREATE TABLE ids (id VARCHAR)');
  // 600,000 plain ids: three queries of 262,144 rowids.
  await db.run("INSERT INTO ids SELECT 'chatcmpl-' || (i % 7) || '-' || i FROM range(600000) r(i)");
  await db.run('INSERT INTO ids VALUES ($1), ($2), ($3), ($4), ($5), (NULL), ($6), ($7)', [
    'two\nlines',
    '\n',
    'ends with newline\n',
    '',
    'tab\tand\rcarriage',
    'back\\slash \\n not a newline',
    'emoji 🦆 id',
  ]);
  // Rowid gaps: deleted rows are not read, and the ranges still reach the last rowid.
  await db.run("DELETE FROM ids WHERE id LIKE 'chatcmpl-3-%'");
});
afterAll(() => {
  db.close();
  t.cleanup();
});

describe('PnyxDb.eachStringBatch', () => {
  it('gives every non-NULL value once, unchanged', async () => {
    const got: string[] = [];
    let batches = 0;
    await db.eachStringBatch('ids', 'id', (values) => {
      batches += 1;
      for (const v of values) got.push(v);
    });
    const want = (await db.columns('SELECT id FROM ids WHERE id IS NOT NULL')).id as string[];
    expect(want.length).toBe(600000 - 85714 + 7);
    expect(got.length).toBe(want.length);
    const sort = (a: string[]) => [...a].sort();
    expect(sort(got)).toEqual(sort(want));
    expect(got).toEqual(expect.arrayContaining(['two\nlines', '\n', 'ends with newline\n', '', 'emoji 🦆 id', 'back\\slash \\n not a newline']));
    // About one batch per 2,048 plain values, plus the values holding a newline.
    expect(batches).toBeGreaterThanOrEqual(Math.ceil((600000 - 85714) / 2048));
    expect(batches).toBeLessThan(600000 / 2048 + 10);
  });

  it("reads the transaction's own rows not committed yet (rowids from ~2^55 on) without walking the rowids between", async () => {
    await db.run('BEGIN TRANSACTION');
    try {
      await db.run("INSERT INTO ids VALUES ('uncommitted-1'), ('uncommitted-2')");
      // DuckDB numbers them from its MAX_ROW_ID, 36,028,797,018,960,000 (~2^55), until they are committed.
      expect((await db.one<{ local: boolean }>('SELECT max(rowid) >= 36028797018960000 AS local FROM ids'))!.local).toBe(true);
      const got: string[] = [];
      await db.eachStringBatch('ids', 'id', (values) => got.push(...values));
      expect(got.length).toBe(600000 - 85714 + 7 + 2);
      expect(got).toEqual(expect.arrayContaining(['uncommitted-1', 'uncommitted-2']));
    } finally {
      await db.run('ROLLBACK');
    }
  });

  it('reads nothing from an empty table', async () => {
    await db.run('CREATE TABLE empty_ids (id VARCHAR)');
    const got: string[] = [];
    await db.eachStringBatch('empty_ids', 'id', (values) => got.push(...values));
    expect(got).toEqual([]);
  });
});
