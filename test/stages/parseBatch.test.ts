import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import { ROW_SOURCE_LINE } from '../../src/core/requestRow.js';
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
  rows: rs.flatMap((r) => r.rows),
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
    expect(res.rows.length + res.sampledOut).toBe(5);
    expect(res.rejects.length).toBe(2);
  });
});
