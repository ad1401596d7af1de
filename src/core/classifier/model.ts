import { DOMAINS, OUTPUT_FORMATS, TASK_TYPES } from '../profile.js';
import { FEATURE_BITS, FEATURE_COUNT } from './hash.js';
import type { TextFeatures } from './features.js';

/**
 * The learned part of the classifier: one linear layer over the hashed feature space with
 * 28 outputs: softmax heads for task_type, domain and output_format, logistic heads for
 * reasoning and safety_risk. Trained by scripts/train-classifier.ts; shipped int8-quantized.
 */
export const HEADS = {
  task: { offset: 0, classes: TASK_TYPES },
  domain: { offset: TASK_TYPES.length, classes: DOMAINS },
  format: { offset: TASK_TYPES.length + DOMAINS.length, classes: OUTPUT_FORMATS },
  reasoning: { offset: TASK_TYPES.length + DOMAINS.length + OUTPUT_FORMATS.length },
  safety: { offset: TASK_TYPES.length + DOMAINS.length + OUTPUT_FORMATS.length + 1 },
} as const;
export const OUTPUTS = HEADS.safety.offset + 1;

export interface LinearModel {
  /** Row-major weights: W[bucket * OUTPUTS + output]. */
  weights: Float32Array;
  bias: Float64Array;
  meta: ModelMeta;
}

export interface ModelMeta {
  /** Identifies the trained weights; part of CLASSIFIER_VERSION. */
  modelId: string;
  featureBits: number;
  outputs: number;
  trainedOn?: Record<string, number>;
}

const MAGIC = 'PNYXCLF1';

export function emptyModel(modelId = 'untrained'): LinearModel {
  return {
    weights: new Float32Array(FEATURE_COUNT * OUTPUTS),
    bias: new Float64Array(OUTPUTS),
    meta: { modelId, featureBits: FEATURE_BITS, outputs: OUTPUTS },
  };
}

/** Raw scores (logits) of all outputs for one prompt's features, written into `out`. */
export function scoreFeatures(model: LinearModel, f: TextFeatures, out: Float64Array, tmp: Float64Array): void {
  const W = model.weights;
  const K = OUTPUTS;
  tmp.fill(0);
  const ng = f.ngrams;
  for (let i = 0, n = f.ngramCount; i < n; i++) {
    const base = ng[i]! * K;
    for (let k = 0; k < K; k++) tmp[k]! += W[base + k]!;
  }
  const inv = 1 / Math.sqrt(Math.max(1, f.ngramCount));
  const bias = model.bias;
  for (let k = 0; k < K; k++) out[k] = bias[k]! + tmp[k]! * inv;
  const hand = f.hand;
  for (let i = 0, n = f.handCount; i < n; i++) {
    const base = hand[i]! * K;
    for (let k = 0; k < K; k++) out[k]! += W[base + k]!;
  }
}

/**
 * The runtime form: int8 weights with one scale per output, held as sparse rows (CSR) so a
 * feature costs only its non-negligible weights: |q| < PRUNE_BELOW (under 1.2% of the
 * output's largest weight) is dropped, which leaves about a tenth of the entries.
 */
export interface QuantizedModel {
  q: Int8Array;
  scales: Float64Array;
  bias: Float64Array;
  meta: ModelMeta;
  rowStart: Uint32Array;
  cols: Uint8Array;
  vals: Int8Array;
}

export const PRUNE_BELOW = 2;

function sparseRows(q: Int8Array): Pick<QuantizedModel, 'rowStart' | 'cols' | 'vals'> {
  const K = OUTPUTS;
  let nnz = 0;
  for (let i = 0; i < q.length; i++) if (q[i]! >= PRUNE_BELOW || q[i]! <= -PRUNE_BELOW) nnz++;
  const rowStart = new Uint32Array(FEATURE_COUNT + 1);
  const cols = new Uint8Array(nnz);
  const vals = new Int8Array(nnz);
  let j = 0;
  for (let b = 0; b < FEATURE_COUNT; b++) {
    rowStart[b] = j;
    for (let k = 0; k < K; k++) {
      const v = q[b * K + k]!;
      if (v >= PRUNE_BELOW || v <= -PRUNE_BELOW) {
        cols[j] = k;
        vals[j++] = v;
      }
    }
  }
  rowStart[FEATURE_COUNT] = j;
  return { rowStart, cols, vals };
}

export function quantize(model: LinearModel): QuantizedModel {
  const K = OUTPUTS;
  const W = model.weights;
  const max = new Float64Array(K);
  for (let i = 0; i < W.length; i++) {
    const a = Math.abs(W[i]!);
    if (a > max[i % K]!) max[i % K] = a;
  }
  const q = new Int8Array(W.length);
  for (let i = 0; i < W.length; i++) {
    const m = max[i % K]!;
    q[i] = m === 0 ? 0 : Math.round((W[i]! / m) * 127);
  }
  return { q, scales: max.map((m) => m / 127), bias: Float64Array.from(model.bias), meta: { ...model.meta }, ...sparseRows(q) };
}

/**
 * The pruned int8 weights laid out for fast scoring (SWAR: several outputs per machine word).
 * Each bucket's row is 16 int32 words (one 64-byte cache line); word w holds outputs 2w and 2w+1
 * as 16-bit lanes, each weight biased by +128 (so 1..255, 128 for a pruned weight). Adding the
 * rows of n buckets word-wise sums both lanes at once without a carry between them as long as
 * n * 255 < 65536, i.e. up to LANE_ROWS rows; the sum of a lane minus 128 * n is then exactly the
 * integer sum of those weights. Integer sums do not depend on the order of addition, so scores
 * are bit-identical to adding the sparse rows one weight at a time.
 */
const ROW_WORDS = 16;
const LANE_WORDS = Math.ceil(OUTPUTS / 2);
const LANE_ROWS = 256;
const BIAS = 128;
const packedRows = new WeakMap<QuantizedModel, Int32Array>();

function packRows(model: QuantizedModel): Int32Array {
  let packed = packedRows.get(model);
  if (packed) return packed;
  const { rowStart, cols, vals } = model;
  const lanes = new Int32Array(LANE_WORDS * 2);
  packed = new Int32Array(FEATURE_COUNT * ROW_WORDS);
  for (let b = 0; b < FEATURE_COUNT; b++) {
    lanes.fill(0);
    for (let j = rowStart[b]!, end = rowStart[b + 1]!; j < end; j++) lanes[cols[j]!] = vals[j]!;
    for (let w = 0; w < LANE_WORDS; w++) packed[b * ROW_WORDS + w] = (lanes[2 * w]! + BIAS) | ((lanes[2 * w + 1]! + BIAS) << 16);
  }
  packedRows.set(model, packed);
  return packed;
}

/**
 * Adds the integer weight sums of `n` buckets (from `buckets`) to acc[0..OUTPUTS). Kept to
 * OUTPUTS <= 28 (14 words): the word sums live in locals, flushed every LANE_ROWS rows.
 */
function addRows(P: Int32Array, buckets: Int32Array, n: number, acc: Int32Array): void {
  for (let start = 0; start < n; start += LANE_ROWS) {
    const end = Math.min(n, start + LANE_ROWS);
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
    for (let i = start; i < end; i++) {
      const o = buckets[i]! << 4;
      a0 = (a0 + P[o]!) | 0;
      a1 = (a1 + P[o + 1]!) | 0;
      a2 = (a2 + P[o + 2]!) | 0;
      a3 = (a3 + P[o + 3]!) | 0;
      a4 = (a4 + P[o + 4]!) | 0;
      a5 = (a5 + P[o + 5]!) | 0;
      a6 = (a6 + P[o + 6]!) | 0;
      a7 = (a7 + P[o + 7]!) | 0;
      a8 = (a8 + P[o + 8]!) | 0;
      a9 = (a9 + P[o + 9]!) | 0;
      a10 = (a10 + P[o + 10]!) | 0;
      a11 = (a11 + P[o + 11]!) | 0;
      a12 = (a12 + P[o + 12]!) | 0;
      a13 = (a13 + P[o + 13]!) | 0;
    }
    const off = BIAS * (end - start);
    const words = [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13];
    for (let w = 0; w < LANE_WORDS; w++) {
      acc[2 * w]! += (words[w]! & 0xffff) - off;
      if (2 * w + 1 < OUTPUTS) acc[2 * w + 1]! += (words[w]! >>> 16) - off;
    }
  }
}

/** Scores with the quantized model: integer sums per output, scaled once at the end. */
export function scoreQuantized(model: QuantizedModel, f: TextFeatures, out: Float64Array, acc: Int32Array, accHand: Int32Array): void {
  const P = packRows(model);
  const K = OUTPUTS;
  acc.fill(0);
  accHand.fill(0);
  addRows(P, f.ngrams, f.ngramCount, acc);
  addRows(P, f.hand, f.handCount, accHand);
  const inv = 1 / Math.sqrt(Math.max(1, f.ngramCount));
  const { bias, scales } = model;
  for (let k = 0; k < K; k++) out[k] = bias[k]! + scales[k]! * (acc[k]! * inv + accHand[k]!);
}

/** Encodes a model as the shipped binary: magic, header JSON (meta, scales, bias), int8 weights. */
export function encodeModel(model: QuantizedModel): Uint8Array {
  const header = JSON.stringify({ ...model.meta, scales: Array.from(model.scales), bias: Array.from(model.bias) });
  const headerBytes = new TextEncoder().encode(header);
  const buf = new Uint8Array(8 + 4 + headerBytes.length + model.q.length);
  buf.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(buf.buffer).setUint32(8, headerBytes.length, true);
  buf.set(headerBytes, 12);
  buf.set(new Uint8Array(model.q.buffer, model.q.byteOffset, model.q.byteLength), 12 + headerBytes.length);
  return buf;
}

export function decodeModel(bytes: Uint8Array): QuantizedModel {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC) throw new Error('not a pnyx classifier weights file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLen))) as ModelMeta & { scales: number[]; bias: number[] };
  if (header.featureBits !== FEATURE_BITS || header.outputs !== OUTPUTS) {
    throw new Error(`classifier weights have ${header.featureBits} bits / ${header.outputs} outputs, code expects ${FEATURE_BITS} / ${OUTPUTS}`);
  }
  const n = FEATURE_COUNT * OUTPUTS;
  const start = 12 + headerLen;
  if (bytes.length < start + n) throw new Error('classifier weights file is truncated');
  const q = new Int8Array(n);
  q.set(new Int8Array(bytes.buffer, bytes.byteOffset + start, n));
  const { scales, bias, ...meta } = header;
  return { q, scales: Float64Array.from(scales), bias: Float64Array.from(bias), meta, ...sparseRows(q) };
}
