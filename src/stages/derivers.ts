import type { CanonicalRequest } from '../core/request.js';

/**
 * Per-request values an IngestObserver needs, computed in the parse workers (or inline) from the
 * canonical request, so observers never need the full request on the main thread. Each deriver
 * must be pure and return plain data (it crosses a thread boundary by structured clone).
 * Add an entry here and name it in the observer's `derive`.
 */
export const DERIVERS = {
  /** The request's id and feature: a minimal example, used by tests. */
  feature: (r: CanonicalRequest) => r.feature,
} as const satisfies Record<string, (r: CanonicalRequest) => unknown>;

export type DeriverName = keyof typeof DERIVERS;
