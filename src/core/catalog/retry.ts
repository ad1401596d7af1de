/**
 * Retry policy of catalog fetches. Pure: the stage that does the HTTP asks these functions what
 * to do, so the policy is unit-tested without a network.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (so at most retries + 1 requests). */
  retries: number;
  /** First backoff; doubles on each retry. */
  baseDelayMs: number;
  /** No single wait is longer than this; a longer Retry-After gives up instead. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** HTTP statuses worth retrying: rate limited, and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status <= 599);
}

/**
 * Milliseconds until the next attempt, or null to give up. `attempt` counts from 1 (the attempt
 * that just failed). `retryAfter` is the raw Retry-After header (seconds or an HTTP date).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfter: string | null, nowMs: number): number | null {
  if (attempt > policy.retries) return null;
  const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  const asked = parseRetryAfter(retryAfter, nowMs);
  if (asked === null) return backoff;
  if (asked > policy.maxDelayMs) return null;
  return asked;
}

/** Retry-After as milliseconds from now: `"120"` or `"Wed, 21 Oct 2026 07:28:00 GMT"`. */
export function parseRetryAfter(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const h = header.trim();
  if (/^\d+(\.\d+)?$/.test(h)) return Math.round(Number(h) * 1000);
  const t = Date.parse(h);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - nowMs);
}
