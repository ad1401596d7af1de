import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import { decodeRows, REQUEST_ROW_COLUMNS, ROW_SOURCE_LINE } from '../../src/core/requestRow.js';
import { makeLinesAbsolute, parseBatch, type ParseOptions, type ParseResult } from '../../src/stages/parseBatch.js';

const opts: ParseOptions = { mapping: DEFAULT_MAPPING, file: 'f.jsonl', kind: 'jsonl', sampleRate: 1, derive: ['feature'] };

function rec(i: number) {
  return JSON.stringify({
    id: `r${i}`,
    timestamp: '2026-08-10T09:00:00Z',
    metadata: { feature: i % 2 ? 'a' : 'b' },
    request: { model: 'm', messages: [{ role: 'user', content: `hello ${i} é` }] },
    response: { usage: { prompt_tokens: i, completion_tokens: 1 } },
  });
}

/** A file with every kind of line: a BOM, CRLF, blank lines, bad JSON, a record without a model. */
const LINES = ['\uFEFF' + rec(1), rec(2), '', '{not json', rec(3), '   ', JSON.stringify({ request: { messages: [] } }), rec(4), rec(5)];
const TEXT = LINES.join('\r\n') + '\n';
const bytes = new TextEncoder().encode(TEXT);

/** Parses the file cut into byte batches at the given line-break positions, as the reader does. */
function parseInBatches(cuts: number[]): ParseResult[] {
  const out: ParseResult[] = [];
  let start = 0;
  let lineOffset = 0;
  for (const end of [...cuts, bytes.length]) {
    const res = parseBatch({ bytes: bytes.slice(start, end), firstBatch: start === 0 }, opts);
    makeLinesAbsolute(res, lineOffset);
    lineOffset += res.lineCount;
    out.push(res);
    start = end;
  }
  return out;
}

const merged = (rs: ParseResult[]) => ({
  rows: rs.flatMap((r) => decodeRows(r.rows)),
  derived: rs.flatMap((r) => r.derived),
  rejects: rs.flatMap((r) => r.rejects),
  read: rs.reduce((s, r) => s + r.read, 0),
});

describe('parseBatch', () => {
  it('gives the same rows, rejects and line numbers however the file is cut into batches', () => {
    const whole = merged(parseInBatches([]));
    expect(whole.read).toBe(7);
    expect(whole.rows.map((r) => [r[0], r[ROW_SOURCE_LINE]])).toEqual([['r1', 1], ['r2', 2], ['r3', 5], ['r4', 8], ['r5', 9]]);
    expect(whole.rejects.map(([line, field]) => [line, field])).toEqual([[4, '(json)'], [7, 'request.model']]);
    expect(whole.derived).toEqual([['a'], ['b'], ['a'], ['b'], ['a']]);
    // Every cut after a line break (\n) is a place the reader may end a batch.
    const breaks = [...TEXT].flatMap((_, i) => (TEXT[i] === '\n' ? [new TextEncoder().encode(TEXT.slice(0, i + 1)).length] : [])).slice(0, -1);
    for (let k = 0; k < breaks.length; k++) {
      expect(merged(parseInBatches([breaks[k]!]))).toEqual(whole);
    }
    expect(merged(parseInBatches(breaks))).toEqual(whole);
  });

  it('drops requests outside the sample and counts them', () => {
    const res = parseBatch({ bytes, firstBatch: true }, { ...opts, sampleRate: 0.5 });
    expect(res.rows.count + res.sampledOut).toBe(5);
    expect(res.rejects.length).toBe(2);
  });

  it('rejects a line of invalid UTF-8 naming its byte, and keeps the other lines of the block', () => {
    const good = new TextEncoder().encode(rec(1) + '\n');
    const bad = new Uint8Array([...new TextEncoder().encode('{"id":"x'), 0xff, ...new TextEncoder().encode('"}\r\n')]);
    const res = parseBatch({ bytes: new Uint8Array([...good, ...bad, ...good]), firstBatch: true }, opts);
    expect(decodeRows(res.rows).map((r) => r[ROW_SOURCE_LINE])).toEqual([1, 3]);
    expect(res.rejects.map(([line, field, reason]) => [line, field, reason])).toEqual([[2, '(encoding)', 'invalid UTF-8 at byte 9 of the line (the file must be UTF-8)']]);
    expect(res.lineCount).toBe(3);
  });

  it('rejects an over-long line handed over by the reader as one line', () => {
    const res = parseBatch({ bytes: new TextEncoder().encode('{"id":"'), firstBatch: false, overlongBytes: 70 * 1024 * 1024 }, opts);
    expect(res.rejects.map(([line, field, reason]) => [line, field, reason])).toEqual([[1, '(record)', `line of ${70 * 1024 * 1024} bytes is longer than the 64 MiB limit per record`]]);
    expect([res.read, res.lineCount, res.rows.count]).toEqual([1, 1, 0]);
  });

  it('masks the stored text per storeText and records the mode, while derivers see the original', () => {
    const line = JSON.stringify({
      id: 'p1',
      metadata: { feature: 'mail to ann@example.com' },
      request: { model: 'm', messages: [{ role: 'user', content: 'write to ann@example.com' }] },
    });
    const col = (name: string) => REQUEST_ROW_COLUMNS.findIndex(([n]) => n === name);
    const res = parseBatch({ texts: [line], lines: [1] }, { ...opts, storeText: 'redacted', storeRaw: true });
    const row = decodeRows(res.rows)[0]!;
    expect(row[col('store_text')]).toBe('redacted');
    expect(String(row[col('messages')])).not.toContain('ann@example.com');
    expect(String(row[col('raw')])).not.toContain('ann@example.com');
    expect(String(row[col('messages')])).toContain('[EMAIL]');
    expect(res.derived[0]).toEqual(['mail to ann@example.com']);
    const full = parseBatch({ texts: [line], lines: [1] }, { ...opts, storeText: 'full', storeRaw: true });
    const fullRow = decodeRows(full.rows)[0]!;
    expect(fullRow[col('raw')]).toBe(line);
    expect(fullRow[col('store_text')]).toBe('full');
    // Without storeRaw the record is not kept: the columns hold the prompt once.
    const slimRow = decodeRows(parseBatch({ texts: [line], lines: [1] }, { ...opts, storeText: 'full' }).rows)[0]!;
    expect(slimRow[col('raw')]).toBeNull();
    expect(slimRow[col('messages')]).toBe(fullRow[col('messages')]);
  });
});
