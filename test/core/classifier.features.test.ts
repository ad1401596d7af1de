import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIRST_SEGMENTS_KEPT, FeatureExtractor, HEAD_CHARS, TAIL_CHARS } from '../../src/core/classifier/features.js';
import { snapshot } from '../helpers/features.js';

/** Whether the extractor holds what scanning `text` as a first segment left (it replays that). */
function replays(fx: FeatureExtractor, text: string): boolean {
  return !!(fx as unknown as { firstSegments: Map<string, unknown> }).firstSegments.get(text);
}

// First segments that end in every tokenizer and line state: mid-word, mid-number, after a pipe,
// a fence, a CJK character, an emoji, punctuation only (no token), list line starts, e-mails.
const SYSTEM_PROMPTS = [
  'You are a support agent. Reply in JSON.',
  'Columns: | id | refund amount |',
  'Answer with code:\n```',
  'Ticket 1234567',
  'Customer reference 20240117 and IBAN DE44500105175407324931',
  '日本語で答えてください',
  'Be kind 😀',
  '!!! ???',
  '',
  '1. Read the record\n2) Classify it\n- keep it short\n* no jargon\nA) yes\nB. no\n   • bullet',
  'Write to support@example.com; escalate complaints to a manager please',
  'Sei un assistente. Rispondi in italiano per favore, con gli esempi della documentazione',
];
const USER_MESSAGES = ['What is the refund policy?', '```js\nconst x = 1;\n```', 'Ja, bitte prüfen Sie die Rechnung 99', '| a | b |\n|---|---|', ''];

describe('FeatureExtractor first-segment replay', () => {
  it('gives the features a fresh scan gives, for first segments ending in any state', () => {
    for (const sys of SYSTEM_PROMPTS) {
      const seen = new FeatureExtractor();
      // Two sightings: the second keeps what the scan left.
      seen.extract([sys, 'first request']);
      seen.extract([sys, 'second request', 'a third segment']);
      expect(replays(seen, sys), JSON.stringify(sys)).toBe(true);
      for (const user of USER_MESSAGES) {
        for (const segments of [[sys, user], [sys, user, 'and a follow-up 42?'], [sys, 'earlier turn |', user]]) {
          const fresh = snapshot(new FeatureExtractor().extract(segments, [7, 9]));
          expect(snapshot(seen.extract(segments, [7, 9])), JSON.stringify(segments)).toEqual(fresh);
        }
      }
    }
  });

  it('keeps nothing for a single segment or a windowed request, and forgets all when full', () => {
    const fx = new FeatureExtractor();
    const long = 'x '.repeat((HEAD_CHARS + TAIL_CHARS) / 2 + 10);
    for (let i = 0; i < 3; i++) {
      fx.extract(['only one segment']);
      fx.extract(['sys prompt', long]);
    }
    expect(replays(fx, 'only one segment')).toBe(false);
    expect(replays(fx, 'sys prompt')).toBe(false);
    // A windowed request after the same first segment was kept is still scanned whole.
    fx.extract(['sys prompt', 'short']);
    fx.extract(['sys prompt', 'short']);
    expect(replays(fx, 'sys prompt')).toBe(true);
    expect(snapshot(fx.extract(['sys prompt', long]))).toEqual(snapshot(new FeatureExtractor().extract(['sys prompt', long])));
    for (let i = 0; i < FIRST_SEGMENTS_KEPT; i++) fx.extract([`system prompt ${i}`, 'q']);
    expect(replays(fx, 'sys prompt')).toBe(false);
  });

  it('property: an extractor with any history gives the features of a fresh one', () => {
    const text = fc.string({ unit: 'binary', maxLength: 60 });
    const alphabet = fc.constantFrom(...'ab Zé9 0|`\n-*.)?@日😀'.split(''), 'the ', 'refund ', 'json ', '1. ', '```');
    const segment = fc.oneof(text, fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')));
    fc.assert(
      fc.property(fc.array(fc.array(segment, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }), (requests) => {
        const fx = new FeatureExtractor();
        // Three passes: a first segment is noted, kept, then replayed.
        for (const segments of [...requests, ...requests, ...requests]) {
          expect(snapshot(fx.extract(segments))).toEqual(snapshot(new FeatureExtractor().extract(segments)));
        }
      }),
      { numRuns: 150 },
    );
  });
});
