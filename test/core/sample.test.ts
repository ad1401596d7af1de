import { describe, expect, it } from 'vitest';
import { isSampled, parseSampleRate, sampleFraction } from '../../src/core/sample.js';
import { formatDuration, renderIngestProgress } from '../../src/render/progress.js';

describe('sampling by request id', () => {
  it('keeps close to the rate, and the same ids every time', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `req-${i}`);
    const kept = ids.filter((id) => isSampled(id, 0.1));
    expect(kept.length / ids.length).toBeGreaterThan(0.09);
    expect(kept.length / ids.length).toBeLessThan(0.11);
    expect(ids.filter((id) => isSampled(id, 0.1))).toEqual(kept);
    // A lower rate keeps a subset of a higher rate's ids.
    const fewer = new Set(ids.filter((id) => isSampled(id, 0.05)));
    expect([...fewer].every((id) => kept.includes(id))).toBe(true);
    expect(sampleFraction('req-1')).toBe(sampleFraction('req-1'));
    expect(isSampled('anything', 1)).toBe(true);
  });
  it('parses fractions and percentages, and refuses the rest', () => {
    expect(parseSampleRate('0.1')).toBe(0.1);
    expect(parseSampleRate('10%')).toBe(0.1);
    expect(parseSampleRate('1')).toBe(1);
    expect(parseSampleRate('.5')).toBe(0.5);
    for (const bad of ['0', '1.5', '150%', '-0.1', 'x', '']) expect(parseSampleRate(bad)).toBeUndefined();
  });
});

describe('ingest progress', () => {
  it('shows rows per second and a bytes-based ETA', () => {
    expect(renderIngestProgress({ file: 'a.jsonl', records: 50_000, bytes: 250, totalBytes: 1000 }, 10_000)).toBe(
      'reading a.jsonl: 50,000 records, 5,000/s, 25%, ETA 0:30',
    );
    expect(renderIngestProgress({ file: 'b.parquet', records: 10, bytes: 0, totalBytes: 0 }, 1000)).toBe('reading b.parquet: 10 records, 10/s');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
