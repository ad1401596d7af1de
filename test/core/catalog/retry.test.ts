import { describe, expect, it } from 'vitest';
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from '../../../src/core/catalog/retry.js';

const policy = { retries: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };
const now = Date.parse('2026-08-19T12:00:00Z');

describe('catalog fetch retry policy', () => {
  it('backs off exponentially and stops after the retry budget', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(policy, a, null, now))).toEqual([1000, 2000, 4000, null]);
  });
  it('honours Retry-After in seconds or as an HTTP date, and gives up when it is too long', () => {
    expect(retryDelayMs(policy, 1, '5', now)).toBe(5000);
    expect(retryDelayMs(policy, 1, '0', now)).toBe(0);
    expect(retryDelayMs(policy, 1, 'Wed, 19 Aug 2026 12:00:07 GMT', now)).toBe(7000);
    expect(retryDelayMs(policy, 1, '3600', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
  it('retries 429, 408 and 5xx only', () => {
    expect([429, 408, 500, 502, 503, 504, 400, 401, 403, 404].map(isRetryableStatus)).toEqual([true, true, true, true, true, true, false, false, false, false]);
  });
});
