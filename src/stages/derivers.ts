import { PromptClassifier } from '../core/classifier/index.js';
import { defaultModel } from '../core/classifier/defaultModel.js';
import { toProfileTuple, type ProfileTuple } from '../core/classifier/profileTuple.js';
import type { CanonicalRequest } from '../core/request.js';

/**
 * Per-request values an IngestObserver needs, computed in the parse workers (or inline) from the
 * canonical request as read (before any storage-time masking), so observers never need the full
 * request on the main thread. Each deriver must be pure and return plain data (it crosses a
 * thread boundary by structured clone). Add an entry here and name it in the observer's `derive`.
 */
let classifier: PromptClassifier | undefined;

export const DERIVERS = {
  /** The capability profile (src/core/classifier), for the `profiles` table, as a tuple (cheaper to send). */
  profile: (r: CanonicalRequest): ProfileTuple => toProfileTuple((classifier ??= new PromptClassifier(defaultModel())).classify(r)),
  /** The feature name: a minimal deriver, for tests of the observer contract. */
  feature: (r: CanonicalRequest): string => r.feature,
} as const satisfies Record<string, (r: CanonicalRequest) => unknown>;

export type DeriverName = keyof typeof DERIVERS;
