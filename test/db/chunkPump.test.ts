import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_ROWS, ChunkAppender } from '../../src/db/chunkAppender.js';
import { ChunkPump, PUMP_QUEUED_CHUNKS } from '../../src/db/chunkPump.js';

/**
 * The ChunkPump inserts queued chunks from DuckDB's threads, in the connection's transaction:
 * rows land whole and in order, in every table that has a queue; a failing statement surfaces
 * at `room`/`drain` and its transaction rolls back; an abandoned run leaves nothing behind and
 * the next transaction on the connection works.
 */
let dir: string;
let inst: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pnyx-pump-'));
  inst = await DuckDBInstance.create(join(dir, 'p.duckdb'));
  conn = await inst.connect();
  await conn.run('CREATE TABLE a (k BIGINT NOT NULL, s VARCHAR)');
  await conn.run('CREATE TABLE b (k BIGINT, tag VARCHAR NOT NULL)');
});
afterAll(() => {
  conn.closeSync();
  inst.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

async function opened(pump: ChunkPump, table: string): Promise<ChunkAppender> {
  return ChunkAppender.forTable(await conn.createAppender(table), { pump, table });
}

/** `count` rows of (key(k), tag) into a table of (k BIGINT, text VARCHAR). */
function fill(c: ChunkAppender, count: number, tag: string, key = (k: number) => k): void {
  for (let k = 0; k < count; k++) {
    c.int64(0, key(k));
    c.string(1, tag);
    c.endRow();
  }
}

async function scalar(sql: string): Promise<unknown> {
  return (await conn.runAndReadAll(sql)).getRows()[0]![0];
}

describe('ChunkPump', () => {
  it('writes two tables in one transaction, in order, over more statements than one, holding the producer back', async () => {
    const pump = ChunkPump.of(conn);
    await pump.reset();
    await conn.run('BEGIN');
    const a = await opened(pump, 'a');
    const b = await opened(pump, 'b');
    // More chunks than one statement takes (64), so the pump alternates between the tables.
    const rows = 70 * CHUNK_ROWS + 5;
    let mostQueued = 0;
    for (let k = 0; k < rows; k++) {
      a.int64(0, k);
      a.string(1, `row ${k} with text longer than twelve bytes`);
      a.endRow();
      if (k % 3 === 0) {
        b.int64(0, k);
        b.string(1, k % 2 === 0 ? 'even' : 'odd');
        b.endRow();
      }
      if (k % CHUNK_ROWS === 0) {
        await pump.room();
        mostQueued = Math.max(mostQueued, pump.queued);
      }
    }
    a.close();
    b.close();
    await pump.drain();
    await conn.run('COMMIT');
    expect(pump.queued).toBe(0);
    expect(mostQueued).toBeLessThan(PUMP_QUEUED_CHUNKS);
    expect(await scalar('SELECT count(*) FROM a')).toBe(BigInt(rows));
    // In order: rowid i holds k = i.
    expect(await scalar('SELECT count(*) FROM a WHERE rowid <> k')).toBe(0n);
    expect(await scalar(`SELECT count(*) FROM a WHERE s <> 'row ' || k || ' with text longer than twelve bytes'`)).toBe(0n);
    expect(await scalar('SELECT count(*) FROM b')).toBe(BigInt(Math.ceil(rows / 3)));
    expect(await scalar(`SELECT count(*) FROM b WHERE tag <> CASE WHEN k % 2 = 0 THEN 'even' ELSE 'odd' END OR k % 3 <> 0`)).toBe(0n);
  });

  it('holds the producer back, and goes on, when the chunks are spread thinly over many queues', async () => {
    const pump = ChunkPump.of(conn);
    await pump.reset();
    const before = (await scalar('SELECT count(*) FROM b')) as bigint;
    await conn.run('BEGIN');
    // Queues of three chunks each: none alone is worth a statement, together they are over the limit.
    const count = Math.ceil(PUMP_QUEUED_CHUNKS / 3) + 1;
    const queues = await Promise.all(Array.from({ length: count }, () => opened(pump, 'b')));
    for (let c = 0; c < 3; c++) for (const [n, q] of queues.entries()) fill(q, CHUNK_ROWS, `queue ${n}`);
    expect(pump.queued).toBe(3 * count);
    expect(pump.queued).toBeGreaterThan(PUMP_QUEUED_CHUNKS);
    await pump.room();
    expect(pump.queued).toBeLessThan(PUMP_QUEUED_CHUNKS);
    for (const q of queues) q.close();
    await pump.drain();
    await conn.run('COMMIT');
    expect(await scalar('SELECT count(*) FROM b')).toBe(before + BigInt(3 * count * CHUNK_ROWS));
    expect(await scalar(`SELECT count(DISTINCT tag) FROM b WHERE tag LIKE 'queue %'`)).toBe(BigInt(count));
  });

  it('reports a failing statement at drain; after the rollback the next transaction writes normally', async () => {
    const pump = ChunkPump.of(conn);
    await pump.reset();
    const before = await scalar('SELECT count(*) FROM a');
    await conn.run('BEGIN');
    const a = await opened(pump, 'a');
    for (let k = 0; k < 3 * CHUNK_ROWS; k++) {
      if (k === CHUNK_ROWS + 7) a.null(0); // NOT NULL
      else a.int64(0, k);
      a.string(1, 'x');
      a.endRow();
    }
    a.close();
    await expect(pump.drain()).rejects.toThrow(/NOT NULL constraint failed: a\.k/);
    await expect(pump.room()).rejects.toThrow(/NOT NULL/);
    await conn.run('ROLLBACK');
    expect(await scalar('SELECT count(*) FROM a')).toBe(before);

    await pump.reset();
    await conn.run('BEGIN');
    const again = await opened(pump, 'a');
    fill(again, 10, 'after', (k) => -k - 1);
    again.close();
    await pump.drain();
    await conn.run('COMMIT');
    expect(await scalar(`SELECT count(*) FROM a WHERE s = 'after'`)).toBe(10n);
  });

  it('runs DuckDB on one thread from claim until a drain leaves no queue open, then gives the threads back', async () => {
    const threads = () => scalar("SELECT current_setting('threads')");
    await conn.run('SET threads = 3');
    const pump = await ChunkPump.claim(conn);
    expect(await threads()).toBe(1n);
    await conn.run('BEGIN');
    const a = await opened(pump, 'a');
    const b = await opened(pump, 'b');
    fill(a, 5 * CHUNK_ROWS, 'one thread', (k) => 1_000_000 + k);
    a.close();
    await pump.drain();
    // b is still open (the profile writer drains after the request writer): still one thread.
    expect(await threads()).toBe(1n);
    fill(b, 10, 'one thread');
    b.close();
    await pump.drain();
    expect(await threads()).toBe(3n);
    await conn.run('COMMIT');
    expect(await scalar(`SELECT count(*) FROM a WHERE s = 'one thread'`)).toBe(BigInt(5 * CHUNK_ROWS));
    // A second claim takes it to one thread again, and a rolled-back run's next claim and drain restore it.
    await ChunkPump.claim(conn);
    await conn.run('BEGIN');
    const c = await opened(pump, 'b');
    fill(c, 3 * CHUNK_ROWS, 'rolled back');
    c.abort();
    await conn.run('ROLLBACK');
    expect(await threads()).toBe(1n);
    await ChunkPump.claim(conn);
    await pump.drain();
    expect(await threads()).toBe(3n);
  });

  it('abandons a queue in the middle of a run: the statement reading it ends, the rollback leaves nothing', async () => {
    const pump = ChunkPump.of(conn);
    await pump.reset();
    const before = await scalar('SELECT count(*) FROM b');
    await conn.run('BEGIN');
    const b = await opened(pump, 'b');
    fill(b, 12 * CHUNK_ROWS, 'abandoned');
    b.abort();
    expect(pump.queued).toBe(0);
    await pump.reset();
    await conn.run('ROLLBACK');
    expect(await scalar('SELECT count(*) FROM b')).toBe(before);
    expect(await scalar(`SELECT count(*) FROM b WHERE tag = 'abandoned'`)).toBe(0n);
  });
});
