import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PnyxDb } from '../../src/db/database.js';
import { PARQUET_READER_FLUSH_THRESHOLD, parquetReaderConfig } from '../../src/db/readers.js';
import { REPO, runCli, tempDir } from '../helpers/cli.js';

/**
 * The built Parquet reader (dist/, which `npm test` builds first) reads the rows on a worker
 * thread with a DuckDB instance of its own (src/db/parquetWorker.ts). From source there is no
 * compiled worker and the rows are read inline (test/stages/parquetBlocks.test.ts), so this file
 * runs the build.
 */
const WORKER = join(REPO, 'dist/db/parquetWorker.js');
type Readers = typeof import('../../src/db/readers.js');
const t = tempDir('pnyx-parquet-worker-');
afterAll(t.cleanup);

describe('Parquet reader on its own thread (the build)', () => {
  let readers: Readers;
  let db: PnyxDb;
  const file = join(t.path, 'rows.parquet');
  beforeAll(async () => {
    expect(existsSync(WORKER), `${WORKER} (run npm run build)`).toBe(true);
    readers = (await import(join(REPO, 'dist/db/readers.js'))) as Readers;
    db = await PnyxDb.open(join(t.path, 'w.duckdb'));
    // Small row groups and blocks: many of each, so credits run out and the reader must wait.
    await db.run(
      `COPY (SELECT 'w-' || range AS id, repeat('x', 200) || E'\\n"é"' AS prompt FROM range(40000) ORDER BY range)
       TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 3000)`,
    );
    return () => db.close();
  });

  it('sends every row once, in order, in blocks of whole lines', async () => {
    let count = 0;
    let blocks = 0;
    for await (const block of readers.streamJsonlBlocks(db, file, 8192, readers.PARQUET_THREAD_MIN_BYTES)) {
      expect(block[block.length - 1]).toBe(0x0a);
      const lines = new TextDecoder().decode(block).trimEnd().split('\n');
      expect(lines.map((l) => JSON.parse(l).id)).toEqual(lines.map((_, i) => `w-${count + i}`));
      count += lines.length;
      blocks += 1;
    }
    expect(count).toBe(40000);
    // ~225-byte lines in 8 KiB blocks: far more blocks than the reader may send ahead (8).
    expect(blocks).toBeGreaterThan(1000);
    const last = await db.one<{ n: number }>('SELECT 40 + 2 AS n');
    expect(last).toEqual({ n: 42 });
  });

  it('stops when its reader stops, three times over, and the database stays usable', async () => {
    for (let round = 0; round < 3; round++) {
      let seen = 0;
      for await (const block of readers.streamJsonlBlocks(db, file, 8192, readers.PARQUET_THREAD_MIN_BYTES)) {
        seen += new TextDecoder().decode(block).trimEnd().split('\n').length;
        if (seen > 100) break;
      }
      expect(seen).toBeGreaterThan(100);
      expect(seen).toBeLessThan(200);
    }
    await db.run('CREATE TABLE after_stop AS SELECT 1 AS x');
    expect(await db.one<{ x: number }>('SELECT x FROM after_stop')).toEqual({ x: 1 });
  });

  it('a file that is not Parquet is bad input, in one line naming the file', async () => {
    const bad = join(t.path, 'truncated.parquet');
    writeFileSync(bad, readFileSync(file).subarray(0, 5000));
    let caught: unknown;
    try {
      for await (const _ of readers.streamJsonlBlocks(db, bad, 8192, readers.PARQUET_THREAD_MIN_BYTES)) expect.unreachable();
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'PnyxError', code: 'input' });
    expect((caught as Error).message).toBe(`${bad}: cannot read as parquet: Invalid Input Error: No magic bytes found at end of file '${bad}'`);
  });

  it('through the CLI, a file over the size that gets the thread: rows stored once and numbered; cut short, it exits 3 with one line and stores nothing', async () => {
    const dbPath = join(t.path, 'cli.duckdb');
    const pq = join(t.path, 'cli.parquet');
    // ~2 KB prompts of hex digests (snappy leaves them as they are): a file over the threshold.
    await db.run(
      `COPY (SELECT 'c-' || i AS id, 'openai/gpt-4o-mini' AS model, 'notes' AS feature,
                    array_to_string(list_transform(range(60), lambda k: md5(i::VARCHAR || '-' || k::VARCHAR)), ' ') AS prompt
             FROM range(20000) r(i) ORDER BY i) TO '${pq}' (FORMAT parquet, ROW_GROUP_SIZE 3000)`,
    );
    const size = readFileSync(pq).length;
    expect(size).toBeGreaterThanOrEqual(readers.PARQUET_THREAD_MIN_BYTES);
    const ok = runCli(['analyze', pq, '--db', dbPath, '--quiet']);
    expect(ok.code, ok.stderr).toBe(0);
    const again = runCli(['analyze', pq, '--db', dbPath, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    // Cut short but still over the threshold: the footer is gone.
    const cut = join(t.path, 'cut.parquet');
    writeFileSync(cut, readFileSync(pq).subarray(0, readers.PARQUET_THREAD_MIN_BYTES + 4096));
    const bad = runCli(['analyze', cut, '--db', dbPath]);
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim().split('\n')).toEqual([`pnyx: ${cut}: cannot read as parquet: Invalid Input Error: No magic bytes found at end of file '${cut}'`]);
    const check = await PnyxDb.open(dbPath, { readOnly: true });
    try {
      const rows = await check.all<{ n: number; ids: number; first: string; last: number }>(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT request_id)::INTEGER AS ids, min_by(request_id, source_line) AS first, max(source_line)::INTEGER AS last FROM requests`,
      );
      expect(rows).toEqual([{ n: 20000, ids: 20000, first: 'c-0', last: 20000 }]);
      expect(await check.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM requests WHERE request_id = $1 AND source_line = $2', ['c-19999', 20000])).toEqual({ n: 1 });
      expect(await check.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM profiles')).toEqual({ n: 20000 });
    } finally {
      await check.close();
    }
  });

  it('only files of PARQUET_THREAD_MIN_BYTES or more get the thread (starting it costs ~0.3 s)', () => {
    expect(readers.PARQUET_THREAD_MIN_BYTES).toBe(32 << 20);
    expect(readers.readsOnOwnThread(0)).toBe(false);
    expect(readers.readsOnOwnThread(readers.PARQUET_THREAD_MIN_BYTES - 1)).toBe(false);
    expect(readers.readsOnOwnThread(readers.PARQUET_THREAD_MIN_BYTES)).toBe(true);
  });
});

describe('the Parquet reader\'s DuckDB configuration', () => {
  it('every setting takes effect (DuckDB 1.5.6 ignores some keys given at create time without a word)', async () => {
    const config = parquetReaderConfig({ threads: 1, memoryLimit: '512MB' });
    expect(Object.keys(config).sort()).toEqual(['allocator_bulk_deallocation_flush_threshold', 'memory_limit', 'temp_directory', 'threads']);
    expect(PARQUET_READER_FLUSH_THRESHOLD).toBe('128MB');
    const instance = await DuckDBInstance.create(':memory:', config);
    const conn = await instance.connect();
    try {
      const read = await conn.runAndReadAll(
        `SELECT current_setting('threads')::VARCHAR AS threads, current_setting('memory_limit') AS memory_limit,
                current_setting('temp_directory') AS temp_directory,
                current_setting('allocator_bulk_deallocation_flush_threshold') AS flush`,
      );
      // DuckDB prints sizes in binary units: 512 MB = 488.2 MiB, 128 MB = 122.0 MiB (the default is 512.0 MiB).
      expect(read.getRowObjects()).toEqual([{ threads: '1', memory_limit: '488.2 MiB', temp_directory: '', flush: '122.0 MiB' }]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
