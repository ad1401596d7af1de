import type { TextFeatures } from '../../src/core/classifier/features.js';

/** A deep copy of everything extract() returns (the extractor overwrites it on the next call). */
export function snapshot(f: TextFeatures) {
  return {
    ngrams: Array.from(f.ngrams.subarray(0, f.ngramCount)),
    hand: Array.from(f.hand.subarray(0, f.handCount)),
    flags: f.flags,
    flagCounts: Array.from(f.flagCounts),
    s: { ...f.s },
    last: { counts: { ...f.last.counts }, flagCounts: Array.from(f.last.flagCounts) },
    first: { flagCounts: Array.from(f.first.flagCounts), emails: f.first.emails, longDigitRuns: f.first.longDigitRuns },
  };
}
