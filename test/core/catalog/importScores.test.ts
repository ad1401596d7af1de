import { describe, expect, it } from 'vitest';
import { parseScoresCsv, parseScoresJson, targetOf } from '../../../src/core/catalog/importScores.js';
import { combineScores } from '../../../src/core/catalog/scores.js';

describe('import-scores parsing', () => {
  it('reads CSV with quoted fields, optional n and a task column', () => {
    const r = parseScoresCsv('model,task,score,n,source\r\nopenai/gpt-5,"email, short",0.9,,eval-2026\r\nopenai/gpt-5,legal,0.7,12,\r\n');
    expect(r).toEqual({
      ok: true,
      rows: [
        { model: 'openai/gpt-5', target: 'task:email, short', score: 0.9, n: null, source: 'eval-2026', metric: 'email, short', date: null, line: 2 },
        { model: 'openai/gpt-5', target: 'domain:legal', score: 0.7, n: 12, source: null, metric: 'legal', date: null, line: 3 },
      ],
    });
  });

  it('names line and field of every problem', () => {
    const r = parseScoresCsv('model,capability,score,n\n,coding,0.5,1\nopenai/gpt-5,coding,abc,1\nopenai/gpt-5,coding,0.5,2.5\n');
    expect(r).toEqual({
      ok: false,
      problems: [
        { line: 2, field: 'model', reason: 'model is missing' },
        { line: 3, field: 'score', reason: 'score must be a number' },
        { line: 4, field: 'n', reason: 'n must be a whole number' },
      ],
    });
    expect(parseScoresCsv('model,score\nx,1\n')).toEqual({ ok: false, problems: [{ line: 1, field: 'capability', reason: 'missing column capability or task' }] });
    expect(parseScoresCsv('model,capability,score\nx,coding\n')).toEqual({ ok: false, problems: [{ line: 2, field: '(row)', reason: 'has 2 fields, header has 3' }] });
  });

  it('reads JSON arrays and {scores: [...]}, with the line of each record', () => {
    const text = '{\n "scores": [\n  {"model": "a/b", "capability": "coding", "score": 0.5, "n": 3},\n  {"model": "a/b", "capability": "coding", "score": 2}\n ]\n}\n';
    expect(parseScoresJson(text)).toEqual({ ok: false, problems: [{ line: 4, field: 'score', reason: 'score must be between 0 and 1 (divide percentages by 100)' }] });
    const ok = parseScoresJson('[{"model":"a/b","capability":"tool_use","score":0.25,"date":"2026-08-01"}]');
    expect(ok).toEqual({ ok: true, rows: [{ model: 'a/b', target: 'tool_use', score: 0.25, n: null, source: null, metric: 'tool_use', date: '2026-08-01', line: 1 }] });
    expect(parseScoresJson('[{"model":"a/b","capability":"coding","score":0.5,"extra":1}]')).toEqual({ ok: false, problems: [{ line: 1, field: 'extra', reason: 'unknown column' }] });
    expect(parseScoresJson('[1,')).toMatchObject({ ok: false, problems: [{ line: 1, field: '(file)' }] });
  });

  it('maps names to targets', () => {
    expect(['coding', 'legal', 'domain:math', 'general', 'summaries'].map(targetOf)).toEqual(['coding', 'domain:legal', 'domain:math', 'general', 'task:summaries']);
  });
});

describe('combineScores', () => {
  const bundled = (target: string, score: number) => ({ source: 'AA', metric: target, date: '2026-07-01', raw: score * 100, target, score, origin: 'bundled' as const });
  it('averages bundled figures per capability and lets imported ones replace them, weighted by n', () => {
    const s = combineScores('x/y', [
      bundled('reasoning', 0.6),
      bundled('reasoning', 0.8),
      bundled('coding', 0.5),
      { source: 'team', metric: 'reasoning', date: '2026-09-01', raw: 0.2, target: 'reasoning', score: 0.2, n: 10, origin: 'imported' },
      { source: 'team', metric: 'reasoning', date: '2026-09-01', raw: 0.5, target: 'reasoning', score: 0.5, n: 30, origin: 'imported' },
      { source: 'AA', metric: 'tok/s', date: '2026-07-01', raw: 88, target: 'speed:output_tokens_per_s', score: null, origin: 'bundled' },
      bundled('domain:legal', 0.4),
      { source: 'team', metric: 'summaries', date: '2026-09-01', raw: 0.9, target: 'task:summaries', score: 0.9, n: 5, origin: 'imported' },
    ]);
    expect(s.capabilities).toEqual({ reasoning: (0.2 * 10 + 0.5 * 30) / 40, coding: 0.5 });
    expect(s.domains).toEqual({ legal: 0.4 });
    expect(s.output_tokens_per_s).toBe(88);
    expect(s.ttft_s).toBeNull();
  });
});
