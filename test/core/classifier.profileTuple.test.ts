import { describe, expect, it } from 'vitest';
import { classifyPrompt } from '../../src/core/classifier/index.js';
import { fromProfileTuple, toProfileTuple } from '../../src/core/classifier/profileTuple.js';
import { goldenCases } from '../../scripts/classifier/goldenCorpus.js';

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
