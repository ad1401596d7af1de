import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_ROWS, ChunkAppender } from '../../src/db/chunkAppender.js';
import { ChunkPump } from '../../src/db/chunkPump.js';

/**
 * ChunkAppender, through an Appender and through the ChunkPump, against DuckDB's row Appender
 * (the path it replaced): the same values must be stored byte for byte, over more than one chunk, with NULLs, constants, short (inline) and
 * long strings, NUL characters and lone surrogates.
 */
let inst: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  inst = await DuckDBInstance.create(':memory:');
  conn = await inst.connect();
});
afterAll(() => {
  conn.closeSync();
  inst.closeSync();
});

const TABLE = `(k BIGINT, s VARCHAR, j JSON, d DOUBLE, i INTEGER, b BOOLEAN, t TIMESTAMP, f VARCHAR, n VARCHAR, l VARCHAR[])`;
const utf8 = new TextEncoder();

/** Text that exercises every path: inline (<= 12 bytes) and long, non-ASCII, NUL, lone surrogates. */
function text(r: number): string | null {
  const kinds = [
    'short',
    'a\u0000b',
    '\ud800',
    'x\udc00y and then a longer tail',
    'émoji 😀 中文 and more than twelve bytes',
    '',
    '123456789012',
    '1234567890123',
    'é12345678901',
    `row ${r} ${'long '.repeat(r % 7)}`,
  ];
  return r % 11 === 3 ? null : kinds[r % kinds.length]!;
}

interface Row {
  k: number;
  s: string | null;
  d: number | null;
  i: number;
  b: boolean;
  l: string[];
}

function rows(count: number): Row[] {
  return Array.from({ length: count }, (_, r) => ({
    k: r % 5 === 0 ? -(2 ** 40) - r : 2 ** 33 + r,
    s: text(r),
    d: r % 4 === 1 ? null : r / 3,
    i: -r,
    b: r % 2 === 0,
    l: Array.from({ length: r % 4 }, (_, q) => (q === 0 ? `sig${q}` : `signal:${text(r + q) ?? 'x'} p=0.${q}`)),
  }));
}

async function dump(table: string): Promise<string[]> {
  const reader = await conn.runAndReadAll(
    `SELECT k, hex(encode(s)), hex(encode(j::VARCHAR)), d, i, b, t, f, n, list_transform(l, x -> hex(encode(x)))::VARCHAR FROM ${table} ORDER BY rowid`,
  );
  return reader.getRows().map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

describe('ChunkAppender', () => {
  it.each([
    ['an Appender', false],
    ['the ChunkPump', true],
  ])('stores what the row Appender stores, byte for byte, over several chunks, through %s', async (_, pumped) => {
    const data = rows(2 * CHUNK_ROWS + 77);
    const at = 1_786_000_000_123_456;
    const byRowTable = pumped ? 'by_row_p' : 'by_row';
    const byChunkTable = pumped ? 'by_chunk_p' : 'by_chunk';
    await conn.run(`CREATE TABLE ${byRowTable} ${TABLE}`);
    await conn.run(`CREATE TABLE ${byChunkTable} ${TABLE}`);
    const { LIST, VARCHAR, listValue, timestampValue } = await import('@duckdb/node-api');

    const a = await conn.createAppender(byRowTable);
    for (const r of data) {
      a.appendBigInt(BigInt(r.k));
      if (r.s === null) a.appendNull();
      else a.appendVarchar(r.s);
      if (r.s === null) a.appendNull();
      else a.appendVarchar(JSON.stringify(r.s));
      if (r.d === null) a.appendNull();
      else a.appendDouble(r.d);
      a.appendInteger(r.i);
      a.appendBoolean(r.b);
      a.appendTimestamp(timestampValue(BigInt(at)));
      a.appendVarchar('/some/path/to/a/log file é.jsonl');
      a.appendNull();
      a.appendList(listValue(r.l), LIST(VARCHAR));
      a.endRow();
    }
    a.closeSync();

    const appender = await conn.createAppender(byChunkTable);
    const pump = pumped ? ChunkPump.of(conn) : undefined;
    const c = ChunkAppender.forTable(appender, pump && { pump, table: byChunkTable });
    c.constantInt64(6, at);
    c.constantString(7, '/some/path/to/a/log file é.jsonl');
    c.constantNull(8);
    // The JSON texts of column j in one buffer, each distinct text once (as EncodedRows shares them).
    const distinct = [...new Set(data.flatMap((r) => (r.s === null ? [] : [JSON.stringify(r.s)])))];
    const shared = utf8.encode(distinct.join(''));
    const range = new Map<string, [number, number]>();
    distinct.reduce((at, json) => {
      const n = utf8.encode(json).length;
      range.set(json, [at, at + n]);
      return at + n;
    }, 0);
    data.forEach((r, i) => {
      c.int64(0, r.k);
      if (r.s === null) c.null(1);
      else if (i % 3 === 0) c.bytes(1, utf8.encode(r.s));
      else if (i % 3 === 1) c.string(1, r.s);
      else c.sharedString(1, r.s);
      if (r.s === null) c.null(2);
      else if (i < 40) c.bytes(2, shared, ...range.get(JSON.stringify(r.s))!);
      else c.repeatedTextRange(2, shared, ...range.get(JSON.stringify(r.s))!);
      if (r.d === null) c.null(3);
      else c.double(3, r.d);
      c.integer(4, r.i);
      c.boolean(5, r.b);
      c.stringList(9, r.l);
      c.endRow();
      // As ingest does after each batch: the strings so far go into the chunk (in the middle of one).
      if (i % 700 === 699) c.settle();
    });
    c.close();
    await pump?.drain();
    expect(c.count).toBe(data.length);

    const byRow = await dump(byRowTable);
    expect(byRow).toHaveLength(data.length);
    expect(await dump(byChunkTable)).toEqual(byRow);
    // The awkward values really are in there: a NUL kept whole, a lone surrogate as U+FFFD.
    expect(byRow[1]).toContain('"610062"');
    expect(byRow[2]).toContain('"EFBFBD"');
  });

  it('keeps NUL characters and turns lone surrogates into U+FFFD, in bytes and in strings', async () => {
    await conn.run('CREATE TABLE odd (s VARCHAR, u VARCHAR)');
    const c = ChunkAppender.forTable(await conn.createAppender('odd'));
    const values = ['\u0000', 'a\u0000b\u0000c\u0000 and a long tail after', '\ud83d', 'tail \udc00 and more text', 'x'];
    for (const v of values) {
      c.bytes(0, utf8.encode(v));
      c.string(1, v);
      c.endRow();
    }
    c.close();
    const got = (await conn.runAndReadAll('SELECT hex(encode(s)), hex(encode(u)), length(s) FROM odd ORDER BY rowid')).getRows();
    expect(got).toEqual([
      ['00', '00', 1n],
      ['61006200630020616E642061206C6F6E67207461696C206166746572', '61006200630020616E642061206C6F6E67207461696C206166746572', 28n],
      ['EFBFBD', 'EFBFBD', 1n],
      ['7461696C20EFBFBD20616E64206D6F72652074657874', '7461696C20EFBFBD20616E64206D6F72652074657874', 20n],
      ['78', '78', 1n],
    ]);
  });

  it('takes a refilled buffer for new text after settle, not for repeats of what it held', async () => {
    // Ingest hands a block's buffers back to the parser after settle; the next block can arrive
    // in the same buffer (same object, inline parsing) with other text at the same offsets.
    await conn.run('CREATE TABLE refill (s VARCHAR)');
    const c = ChunkAppender.forTable(await conn.createAppender('refill'));
    const buf = new Uint8Array(64);
    const block = (t: string) => {
      buf.set(utf8.encode(t));
      c.repeatedTextRange(0, buf, 0, t.length);
      c.endRow();
      c.repeatedTextRange(0, buf, 0, t.length);
      c.endRow();
      c.settle();
    };
    block('first block, a long text');
    block('second block, other text');
    c.close();
    const got = (await conn.runAndReadAll('SELECT s FROM refill ORDER BY rowid')).getRows().map((r) => r[0]);
    expect(got).toEqual(['first block, a long text', 'first block, a long text', 'second block, other text', 'second block, other text']);
  });
});

