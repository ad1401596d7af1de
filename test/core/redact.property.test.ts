import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactText } from '../../src/core/redact.js';
import { TRICKY_FRAGMENTS } from '../../scripts/parse/tricky.js';
import { redactText as referenceRedactText } from './reference/redact.js';

/**
 * redactText skips a pattern when a cheap check shows it cannot match; the skips must never
 * change the output. Compared with the version without skips (reference/redact.ts) on strings
 * built from the pattern edges: key prefixes and bodies, emails, digit runs, IBAN-like and
 * assignment-like pieces, glued by random text.
 */
const fragment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY_FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.=:-]{1,40}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{2}\d{2}( ?[A-Z0-9]{4}){2,5}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[+(]?\d[\d ().\/-]{4,18}\d$/) },
);
const text = fc.array(fragment, { maxLength: 14 }).map((parts) => parts.join(''));

describe('redactText prefilters', () => {
  it('property: gives exactly what the unfiltered version gives', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(redactText(s)).toBe(referenceRedactText(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('property: same on arbitrary strings, including lone surrogates and control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (s) => {
        expect(redactText(s)).toBe(referenceRedactText(s));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['each key kind, alone and in text', 'x sk-abcdefghijklmnopqrstuvwxyz AKIAIOSFODNN7EXAMPLE ghp_abcdefghijklmnopqrstuvwxyz0123456789 xoxb-1234567890ab AIzaSyA1234567890abcdefghijklmnopqrstuv'],
    ['Stripe, GitLab, Hugging Face, GitHub PAT', 'sk_live_abcdefghijklmnop rk_test_abcdefghijklmnop glpat-abcdefghijklmnopqrst hf_abcdefghijklmnopqrstuvwxyz0123 github_pat_abcdefghijklmnopqrstuvwxyz0123'],
    ['a GitHub PAT alone (no `gh` in it)', 'github_pat_IOSFODNN7EXAMPLE5555555555554444'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
    ['assignments with = and :', 'API_KEY=abcdef123 and Secret : "hunter2!!" and token=short'],
    ['an assignment whose separator is the only one in the text', 'the password=abcdefgh'],
  ])('%s', (_name, s) => {
    expect(redactText(s)).toBe(referenceRedactText(s));
    expect(redactText(s)).not.toBe(s);
  });
});
