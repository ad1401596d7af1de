import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLASSIFIER_VERSION, PromptClassifier, classifyPrompt } from '../../src/core/classifier/index.js';
import { defaultModel } from '../../src/core/classifier/defaultModel.js';
import { classifierEngine, nativeUnavailableReason } from '../../src/core/classifier/native.js';
import { GOLDEN_PATH, goldenCases, goldenLine, type GoldenLine } from '../../scripts/classifier/goldenCorpus.js';

/**
 * The classifier gives byte-identical profiles to the ones recorded in classifier.golden.jsonl
 * (CRM fixture, seed prompts, benchmark requests, random multilingual / long / edge-of-window
 * requests). After an intended change of rules, features or weights: bump CLASSIFIER_VERSION and
 * run `npx tsx scripts/classifier/golden.ts --write`.
 */
const [header, ...golden] = readFileSync(GOLDEN_PATH, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as GoldenLine & { classifier_version?: string });
const cases = goldenCases();

/** The golden outputs hold for both engines; without the native addon its half is skipped, visibly. */
for (const engine of ['js', 'native'] as const) {
  if (engine === 'native' && classifierEngine() !== 'native') {
    const why = nativeUnavailableReason() ?? 'unavailable';
    console.warn(`NOTICE: native classifier engine ${why}: its golden outputs are not checked`);
    describe('classifier golden outputs (native engine)', () => {
      it.skip(`NOTICE: skipped, native engine ${why}`, () => {});
    });
    continue;
  }
  describe(`classifier golden outputs (${engine} engine)`, () => {
    it('were recorded by this classifier version, for exactly these cases', () => {
      expect(header!.classifier_version).toBe(CLASSIFIER_VERSION);
      expect(golden.map((l) => l.id)).toEqual(cases.map((c) => c.id));
      expect(golden.filter((l) => l.profile !== undefined).length).toBeGreaterThan(700);
    });

    it('are reproduced byte for byte, whole profiles included', () => {
      const c = new PromptClassifier(defaultModel(), { engine });
      expect(c.engine).toBe(engine);
      const got = cases.map((x) => goldenLine(x, c.classify(x.input)));
      const differ = got.filter((l, i) => l.sha !== golden[i]!.sha).map((l) => l.id);
      expect(differ).toEqual([]);
      // The stored whole profiles, as objects (a readable diff if a digest ever differs).
      for (let i = 0; i < got.length; i++) if (golden[i]!.profile !== undefined) expect(got[i]!.profile, got[i]!.id).toEqual(golden[i]!.profile);
    });

    it('do not depend on what the same classifier instance classified before', () => {
      // Scratch buffers are reused between calls: classify in reverse order on a fresh instance.
      const c = new PromptClassifier(defaultModel(), { engine });
      for (let i = cases.length - 1; i >= 0; i -= 7) expect(goldenLine(cases[i]!, c.classify(cases[i]!.input)).sha, cases[i]!.id).toBe(golden[i]!.sha);
    });
  });
}

describe('classifyPrompt (the shared classifier)', () => {
  it('runs the default engine and gives the golden outputs', () => {
    for (let i = 0; i < cases.length; i += 11) expect(goldenLine(cases[i]!, classifyPrompt(cases[i]!.input)).sha, cases[i]!.id).toBe(golden[i]!.sha);
  });
});
