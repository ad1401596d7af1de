import { describe, expect, it } from 'vitest';
import { isSuspiciousShrink, listWithMore, MIN_KEPT_MODEL_SHARE } from '../../../src/core/catalog/shrink.js';

describe('isSuspiciousShrink', () => {
  it('flags a new snapshot listing fewer than half of the current one', () => {
    expect(MIN_KEPT_MODEL_SHARE).toBe(0.5);
    // the bundled 2026-08-19 snapshot lists 414 models: 207 is half, 206 is less
    expect([isSuspiciousShrink(414, 207), isSuspiciousShrink(414, 206)]).toEqual([false, true]);
    // the real changes between consecutive snapshots pass: 321 → 414, 554 → 414, 549 → 414
    expect([isSuspiciousShrink(321, 414), isSuspiciousShrink(554, 414), isSuspiciousShrink(549, 414)]).toEqual([false, false, false]);
    // one provider's models of 2026-08-19 (openai: 94 of 414) does not
    expect(isSuspiciousShrink(414, 94)).toBe(true);
  });
});

describe('listWithMore', () => {
  it('lists up to max names, then how many were left out', () => {
    expect(listWithMore(['a', 'b'], 3)).toBe('a, b');
    expect(listWithMore(['a', 'b', 'c'], 3)).toBe('a, b, c');
    expect(listWithMore(['a', 'b', 'c', 'd', 'e'], 3)).toBe('a, b, c (+2 more)');
  });
});
