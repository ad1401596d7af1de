import { describe, expect, it } from 'vitest';
import { classifyPrompt } from '../../src/core/classifier/index.js';
import { toProfileTuple, type ProfileTuple } from '../../src/core/classifier/profileTuple.js';
import type { CapabilityProfile } from '../../src/core/profile.js';
import { goldenCases } from '../../scripts/classifier/goldenCorpus.js';

/** The inverse of toProfileTuple, in the column order ProfileWriter.add reads the tuple (src/db/profileWriter.ts). */
function fromProfileTuple(t: ProfileTuple): CapabilityProfile {
  return {
    task_type: t[0],
    domain: t[1],
    reasoning: t[2],
    output_format: t[3],
    structured_output: t[4],
    latency_sensitivity: t[5],
    safety_risk: t[6],
    policy_sensitivity: t[7],
    context_tokens: t[8],
    needs_tools: t[9],
    multimodal: t[10],
    language: t[11],
    complexity: t[12],
    signals: t[13],
  };
}

describe('profile tuples (how parse workers send profiles)', () => {
  it('give back the same profile, key order included, after a structured clone', () => {
    const cases = goldenCases().filter((_, i) => i % 13 === 0);
    for (const c of cases) {
      const p = classifyPrompt(c.input);
      const t = structuredClone(toProfileTuple(p));
      expect(t).toHaveLength(Object.keys(p).length);
      expect(JSON.stringify(fromProfileTuple(t)), c.id).toBe(JSON.stringify(p));
    }
  });
});
