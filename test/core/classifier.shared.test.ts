import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyPrompt } from '../../src/core/classifier/index.js';
import { isHeldOut } from '../../scripts/classifier/datasets.js';
import { HAS_SHARED, sharedPath } from '../helpers/shared.js';

/** Real public prompts from the held-out split (never trained on): ../shared/datasets. */
describe.skipIf(!HAS_SHARED)('classifier on held-out public prompts', () => {
  it('GSM8K word problems: math domain and high reasoning', () => {
    const questions = readFileSync(sharedPath('routellm_evals/gsm8k_test.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { question: string }).question)
      .filter((q) => isHeldOut({ source: 'gsm8k', group: q }))
      .slice(0, 100);
    expect(questions.length).toBe(100);
    const profiles = questions.map((q) => classifyPrompt(q));
    expect(profiles.filter((p) => p.domain === 'math').length).toBeGreaterThanOrEqual(95);
    expect(profiles.filter((p) => p.reasoning > 0.6).length).toBeGreaterThanOrEqual(85);
  });

  it('harmful instructions score far above harmless Alpaca instructions', () => {
    const read = (f: string) => (JSON.parse(readFileSync(sharedPath('safety', f), 'utf8')) as Array<{ instruction: string }>).map((r) => r.instruction);
    const harmful = read('refusal_direction_harmful_val.json').filter((q) => isHeldOut({ source: 'refusal_harmful', group: q }));
    const harmless = read('refusal_direction_harmless_val.json').filter((q) => isHeldOut({ source: 'alpaca', group: q })).slice(0, 300);
    expect(harmful.length).toBeGreaterThan(3);
    const mean = (xs: string[]) => xs.reduce((s, q) => s + classifyPrompt(q).safety_risk, 0) / xs.length;
    expect(mean(harmful)).toBeGreaterThan(0.5);
    expect(mean(harmless)).toBeLessThan(0.05);
  });
});
