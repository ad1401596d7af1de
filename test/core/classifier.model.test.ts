import { describe, expect, it } from 'vitest';
import { defaultModel } from '../../src/core/classifier/defaultModel.js';
import { FeatureExtractor } from '../../src/core/classifier/features.js';
import { OUTPUTS, decodeModel, encodeModel, scoreQuantized, type QuantizedModel } from '../../src/core/classifier/model.js';

function score(model: QuantizedModel, fx: FeatureExtractor, segments: string[]): Float64Array {
  const z = new Float64Array(OUTPUTS);
  scoreQuantized(model, fx.extract(segments), z, new Int32Array(OUTPUTS), new Int32Array(OUTPUTS));
  return z;
}

describe('scoreQuantized with a replayed first segment', () => {
  const model = defaultModel();
  const system = 'You are a support agent for an online shop. Answer refund questions politely, in JSON, citing the policy.';
  const asks = ['Where is my refund for order 1234567?', 'Prove that the sum of two even numbers is even.', 'Schreib ein Gedicht', ''];

  it('gives the logits of a fresh extractor, bit for bit', () => {
    const fx = new FeatureExtractor();
    score(model, fx, [system, 'seen once']);
    score(model, fx, [system, 'seen twice: kept from now on']);
    for (const ask of asks) {
      expect(fx.extract([system, ask]).replayed, ask).not.toBeNull();
      const fresh = score(model, new FeatureExtractor(), [system, ask]);
      expect(score(model, fx, [system, ask]), ask).toEqual(fresh);
    }
  });

  it('keeps sums per model: another model scoring the same replayed segment gets its own', () => {
    const fx = new FeatureExtractor();
    for (let i = 0; i < 3; i++) score(model, fx, [system, 'warm up']);
    const negated = decodeModel(encodeModel({ ...model, q: Int8Array.from(model.q, (v) => -v) }));
    const fresh = score(negated, new FeatureExtractor(), [system, asks[0]!]);
    expect(fresh).not.toEqual(score(model, new FeatureExtractor(), [system, asks[0]!]));
    expect(score(negated, fx, [system, asks[0]!])).toEqual(fresh);
    expect(score(model, fx, [system, asks[0]!])).toEqual(score(model, new FeatureExtractor(), [system, asks[0]!]));
  });
});
