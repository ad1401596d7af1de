import { describe, expect, it } from 'vitest';
import { requiredCapabilities, shortfalls, LONG_CONTEXT_MAX_NEED } from '../../../src/core/recommend/needs.js';
import { wilsonInterval } from '../../../src/core/recommend/confidence.js';
import { profile, scores } from './handCatalog.js';

describe('requiredCapabilities', () => {
  it('maps each profile dimension to its capability', () => {
    const needs = requiredCapabilities(
      profile({ task_type: 'code_generation', domain: 'software', reasoning: 0.6, complexity: 0.7, policy_sensitivity: 0.2, structured_output: true, needs_tools: true, context_tokens: 2000, latency_sensitivity: 0.9 }),
      500,
    );
    expect(needs).toEqual({
      capabilities: { general: 0.7, reasoning: 0.6, coding: 0.7, instruction_following: 0.5, tool_use: 0.7, long_context: 0 },
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
    expect(n.capabilities.instruction_following).toBe(0.85);
    expect(n.capabilities.long_context).toBeCloseTo(LONG_CONTEXT_MAX_NEED, 10);
    expect(n.capabilities.coding).toBe(0);
    expect(requiredCapabilities(profile({ context_tokens: 15_999 })).capabilities.long_context).toBe(0);
    expect(requiredCapabilities(profile({ context_tokens: 16_000 })).capabilities.long_context).toBeCloseTo(LONG_CONTEXT_MAX_NEED / 2, 10);
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
