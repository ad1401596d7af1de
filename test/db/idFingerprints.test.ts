import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashIdDuckDb, hashIdPair, IdHashSet } from '../../src/core/idHashSet.js';
import { PnyxDb } from '../../src/db/database.js';
import { duckdbHashAgrees, duckdbHashes, HASH_PROBES } from '../../src/db/requests.js';
import { tempDir } from '../helpers/cli.js';

/**
 * The stored ids' fingerprints come from DuckDB's own `hash(request_id)`, the new ids' from
 * hashIdDuckDb in JavaScript: a repeat is only spotted when both agree on every id.
 */
const t = tempDir('pnyx-id-fp-');
let db: PnyxDb;
beforeAll(async () => {
  db = await PnyxDb.open(join(t.path, 'fp.duckdb'));
});
afterAll(() => {
  db.close();
  t.cleanup();
});


function jsHash(id: string): string {
  const out = new Uint32Array(2);
  hashIdDuckDb(id, out);
  return ((BigInt(out[1]!) << 32n) | BigInt(out[0]!)).toString();
}

/** Any UTF-16 code unit, lone surrogates included (stored as U+FFFD by both sides). */
const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 48 });

describe('hashIdDuckDb', () => {
  it("is DuckDB's hash() of the id's UTF-8, for the probes and for arbitrary strings of every length", async () => {
    expect(await duckdbHashes(db, HASH_PROBES)).toEqual(HASH_PROBES.map(jsHash));
    const samples = fc.sample(fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 30 }), anyUnits), { numRuns: 3000, seed: 42 });
    // Every length from 0 to 40 bytes, so each remainder of the 8-byte blocks is taken.
    for (let n = 0; n <= 40; n++) samples.push('k'.repeat(n));
    const expected = await duckdbHashes(db, samples);
    const mismatches = samples.filter((s, i) => jsHash(s) !== expected[i]);
    expect(mismatches).toEqual([]);
  });

  it('is checked against this DuckDB before pnyx relies on it', async () => {
    // If a DuckDB upgrade changes hash(), this turns false and ingest reads the ids as strings
    // again (correct, ~3x slower at 10M stored ids): then update hashIdDuckDb.
    expect(await duckdbHashAgrees(db)).toBe(true);
  });
});

describe('IdHashSet.addFingerprints', () => {
  it('holds the fingerprints DuckDB computed for stored ids, so the same ids are found as repeats', async () => {
    await db.run(`CREATE OR REPLACE TABLE ids AS SELECT 'req-' || range::VARCHAR || CASE WHEN range % 7 = 0 THEN '-é' ELSE '' END AS id FROM range(50000)`);
    const set = new IdHashSet({ expected: 50_000, hasher: hashIdDuckDb });
    let chunks = 0;
    await db.eachUint64Chunk('SELECT hash(id) FROM ids', [], (words) => {
      chunks += 1;
      set.addFingerprints(words);
    });
    expect(chunks).toBeGreaterThan(1);
    expect(set.size).toBe(50_000);
    let found = 0;
    for (let i = 0; i < 50_000; i++) if (!set.add(`req-${i}${i % 7 === 0 ? '-é' : ''}`)) found += 1;
    expect(found).toBe(50_000);
    expect(set.add('req-50000')).toBe(true);
    expect(set.has('req-7')).toBe(false);
    expect(set.size).toBe(50_001);
  });

  it('skips fingerprints it holds, stores 0,0 as 0,1 like add, and grows as it fills', () => {
    const set = new IdHashSet({ hasher: (id, out) => out.set(id === 'zero' ? [0, 0] : [Number(id), 7]) });
    expect(set.capacity).toBe(1024);
    const words = new Uint32Array(2 * 3000);
    for (let i = 0; i < 3000; i++) words.set([i + 1, 7], 2 * i);
    set.addFingerprints(words);
    set.addFingerprints(words.subarray(0, 200));
    expect(set.size).toBe(3000);
    expect(set.capacity).toBe(4096);
    expect(set.has('1') && set.has('3000')).toBe(true);
    expect(set.has('3001')).toBe(false);
    set.addFingerprints(new Uint32Array([0, 0]));
    expect(set.has('zero')).toBe(true);
    expect(set.add('zero')).toBe(false);
    expect(set.size).toBe(3001);
  });

  it('reads a column that is not UBIGINT as an error, not as numbers', async () => {
    await expect(db.eachUint64Chunk('SELECT 1::INTEGER', [], () => undefined)).rejects.toThrow(/not a UBIGINT/);
  });
});

describe('hashIdPair and hashIdDuckDb', () => {
  it('differ, so a set never mixes fingerprints of both (RequestWriter picks one per run)', () => {
    const a = new Uint32Array(2);
    const b = new Uint32Array(2);
    hashIdPair('req-1', a);
    hashIdDuckDb('req-1', b);
    expect([...a]).not.toEqual([...b]);
  });
});
