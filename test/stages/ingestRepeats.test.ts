import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import { hashIdPair, type IdHasher } from '../../src/core/idHashSet.js';
import { PnyxDb } from '../../src/db/database.js';
import { forgetDuckdbHashCheck, StoredIdCache } from '../../src/db/requests.js';
import { ProfileObserver } from '../../src/stages/classify.js';
import { ingestFile, ingestFiles, type IngestOptions } from '../../src/stages/ingest.js';
import { tempDir } from '../helpers/cli.js';
import { spyStatements } from '../helpers/ingest.js';

/**
 * Repeated request ids: within one file (same content = duplicate, other content = conflict,
 * kept as a reject) and across runs (the stored copy wins). The expected rows are what ingest
 * gave before repeats were routed to a side table (checked on that code): counts, kept copies,
 * rejects (lines, reasons, raw, order) and profiles must not change.
 */
const t = tempDir('pnyx-repeats-');
afterAll(t.cleanup);

/** One record; `text` tells copies of an id apart (same text = same content). */
function rec(id: string, text: string): string {
  return JSON.stringify({
    id,
    timestamp: '2026-08-10T08:00:00.000Z',
    metadata: { feature: 'support_reply', tenant_id: 't1' },
    request: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `Reply to ticket ${id}: ${text}` }] },
    response: { usage: { prompt_tokens: 100, completion_tokens: 20 } },
  });
}

// First file: a, b, c repeated within the file; d, e once; one line that is not JSON.
const A = [
  rec('a', 'first'), //    1 stored
  rec('b', 'first'), //    2 stored
  rec('a', 'first'), //    3 duplicate
  rec('b', 'other'), //    4 conflict
  rec('c', 'first'), //    5 stored
  rec('a', 'other'), //    6 conflict
  rec('c', 'first'), //    7 duplicate
  '{"id": "broken", ', //  8 reject (json)
  rec('d', 'first'), //    9 stored
  rec('b', 'first'), //   10 duplicate
  rec('e', 'first'), //   11 stored
];
// Second file: repeats of stored ids (a, b, c), new ids repeated within it (f), new ids (g).
const B = [
  rec('a', 'first'), //    1 duplicate of the stored a
  rec('f', 'first'), //    2 stored
  rec('b', 'other'), //    3 conflict with the stored b
  rec('f', 'first'), //    4 duplicate
  rec('f', 'other'), //    5 conflict
  '[1]', //                6 reject (record)
  rec('a', 'first'), //    7 duplicate of the stored a
  rec('c', 'third'), //    8 conflict with the stored c
  rec('g', 'first'), //    9 stored
];
const fileA = join(t.path, 'a.jsonl');
const fileB = join(t.path, 'b.jsonl');
writeFileSync(fileA, A.join('\n') + '\n');
writeFileSync(fileB, B.join('\n') + '\n');

const CONFLICT = 'duplicate request_id with different content (first copy kept)';

interface Outcome {
  results: { read: number; stored: number; duplicates: number; rejected: number; rejectSamples: { line: number; field: string; reason: string }[] }[];
  requests: { request_id: string; file: string; source_line: number; text: string }[];
  rejects: { file: string; line: number; field: string; reason: string; raw: string | null }[];
  profiles: string[];
  statements: string[];
  /** How often the stored ids' fingerprints were streamed from `requests` (as DuckDB's hashes, or as the ids themselves). */
  idLoads: number;
  /** How many of those streamed the ids as strings (only with a hasher of a test's own). */
  stringLoads: number;
}

/**
 * Ingests A then B into a fresh database (with profiles), as two runs (`ingestFile` each) or as
 * one batch (`ingestFiles`); returns what each file's run said and what is stored.
 */
async function ingestBoth(name: string, opts: Partial<IngestOptions> = {}, batch = false): Promise<Outcome> {
  const db = await PnyxDb.open(join(t.path, `${name}.duckdb`));
  const statements = spyStatements(db);
  const stringLoads = vi.spyOn(db, 'eachStringBatch');
  const hashLoads = vi.spyOn(db, 'eachUint64Chunk');
  try {
    const options = { mapping: DEFAULT_MAPPING, workers: 0, observers: [new ProfileObserver()], ...opts };
    const files = batch ? (await ingestFiles(db, [fileA, fileB], options)).files : [await ingestFile(db, fileA, options), await ingestFile(db, fileB, options)];
    const results = files.map((r) => ({ read: r.read, stored: r.stored, duplicates: r.duplicates, rejected: r.rejected, rejectSamples: r.rejectSamples }));
    const requests = await db.all<Outcome['requests'][number]>(
      `SELECT request_id, parse_filename(source_file) AS file, source_line, json_extract_string(messages, '$[0].content') AS text
       FROM requests ORDER BY request_id`,
    );
    const rejects = await db.all<Outcome['rejects'][number]>(
      'SELECT parse_filename(source_file) AS file, line, field, reason, raw FROM rejects ORDER BY source_file, rowid',
    );
    const profiles = (await db.all<{ id: string }>('SELECT request_id AS id FROM profiles ORDER BY 1')).map((r) => r.id);
    const idLoads = stringLoads.mock.calls.length + hashLoads.mock.calls.length;
    return { results, requests, rejects, profiles, statements, idLoads, stringLoads: stringLoads.mock.calls.length };
  } finally {
    db.close();
  }
}

const conflict = (line: number) => ({ line, field: 'request_id', reason: CONFLICT });

/** The checks every variant must pass; returns the conflict rejects' raw records by file:line. */
function expectSettled(o: Outcome): Map<string, string | null> {
  expect(o.results).toEqual([
    {
      read: 11,
      stored: 5,
      duplicates: 3,
      rejected: 3,
      rejectSamples: [{ line: 4, field: 'request_id', reason: CONFLICT }, conflict(6), { line: 8, field: '(json)', reason: expect.any(String) }],
    },
    {
      read: 9,
      stored: 2,
      duplicates: 3,
      rejected: 4,
      rejectSamples: [conflict(3), conflict(5), { line: 6, field: '(record)', reason: expect.any(String) }, conflict(8)],
    },
  ]);
  expect(o.requests).toEqual([
    { request_id: 'a', file: 'a.jsonl', source_line: 1, text: 'Reply to ticket a: first' },
    { request_id: 'b', file: 'a.jsonl', source_line: 2, text: 'Reply to ticket b: first' },
    { request_id: 'c', file: 'a.jsonl', source_line: 5, text: 'Reply to ticket c: first' },
    { request_id: 'd', file: 'a.jsonl', source_line: 9, text: 'Reply to ticket d: first' },
    { request_id: 'e', file: 'a.jsonl', source_line: 11, text: 'Reply to ticket e: first' },
    { request_id: 'f', file: 'b.jsonl', source_line: 2, text: 'Reply to ticket f: first' },
    { request_id: 'g', file: 'b.jsonl', source_line: 9, text: 'Reply to ticket g: first' },
  ]);
  // Parse rejects first (in line order), then conflicts (in line order), as before.
  expect(o.rejects.map(({ file, line, field, reason }) => ({ file, line, field, reason }))).toEqual([
    { file: 'a.jsonl', line: 8, field: '(json)', reason: expect.any(String) },
    { file: 'a.jsonl', ...conflict(4) },
    { file: 'a.jsonl', ...conflict(6) },
    { file: 'b.jsonl', line: 6, field: '(record)', reason: expect.any(String) },
    { file: 'b.jsonl', ...conflict(3) },
    { file: 'b.jsonl', ...conflict(5) },
    { file: 'b.jsonl', ...conflict(8) },
  ]);
  expect(o.profiles).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  // Rows this transaction appended to `requests` are never deleted again (a DELETE of them makes
  // DuckDB's COMMIT re-append every row of the run through the buffer pool, spilling to disk).
  expect(o.statements.some((q) => /INSERT INTO rejects/.test(q))).toBe(true);
  expect(o.statements.filter((q) => /DELETE\s+FROM\s+requests\b/i.test(q))).toEqual([]);
  return new Map(o.rejects.filter((r) => r.field === 'request_id').map((r) => [`${r.file}:${r.line}`, r.raw]));
}

describe('ingest of repeated request ids', () => {
  let plain: Outcome;

  it('keeps the first copy, counts repeats, and rejects conflicting ones with the record as stored', async () => {
    plain = await ingestBoth('plain');
    const raws = expectSettled(plain);
    // The second run read the stored ids' fingerprints from `requests` (the first found it empty),
    // as DuckDB's hash() of each: no id was read as a string.
    expect([plain.idLoads, plain.stringLoads]).toEqual([1, 0]);
    // Without --store-raw a conflict's raw is the duplicate row's stored columns, as JSON.
    expect(raws.get('a.jsonl:4')).toBe(
      '{"request_id":"b","timestamp":"2026-08-10 08:00:00","feature":"support_reply","tenant_id":"t1","user_id":null,' +
        '"model":"openai/gpt-4o-mini","provider":null,"system_prompt":null,' +
        '"messages":[{"role":"user","content":"Reply to ticket b: other","attachments":0}],"tools":null,"response_format":null,' +
        '"prompt_tokens":100,"completion_tokens":20,"cost_usd":null,"latency_ms":null,"status":null,"error":null,' +
        '"metadata":{"feature":"support_reply","tenant_id":"t1"},"source_format":"openai"}',
    );
    for (const [at, id, text] of [['a.jsonl:6', 'a', 'other'], ['b.jsonl:3', 'b', 'other'], ['b.jsonl:5', 'f', 'other'], ['b.jsonl:8', 'c', 'third']] as const) {
      const r = JSON.parse(raws.get(at)!) as { request_id: string; messages: { content: string }[] };
      expect([r.request_id, r.messages[0]!.content]).toEqual([id, `Reply to ticket ${id}: ${text}`]);
    }
  });

  it('gives the same for both files in one batch, reading the stored ids from the database never', async () => {
    const o = await ingestBoth('batch', {}, true);
    expect(expectSettled(o)).toEqual(expectSettled(plain));
    // The first file found `requests` empty; the second reused the first's fingerprints.
    expect(o.idLoads).toBe(0);
  });

  it('reads the stored ids again after a run that rolled back', async () => {
    const db = await PnyxDb.open(join(t.path, 'rollback.duckdb'));
    let failRunRecord = true;
    // The run record is written after the requests' commit step, inside the file's transaction.
    spyStatements(db, (sql) => failRunRecord && sql.startsWith('INSERT INTO ingest_runs'));
    const idLoads = vi.spyOn(db, 'eachUint64Chunk');
    const cache = new StoredIdCache();
    const options = { mapping: DEFAULT_MAPPING, workers: 0 };
    try {
      await expect(ingestFile(db, fileA, options, cache)).rejects.toThrow('injected failure');
      failRunRecord = false;
      const a = await ingestFile(db, fileA, options, cache);
      expect([a.stored, a.duplicates, a.rejected, idLoads.mock.calls.length]).toEqual([5, 3, 3, 0]);
      failRunRecord = true;
      await expect(ingestFile(db, fileB, options, cache)).rejects.toThrow('injected failure');
      failRunRecord = false;
      const b = await ingestFile(db, fileB, options, cache);
      expect([b.stored, b.duplicates, b.rejected, idLoads.mock.calls.length]).toEqual([2, 3, 4, 1]);
      expect((await db.all<{ id: string }>('SELECT request_id AS id FROM requests ORDER BY 1')).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    } finally {
      db.close();
    }
  });

  it('gives the same when every id has the same fingerprint (all repeats are settled in SQL)', async () => {
    const same: IdHasher = (_id, out) => out.fill(7);
    const o = await ingestBoth('collide', { idHasher: same });
    expect(expectSettled(o)).toEqual(expectSettled(plain));
    // A hasher of its own: DuckDB cannot compute it, so the stored ids were read as strings.
    expect([o.idLoads, o.stringLoads]).toEqual([1, 1]);
  });

  it('stores an id whose fingerprint collides with an earlier id, and counts no duplicate', async () => {
    // x and y share a fingerprint (z has its own): y goes to the side table, and is stored at commit.
    const collide: IdHasher = (id, out) => out.set(id === 'z' ? [1, 2] : [3, 4]);
    const db = await PnyxDb.open(join(t.path, 'pair.duckdb'));
    const ingest = (name: string, lines: string[]) => {
      const f = join(t.path, name);
      writeFileSync(f, lines.join('\n') + '\n');
      return ingestFile(db, f, { mapping: DEFAULT_MAPPING, workers: 0, observers: [new ProfileObserver()], idHasher: collide });
    };
    try {
      const first = await ingest('pair1.jsonl', [rec('x', 'first'), rec('y', 'first'), rec('y', 'other')]);
      expect([first.stored, first.duplicates, first.rejected]).toEqual([2, 0, 1]);
      expect(first.rejectSamples).toEqual([conflict(3)]);
      // Next run: y is stored (its fingerprint is loaded from `requests`); w collides with x and y.
      const second = await ingest('pair2.jsonl', [rec('w', 'first'), rec('y', 'first'), rec('z', 'first'), rec('w', 'first')]);
      expect([second.stored, second.duplicates, second.rejected]).toEqual([2, 2, 0]);
      expect(await db.all('SELECT request_id, parse_filename(source_file) AS file, source_line FROM requests ORDER BY 1')).toEqual([
        { request_id: 'w', file: 'pair2.jsonl', source_line: 1 },
        { request_id: 'x', file: 'pair1.jsonl', source_line: 1 },
        { request_id: 'y', file: 'pair1.jsonl', source_line: 2 },
        { request_id: 'z', file: 'pair2.jsonl', source_line: 3 },
      ]);
      expect(await db.all('SELECT request_id FROM profiles ORDER BY 1')).toEqual(['w', 'x', 'y', 'z'].map((request_id) => ({ request_id })));
    } finally {
      db.close();
    }
  });

  it('takes an id with a lone surrogate for the id as stored (U+FFFD), with either fingerprint', async () => {
    // `requests` stores the id as UTF-8, a lone surrogate as U+FFFD: "s-\ud800" and "s-\ufffd" are one id.
    // Before the eighteenth pass the second one was stored again, as a second row of that id.
    const lone = JSON.parse('"s-\\ud800"') as string;
    for (const [name, idHasher] of [['duckdb-hash', undefined], ['string-hash', hashIdPair]] as const) {
      const db = await PnyxDb.open(join(t.path, `lone-${name}.duckdb`));
      const ingest = (file: string, lines: string[]) => {
        const f = join(t.path, `${name}-${file}`);
        writeFileSync(f, lines.join('\n') + '\n');
        return ingestFile(db, f, { mapping: DEFAULT_MAPPING, workers: 0, idHasher });
      };
      try {
        const first = await ingest('l1.jsonl', [rec('s-\ufffd', 'first'), rec(lone, 'first')]);
        const second = await ingest('l2.jsonl', [rec(lone, 'first')]);
        expect([first.stored, second.stored], name).toEqual([1, 0]);
        expect(first.duplicates + first.rejected + second.duplicates + second.rejected, name).toBe(2);
        expect(await db.all('SELECT request_id AS id, count(*) AS n FROM requests GROUP BY 1'), name).toEqual([{ id: 's-\ufffd', n: 1 }]);
      } finally {
        db.close();
      }
    }
  });

  it("falls back to reading the ids as strings when DuckDB's hash cannot be checked, with the same results", async () => {
    forgetDuckdbHashCheck();
    const columns = PnyxDb.prototype.columns;
    // The check's query fails while it runs (an execution error aborts the transaction it runs
    // in, so the check must run before the file's transaction begins).
    const failCheck = vi.spyOn(PnyxDb.prototype, 'columns').mockImplementation(async function (this: PnyxDb, sql, params) {
      return sql.includes('list_transform') ? columns.call(this, "SELECT error('injected: the hash check failed')", []) : columns.call(this, sql, params);
    });
    try {
      const o = await ingestBoth('no-hash-check');
      expect(expectSettled(o)).toEqual(expectSettled(plain));
      expect([o.idLoads, o.stringLoads]).toEqual([1, 1]);
      expect(failCheck).toHaveBeenCalled();
    } finally {
      failCheck.mockRestore();
      forgetDuckdbHashCheck();
    }
  });

  it('with --store-raw, a conflict keeps its original record', async () => {
    const raws = expectSettled(await ingestBoth('raw', { storeRaw: true }));
    expect(Object.fromEntries(raws)).toEqual({
      'a.jsonl:4': A[3],
      'a.jsonl:6': A[5],
      'b.jsonl:3': B[2],
      'b.jsonl:5': B[4],
      'b.jsonl:8': B[7],
    });
  });
});
