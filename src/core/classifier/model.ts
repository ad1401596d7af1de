import { DOMAINS, OUTPUT_FORMATS, TASK_TYPES } from '../profile.js';
import { FEATURE_BITS, FEATURE_COUNT } from './hash.js';
import type { TextFeatures } from './features.js';
import type { NativeKernel } from './native.js';

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
 * Each bucket's row is 8 int32 words (32 bytes, two rows per cache line: scoring is bound by
 * fetching rows, so the table is kept small); word w holds outputs 4w..4w+3 as bytes, each
 * weight biased by +128 (1..255; 128 for a pruned weight). Masking a word with 0x00ff00ff (and
 * its >>> 8 likewise) gives two outputs as 16-bit lanes; adding n rows' lanes word-wise sums
 * them without a carry between lanes while n * 255 < 65536, i.e. up to LANE_ROWS rows. A lane's
 * sum minus 128 * n is then exactly the integer sum of those weights. Integer sums do not depend
 * on the order of addition, so scores are bit-identical to adding the sparse rows one weight at
 * a time. Rows whose weights were all pruned are skipped (a bit per bucket says which).
 */
const ROW_WORDS = 8;
const LANE_ROWS = 256;
const BIAS = 128;
if (OUTPUTS > 4 * 7) throw new Error('scoreQuantized packs at most 28 outputs per row');

interface PackedRows {
  rows: Int32Array;
  /** One bit per bucket: the row has a weight left after pruning. */
  nonEmpty: Int32Array;
}
const packedRows = new WeakMap<QuantizedModel, PackedRows>();

function packRows(model: QuantizedModel): PackedRows {
  let packed = packedRows.get(model);
  if (packed) return packed;
  const { rowStart, cols, vals } = model;
  const lanes = new Int32Array(4 * 7);
  const rows = new Int32Array(FEATURE_COUNT * ROW_WORDS);
  const nonEmpty = new Int32Array(FEATURE_COUNT >>> 5);
  for (let b = 0; b < FEATURE_COUNT; b++) {
    if (rowStart[b] === rowStart[b + 1]) continue;
    nonEmpty[b >>> 5] = nonEmpty[b >>> 5]! | (1 << (b & 31));
    lanes.fill(0);
    for (let j = rowStart[b]!, end = rowStart[b + 1]!; j < end; j++) lanes[cols[j]!] = vals[j]!;
    for (let w = 0; w < 7; w++) {
      const o = 4 * w;
      rows[b * ROW_WORDS + w] = (lanes[o]! + BIAS) | ((lanes[o + 1]! + BIAS) << 8) | ((lanes[o + 2]! + BIAS) << 16) | ((lanes[o + 3]! + BIAS) << 24);
    }
  }
  packed = { rows, nonEmpty };
  packedRows.set(model, packed);
  return packed;
}

const LANE_MASK = 0x00ff00ff;

/**
 * Adds the integer weight sums of `n` buckets (from `buckets`) to acc[0..OUTPUTS). The word
 * sums live in locals (lo: outputs 4w and 4w+2, hi: 4w+1 and 4w+3), flushed every LANE_ROWS rows.
 */
function addRows({ rows: P, nonEmpty }: PackedRows, buckets: Int32Array, from: number, n: number, acc: Int32Array): void {
  let i = from;
  while (i < n) {
    let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0;
    let h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0;
    let added = 0;
    for (; i < n && added < LANE_ROWS; i++) {
      const b = buckets[i]!;
      if ((nonEmpty[b >>> 5]! & (1 << (b & 31))) === 0) continue;
      added++;
      const o = b << 3;
      let w = P[o]!;
      l0 = (l0 + (w & LANE_MASK)) | 0;
      h0 = (h0 + ((w >>> 8) & LANE_MASK)) | 0;
      w = P[o + 1]!;
      l1 = (l1 + (w & LANE_MASK)) | 0;
      h1 = (h1 + ((w >>> 8) & LANE_MASK)) | 0;
      w = P[o + 2]!;
      l2 = (l2 + (w & LANE_MASK)) | 0;
      h2 = (h2 + ((w >>> 8) & LANE_MASK)) | 0;
      w = P[o + 3]!;
      l3 = (l3 + (w & LANE_MASK)) | 0;
      h3 = (h3 + ((w >>> 8) & LANE_MASK)) | 0;
      w = P[o + 4]!;
      l4 = (l4 + (w & LANE_MASK)) | 0;
      h4 = (h4 + ((w >>> 8) & LANE_MASK)) | 0;
      w = P[o + 5]!;
      l5 = (l5 + (w & LANE_MASK)) | 0;
      h5 = (h5 + ((w >>> 8) & LANE_MASK)) | 0;
      w = P[o + 6]!;
      l6 = (l6 + (w & LANE_MASK)) | 0;
      h6 = (h6 + ((w >>> 8) & LANE_MASK)) | 0;
    }
    // Each lane sum is below 65536, so a word sum is below 2^32: `| 0` wraps it, `>>> 16` reads it back.
    const off = BIAS * added;
    const lo = [l0, l1, l2, l3, l4, l5, l6];
    const hi = [h0, h1, h2, h3, h4, h5, h6];
    for (let w = 0; w < 7; w++) {
      const k = 4 * w;
      const a = lo[w]!;
      const c = hi[w]!;
      if (k < OUTPUTS) acc[k]! += (a & 0xffff) - off;
      if (k + 1 < OUTPUTS) acc[k + 1]! += (c & 0xffff) - off;
      if (k + 2 < OUTPUTS) acc[k + 2]! += (a >>> 16) - off;
      if (k + 3 < OUTPUTS) acc[k + 3]! += (c >>> 16) - off;
    }
  }
}

/**
 * Integer sums of a replayed first segment's n-gram rows (TextFeatures.replayed), by segment:
 * a feature's system prompt is summed once, not once per request. Integer sums add up in any
 * order, so starting from these and adding the other rows gives the same scores.
 */
const segmentSums = new WeakMap<object, { model: QuantizedModel; sums: Int32Array }>();

/** addRows, in the native kernel when one is given (the same integer sums). */
function sumRows(P: PackedRows, buckets: Int32Array, from: number, n: number, acc: Int32Array, kernel: NativeKernel | null): void {
  if (kernel) kernel.addRows(P.rows, P.nonEmpty, buckets, from, n, acc);
  else addRows(P, buckets, from, n, acc);
}

/** Scores with the quantized model: integer sums per output, scaled once at the end. */
export function scoreQuantized(
  model: QuantizedModel,
  f: TextFeatures,
  out: Float64Array,
  acc: Int32Array,
  accHand: Int32Array,
  kernel: NativeKernel | null = null,
): void {
  const P = packRows(model);
  const K = OUTPUTS;
  let from = 0;
  const seg = f.replayed;
  if (seg) {
    let known = segmentSums.get(seg);
    if (known?.model !== model) {
      known = { model, sums: new Int32Array(OUTPUTS) };
      sumRows(P, seg.ngrams, 0, seg.ngrams.length, known.sums, kernel);
      segmentSums.set(seg, known);
    }
    acc.set(known.sums);
    from = seg.ngrams.length;
  } else acc.fill(0);
  accHand.fill(0);
  sumRows(P, f.ngrams, from, f.ngramCount, acc, kernel);
  sumRows(P, f.hand, 0, f.handCount, accHand, kernel);
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
