import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EFFORT_FULL_REASONING_TOKENS,
  EFFORT_MAX_NEED,
  EFFORT_MIN_REASONING_TOKENS,
  LONG_CONTEXT_MAX_NEED,
  POLICY_IF_CURVE,
  POLICY_IF_MAX_NEED,
  REASONING_MIN_PROBABILITY,
  STRUCTURED_OUTPUT_IF_NEED,
  meetsNeeds,
  requiredCapabilities,
  shortfalls,
} from '../../../src/core/recommend/needs.js';
import { wilsonInterval } from '../../../src/core/recommend/confidence.js';
import { levelScale } from '../../../src/core/recommend/levels.js';
import { profile, scores } from './handCatalog.js';

describe('requiredCapabilities', () => {
  it('maps each profile dimension to its capability', () => {
    const needs = requiredCapabilities(
      profile({ task_type: 'code_generation', domain: 'software', reasoning: 0.6, complexity: 0.7, policy_sensitivity: 0.2, structured_output: true, needs_tools: true, context_tokens: 2000, latency_sensitivity: 0.9 }),
      { completion_tokens: 500 },
    );
    expect(needs).toEqual({
      capabilities: { general: 0.7, reasoning: 0.6, coding: 0.7, instruction_following: STRUCTURED_OUTPUT_IF_NEED, tool_use: 0.7, long_context: 0 },
      domain: { domain: 'software', level: 0.7 },
      context_tokens: 2500,
      tools: true,
      structured_output: true,
      multimodal: false,
      interactive: true,
    });
  });

  it('policy-sensitive requests need instruction following; long prompts need long-context skill', () => {
    const n = requiredCapabilities(profile({ policy_sensitivity: 0.85, context_tokens: 200_000 }));
    expect(n.capabilities.instruction_following).toBeCloseTo(POLICY_IF_MAX_NEED * 0.85 ** POLICY_IF_CURVE, 12);
    expect(requiredCapabilities(profile({ policy_sensitivity: 1 })).capabilities.instruction_following).toBe(POLICY_IF_MAX_NEED);
    expect(n.capabilities.long_context).toBeCloseTo(LONG_CONTEXT_MAX_NEED, 10);
    expect(n.capabilities.coding).toBe(0);
    expect(requiredCapabilities(profile({ context_tokens: 15_999 })).capabilities.long_context).toBe(0);
    expect(requiredCapabilities(profile({ context_tokens: 16_000 })).capabilities.long_context).toBeCloseTo(LONG_CONTEXT_MAX_NEED / 2, 10);
  });

  it('reasoning tokens a reasoning model spent raise the reasoning need', () => {
    const p = profile({ reasoning: 0.4 });
    expect(requiredCapabilities(p, { reasoning_tokens: EFFORT_MIN_REASONING_TOKENS - 1 }).capabilities.reasoning).toBe(0.4);
    expect(requiredCapabilities(p, { reasoning_tokens: EFFORT_MIN_REASONING_TOKENS }).capabilities.reasoning).toBeCloseTo(EFFORT_MAX_NEED / 2, 12);
    expect(requiredCapabilities(p, { reasoning_tokens: EFFORT_FULL_REASONING_TOKENS * 3 }).capabilities.reasoning).toBe(EFFORT_MAX_NEED);
  });

  it(`a reasoning probability below REASONING_MIN_PROBABILITY (${REASONING_MIN_PROBABILITY}) sets no reasoning need; observed effort still does`, () => {
    expect(requiredCapabilities(profile({ reasoning: REASONING_MIN_PROBABILITY - 0.01 })).capabilities.reasoning).toBe(0);
    expect(requiredCapabilities(profile({ reasoning: REASONING_MIN_PROBABILITY })).capabilities.reasoning).toBe(REASONING_MIN_PROBABILITY);
    expect(requiredCapabilities(profile({ reasoning: 0.1 }), { reasoning_tokens: EFFORT_FULL_REASONING_TOKENS }).capabilities.reasoning).toBe(EFFORT_MAX_NEED);
  });

  it('an unknown score is a shortfall, never a guess; a missing domain score is not checked', () => {
    const s = scores('m', 0.9);
    delete s.capabilities.reasoning;
    const needs = requiredCapabilities(profile({ reasoning: 0.5, complexity: 0.5, domain: 'legal' }));
    expect(shortfalls(needs, s)).toEqual([{ capability: 'reasoning', need: 0.5, has: null }]);
    s.domains.legal = 0.3;
    expect(shortfalls(needs, s).map((x) => x.capability)).toEqual(['reasoning', 'domain:legal']);
  });
});

describe('wilsonInterval', () => {
  it('matches the textbook values', () => {
    const [lo, hi] = wilsonInterval(20, 100);
    expect(lo).toBeCloseTo(0.1334, 4);
    expect(hi).toBeCloseTo(0.2888, 4);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
  });
});

describe('levelScale', () => {
  it('turns scores into percentiles per capability, so differently spread benchmarks compare', () => {
    const pop = [scores('a', 0.1, { caps: { tool_use: 0.8 } }), scores('b', 0.2, { caps: { tool_use: 0.9 } }), scores('c', 0.4, { caps: { tool_use: 0.95 } }), scores('d', 0.8, { caps: { tool_use: 0.99 } })];
    const scale = levelScale(pop);
    expect(scale.apply(pop[2]!).capabilities).toMatchObject({ general: 0.75, tool_use: 0.75 });
    expect(scale.apply(scores('x', 0.3, { caps: { tool_use: 0.5 } })).capabilities).toMatchObject({ general: 0.5, tool_use: 0 });
  });
});

describe('meetsNeeds', () => {
  it('property: agrees with shortfalls() on arbitrary needs and scores (missing scores included)', () => {
    const level = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({ reasoning: fc.double({ min: 0, max: 1, noNaN: true }), complexity: fc.double({ min: 0, max: 1, noNaN: true }), policy_sensitivity: fc.double({ min: 0, max: 1, noNaN: true }) }),
        fc.constantFrom('general', 'legal', 'math'),
        fc.tuple(level, level, level, level, level),
        (p, domain, [g, r, c, i, d]) => {
          const needs = requiredCapabilities(profile({ ...p, domain: domain as 'general', task_type: 'code_generation' }));
          const s = scores('m', 0.5);
          s.capabilities = { general: g, reasoning: r, coding: c, instruction_following: i };
          if (d !== undefined) s.domains = { [domain]: d };
          expect(meetsNeeds(needs, s)).toBe(shortfalls(needs, s).length === 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
