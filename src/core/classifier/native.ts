import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { hashToken } from './hash.js';
import { CUE_TABLE } from './keywords.js';

/**
 * The native classifier kernel (native/classifier.c, built at install into
 * build/Release/pnyx_native.node): the tokenizer scan and the weight-row sums in C, with exactly
 * the results of the JavaScript ones. Loaded once per thread (the addon is context-aware); when it
 * is missing, fails to load or PNYX_NATIVE=0 is set, the JavaScript engine is used.
 * Like the weights file (defaultModel.ts), a read-only package asset resolved relative to this
 * module, so it is found from dist/ and from src/ (tsx, vitest) alike.
 */
export type ClassifierEngine = 'native' | 'js';

/** Options of FeatureExtractor and PromptClassifier: which engine to run (default: native when available). */
export interface EngineOptions {
  engine?: ClassifierEngine;
}

/** Layout of the state array shared with the kernel (enum ST_* in native/classifier.c). */
export const STATE = {
  flagCounts: 0,
  h: 32,
  tokLen: 33,
  tokDigits: 34,
  prev: 35,
  firstToken: 36,
  segFirstToken: 37,
  lineState: 38,
  lineHasPipe: 39,
  backtickRun: 40,
  ngramCount: 41,
  flags: 42,
  /** The StructureCounts the scan adds to, from here on, in the order FeatureExtractor.toState writes them. */
  counts: 43,
  length: 68,
} as const;

/**
 * scan() modes: end the held token (and forget the previous one) before the range; end the token
 * and the line after it; clear the n-gram dedup bits of every n-gram in the array after it.
 */
export const SCAN_FLUSH_BEFORE = 1;
export const SCAN_END_SEGMENT = 2;
export const SCAN_CLEAR_BITS = 4;

export interface NativeKernel {
  /** FeatureExtractor.scan over units[k0, n) (units[k0 - 1] is the unit before the window), then `mode`. */
  scan(state: Int32Array, bits: Int32Array, ngrams: Int32Array, units: Uint16Array, k0: number, n: number, mode: number): void;
  /** model.ts addRows: adds the integer weight sums of buckets[from, n) to acc. */
  addRows(rows: Int32Array, nonEmpty: Int32Array, buckets: Int32Array, from: number, n: number, acc: Int32Array): void;
}

interface Addon extends NativeKernel {
  init(keys: Int32Array, vals: Uint32Array, numHash: number): void;
  stateLength: number;
}

const ADDON_PATH = fileURLToPath(new URL('../../../build/Release/pnyx_native.node', import.meta.url));

let loaded: { kernel: NativeKernel | null; reason?: string } | undefined;

function load(): { kernel: NativeKernel | null; reason?: string } {
  // The one environment switch read in src/core: it must reach parse workers, which inherit the environment.
  if (process.env.PNYX_NATIVE === '0') return { kernel: null, reason: 'PNYX_NATIVE=0' };
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND') return { kernel: null, reason: `not built (no ${ADDON_PATH})` };
    return { kernel: null, reason: `failed to load: ${e.message.split('\n')[0]}` };
  }
  if (addon.stateLength !== STATE.length) return { kernel: null, reason: `built from other sources (state of ${addon.stateLength}, expected ${STATE.length}): rebuild it` };
  addon.init(CUE_TABLE.keys, CUE_TABLE.vals, hashToken('<num>') | 0);
  return { kernel: addon };
}

/** The native kernel, or null when the JavaScript engine runs (see nativeUnavailableReason). */
export function nativeKernel(): NativeKernel | null {
  loaded ??= load();
  return loaded.kernel;
}

/** The engine a classifier made without options runs. */
export function classifierEngine(): ClassifierEngine {
  return nativeKernel() ? 'native' : 'js';
}

/** Why the native engine is not used (undefined when it is). */
export function nativeUnavailableReason(): string | undefined {
  nativeKernel();
  return loaded!.reason;
}

/** The kernel for the engine asked for (null: JavaScript); asking for native when it is unavailable throws. */
export function kernelFor(engine: ClassifierEngine | undefined): NativeKernel | null {
  if (engine === 'js') return null;
  const kernel = nativeKernel();
  if (engine === 'native' && !kernel) throw new Error(`the native classifier engine is unavailable: ${nativeUnavailableReason()}`);
  return kernel;
}
