/**
 * Deterministic SGD for the classifier's linear layer: softmax cross-entropy on the task,
 * domain and format heads, logistic loss (soft targets) on reasoning and safety; examples with
 * no label for a head do not train it. Sources are balanced so no large set dominates.
 */
import { DOMAINS, OUTPUT_FORMATS, TASK_TYPES } from '../../src/core/profile.js';
import { PromptClassifier } from '../../src/core/classifier/index.js';
import { HEADS, OUTPUTS, emptyModel, scoreFeatures, type LinearModel } from '../../src/core/classifier/model.js';
import type { Example } from './datasets.js';

interface Encoded {
  ngrams: Int32Array;
  hand: Int32Array;
  weight: number;
  task: number;
  domain: number;
  format: number;
  reasoning: number;
  safety: number;
}

export interface TrainOptions {
  epochs: number;
  lr: number;
  l2: number;
  seed: number;
  /** Effective examples per source (larger sources are down-weighted to this). */
  perSourceCap: number;
  /** Extra weight of the hand-written seed set. */
  seedWeight: number;
  /** Extra weight of harmful examples in the safety head (they are few against many harmless ones). */
  safetyPositiveWeight: number;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 10, lr: 0.4, l2: 2e-6, seed: 20261125, perSourceCap: 2500, seedWeight: 3, safetyPositiveWeight: 2.5 };

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function encode(examples: Example[], opts: TrainOptions): Encoded[] {
  const fx = new PromptClassifier();
  const perSource = new Map<string, number>();
  for (const e of examples) perSource.set(e.source, (perSource.get(e.source) ?? 0) + 1);
  return examples.map((e) => {
    const f = fx.features({ system_prompt: e.system ?? null, messages: e.messages });
    const n = perSource.get(e.source)!;
    return {
      ngrams: f.ngrams.slice(0, f.ngramCount),
      hand: f.hand.slice(0, f.handCount),
      weight: Math.min(1, opts.perSourceCap / n) * (e.source === 'seed' ? opts.seedWeight : 1),
      task: e.task ? TASK_TYPES.indexOf(e.task) : -1,
      domain: e.domain ? DOMAINS.indexOf(e.domain) : -1,
      format: e.format ? OUTPUT_FORMATS.indexOf(e.format) : -1,
      reasoning: e.reasoning ?? -1,
      safety: e.safety ?? -1,
    };
  });
}

export function trainModel(examples: Example[], modelId: string, opts: TrainOptions = DEFAULT_TRAIN): LinearModel {
  const model = emptyModel(modelId);
  const data = encode(examples, opts);
  const rand = mulberry32(opts.seed);
  const order = data.map((_, i) => i);
  const W = model.weights;
  const bias = model.bias;
  const z = new Float64Array(OUTPUTS);
  const tmp = new Float64Array(OUTPUTS);
  const g = new Float64Array(OUTPUTS);
  const K = OUTPUTS;
  let step = 0;
  const total = opts.epochs * data.length;

  const softmaxGrad = (offset: number, n: number, label: number, w: number) => {
    if (label < 0) return;
    let max = -Infinity;
    for (let i = 0; i < n; i++) max = Math.max(max, z[offset + i]!);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(z[offset + i]! - max);
    for (let i = 0; i < n; i++) g[offset + i] = w * (Math.exp(z[offset + i]! - max) / sum - (i === label ? 1 : 0));
  };
  const logisticGrad = (offset: number, target: number, w: number) => {
    if (target < 0) return;
    g[offset] = w * (1 / (1 + Math.exp(-z[offset]!)) - target);
  };

  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const idx of order) {
      const e = data[idx]!;
      scoreFeatures(model, { ngrams: e.ngrams, ngramCount: e.ngrams.length, hand: e.hand, handCount: e.hand.length } as never, z, tmp);
      g.fill(0);
      softmaxGrad(HEADS.task.offset, TASK_TYPES.length, e.task, e.weight);
      softmaxGrad(HEADS.domain.offset, DOMAINS.length, e.domain, e.weight);
      softmaxGrad(HEADS.format.offset, OUTPUT_FORMATS.length, e.format, e.weight);
      logisticGrad(HEADS.reasoning.offset, e.reasoning, e.weight);
      logisticGrad(HEADS.safety.offset, e.safety, e.safety === 1 ? e.weight * opts.safetyPositiveWeight : e.weight);
      const lr = opts.lr / (1 + (4 * step) / total);
      step++;
      for (let k = 0; k < K; k++) bias[k]! -= lr * g[k]!;
      const inv = 1 / Math.sqrt(Math.max(1, e.ngrams.length));
      const update = (bucket: number, x: number) => {
        const base = bucket * K;
        for (let k = 0; k < K; k++) {
          const gk = g[k]!;
          const w = W[base + k]!;
          if (gk !== 0 || w !== 0) W[base + k] = w - lr * (gk * x + opts.l2 * w);
        }
      };
      for (const b of e.ngrams) update(b, inv);
      for (const b of e.hand) update(b, 1);
    }
  }
  const trainedOn: Record<string, number> = {};
  for (const e of examples) trainedOn[e.source] = (trainedOn[e.source] ?? 0) + 1;
  model.meta.trainedOn = trainedOn;
  return model;
}
