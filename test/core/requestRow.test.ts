import { describe, expect, it } from 'vitest';
import {
  decodeRow,
  decodeRows,
  encodedSourceLine,
  REQUEST_ROW_COLUMNS,
  ROW_SOURCE_LINE,
  RowEncoder,
  shiftSourceLines,
  TEXT_COLUMNS,
  VALUE_COLUMNS,
  type RequestRow,
} from '../../src/core/requestRow.js';

/** A row with every column set from `seed`, some NULL, text in several scripts. */
function row(seed: number): RequestRow {
  return REQUEST_ROW_COLUMNS.map(([name, kind], c): RequestRow[number] => {
    if ((seed + c) % 5 === 0 && name !== 'request_id') return null;
    switch (kind) {
      case 'varchar':
        return name === 'request_id' ? `id-${seed}` : `${name} ${seed} é 😀 中文 ${'x'.repeat(seed % 40)}`;
      case 'boolean':
        return seed % 2 === 0;
      case 'timestamp_ms':
        return 1_786_000_000_000 + seed;
      case 'double':
        return seed / 7;
      default:
        return seed * 1_000_003;
    }
  });
}

describe('RowEncoder', () => {
  it('gives back every row as it went in, through buffers that had to grow', () => {
    const enc = new RowEncoder(16, 2);
    const rows = Array.from({ length: 300 }, (_, i) => row(i));
    for (const r of rows) enc.add(r);
    const out = enc.finish();
    expect(out.count).toBe(300);
    expect(out.ids).toEqual(rows.map((r) => r[0]));
    expect(out.cells).toHaveLength(300 * TEXT_COLUMNS.length * 2);
    expect(out.values).toHaveLength(300 * VALUE_COLUMNS.length);
    expect(decodeRows(out)).toEqual(rows);
  });

  it('writes the UTF-8 DuckDB stores: NUL kept, a lone surrogate as U+FFFD', () => {
    const r = row(1);
    const messages = REQUEST_ROW_COLUMNS.findIndex(([n]) => n === 'messages');
    r[messages] = 'a\u0000b \ud800 c';
    const enc = new RowEncoder();
    enc.add(r);
    const out = enc.finish();
    const k = TEXT_COLUMNS.indexOf(messages);
    expect([...out.text.subarray(out.cells[2 * k]!, out.cells[2 * k + 1]!)]).toEqual([0x61, 0x00, 0x62, 0x20, 0xef, 0xbf, 0xbd, 0x20, 0x63]);
    expect(decodeRow(out, 0)[messages]).toBe('a\u0000b \ufffd c');
  });

  it('shifts source lines of a batch', () => {
    const enc = new RowEncoder();
    enc.add(row(3));
    enc.add(row(4));
    const out = enc.finish();
    shiftSourceLines(out, 100);
    expect([encodedSourceLine(out, 0), encodedSourceLine(out, 1)]).toEqual([(row(3)[ROW_SOURCE_LINE] as number) + 100, (row(4)[ROW_SOURCE_LINE] as number) + 100]);
  });
});
