import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, type ModelScores } from '../../../src/core/catalog/types.js';
import { DOMAINS } from '../../../src/core/profile.js';
import { hardConstraintFailures, isAdequate, type Candidate } from '../../../src/core/recommend/candidates.js';
import { requiredCapabilities, shortfalls } from '../../../src/core/recommend/needs.js';
import { model, profile, scores } from './handCatalog.js';

const level = fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }));
const maybeLevel = fc.oneof(fc.constant(null), level);

/** A candidate with random parameters, modalities, context window, TTFT and (partly unknown) scores. */
const candidate = fc
  .record({
    params: fc.subarray(['tools', 'response_format', 'structured_outputs', 'temperature']),
    image: fc.boolean(),
    context: fc.oneof(fc.constant(null), fc.integer({ min: 1000, max: 400_000 })),
    ttft: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 5, noNaN: true })),
    caps: fc.tuple(...CAPABILITIES.map(() => maybeLevel)),
    domain: fc.constantFrom(...DOMAINS),
    domainLevel: maybeLevel,
  })
  .map((r): Candidate => {
    const caps = Object.fromEntries(CAPABILITIES.map((c, i) => [c, r.caps[i]])) as ModelScores['capabilities'];
    const s: ModelScores = { ...scores('m/x', 0.5), capabilities: caps, ttft_s: r.ttft, domains: { [r.domain]: r.domainLevel } };
    const m = model('m/x', { prompt: 1, completion: 2 }, { supported_parameters: r.params, input_modalities: r.image ? ['text', 'image'] : ['text'], context_length: r.context });
    return { model: m, scores: s, tier: 'mid', capability_index: 0.5 };
  });

const needs = fc
  .record({
    task_type: fc.constantFrom('code_generation', 'chatbot', 'classification'),
    domain: fc.constantFrom(...DOMAINS),
    reasoning: level,
    complexity: level,
    policy_sensitivity: level,
    latency_sensitivity: level,
    structured_output: fc.boolean(),
    needs_tools: fc.boolean(),
    multimodal: fc.boolean(),
    context_tokens: fc.integer({ min: 0, max: 300_000 }),
    completion: fc.integer({ min: 0, max: 50_000 }),
    reasoningTokens: fc.integer({ min: 0, max: 100_000 }),
  })
  .map(({ completion, reasoningTokens, ...p }) => requiredCapabilities(profile(p as never), { completion_tokens: completion, reasoning_tokens: reasoningTokens }));

describe('isAdequate', () => {
  it('agrees with "no hard-constraint failure and no shortfall" on any candidate and needs', () => {
    fc.assert(
      fc.property(candidate, needs, (c, n) => {
        const slow = hardConstraintFailures(c.model, c.scores, n).length === 0 && shortfalls(n, c.scores).length === 0;
        expect(isAdequate(c, n)).toBe(slow);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a model whose context window is too small, and accepts it once the window fits', () => {
    const c: Candidate = { model: model('m/a', { prompt: 1, completion: 1 }, { context_length: 8000 }), scores: scores('m/a', 1), tier: 'frontier', capability_index: 1 };
    const n = requiredCapabilities(profile({ context_tokens: 7000 }), { completion_tokens: 2000 });
    expect(isAdequate(c, n)).toBe(false);
    expect(isAdequate({ ...c, model: { ...c.model, context_length: 9000 } }, n)).toBe(true);
  });
});
