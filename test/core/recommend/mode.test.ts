import { describe, expect, it } from 'vitest';
import { assessFeature } from '../../../src/core/recommend/assessFeature.js';
import { judgedMode, nonReasoningScores, reasoningUse, REASONING_USE_MIN_SHARE } from '../../../src/core/recommend/mode.js';
import { bucket, handCatalog, model, scores, tokens } from './handCatalog.js';

const hybridModel = (mandatory = false) => model('lab/hybrid', { prompt: 0.5, completion: 2 }, { reasoning: { supported: true, mandatory } });
/** Frontier-level with reasoning on (0.9), efficient-level without (0.5). */
const hybridScores = scores('lab/hybrid', 0.9, { non_reasoning: { general: 0.5, reasoning: 0.5, coding: 0.5 } });
const use = (requests: number, withReasoning: number) => ({ requests, with_reasoning: withReasoning });

describe('judgedMode: the mode the logs show', () => {
  it('no request used reasoning tokens → non-reasoning scores, with a note giving the counts', () => {
    const m = judgedMode(hybridModel(), hybridScores, use(120, 0));
    expect(m.mode).toBe('non-reasoning');
    expect(m.scores!.capabilities).toEqual({ general: 0.5, reasoning: 0.5, coding: 0.5, instruction_following: 0.9, tool_use: 0.9, long_context: 0.9 });
    expect(m.note).toBe('lab/hybrid judged in non-reasoning mode: 0 of 120 requests used reasoning tokens');
  });

  it('the threshold: below REASONING_USE_MIN_SHARE of requests with reasoning → non-reasoning; at or above → reasoning', () => {
    expect(REASONING_USE_MIN_SHARE).toBe(0.05);
    expect(judgedMode(hybridModel(), hybridScores, use(100, 4)).mode).toBe('non-reasoning');
    const on = judgedMode(hybridModel(), hybridScores, use(100, 5));
    expect(on.mode).toBe('reasoning');
    expect(on.scores).toBe(hybridScores);
    expect(on.note).toBeNull();
  });

  it('reasoning-mode scores when the mode cannot be chosen: mandatory reasoning, no reasoning support, no non-reasoning scores, no requests', () => {
    expect(judgedMode(hybridModel(true), hybridScores, use(100, 0)).mode).toBe('reasoning');
    expect(judgedMode(model('lab/plain', { prompt: 1, completion: 1 }), hybridScores, use(100, 0)).mode).toBe('reasoning');
    expect(judgedMode(hybridModel(), scores('lab/hybrid', 0.9), use(100, 0)).mode).toBe('reasoning');
    expect(judgedMode(hybridModel(), hybridScores, use(0, 0)).mode).toBe('reasoning');
    expect(judgedMode(null, hybridScores, use(100, 0)).mode).toBe('reasoning');
  });

  it('reasoningUse counts the requests of buckets with reasoning tokens', () => {
    expect(reasoningUse([bucket('lab/hybrid', 30, {}, tokens(30)), bucket('lab/hybrid', 10, {}, tokens(10, 1000, 400, 300))])).toEqual({ requests: 40, with_reasoning: 10 });
  });

  it('nonReasoningScores keeps capabilities a source scored in one mode only', () => {
    expect(nonReasoningScores(scores('x', 0.7, { non_reasoning: { reasoning: 0.2 } })).capabilities).toMatchObject({ reasoning: 0.2, general: 0.7 });
  });
});

describe('assessFeature judges the assigned model in its logged mode', () => {
  const opts = { catalog: handCatalog([hybridModel()], [hybridScores]), policy: {}, asOf: '2026-08-20' };
  const hard = { complexity: 0.85, reasoning: 0.9 };

  it('run without reasoning on demanding traffic: under-provisioned, and the recommendation says to enable reasoning', () => {
    const a = assessFeature('f', [bucket('lab/hybrid', 100, hard, tokens(100))], opts);
    expect(a.verdict).toBe('under-provisioned');
    expect(a.warnings).toContain('lab/hybrid judged in non-reasoning mode: 0 of 100 requests used reasoning tokens');
    const r = a.quality.find((q) => q.capability === 'reasoning')!;
    expect(r.assigned!).toBeLessThan(r.projected!);
    // its own reasoning mode is the cheapest model that meets the needs
    expect(a.routes.map((x) => x.model)).toEqual(['lab/hybrid']);
    expect(a.routes[0]!.reason).toContain('enable reasoning');
  });

  it('the same traffic run with reasoning: judged by its reasoning-mode scores, not short', () => {
    const a = assessFeature('f', [bucket('lab/hybrid', 100, hard, tokens(100, 1000, 600, 400))], opts);
    expect(a.shares.under).toBe(0);
    expect(a.verdict).not.toBe('under-provisioned');
    expect(a.warnings.some((w) => w.includes('non-reasoning mode'))).toBe(false);
  });

  it('a route to a model that needs no reasoning mode for the traffic says nothing about it', () => {
    const a = assessFeature('f', [bucket('lab/frontier', 100, { complexity: 0.4, reasoning: 0.3 })], opts);
    expect(a.verdict).toBe('over-provisioned');
    for (const r of a.routes) expect(r.reason).not.toContain('enable reasoning');
  });
});
