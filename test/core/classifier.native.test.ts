import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultModel } from '../../src/core/classifier/defaultModel.js';
import { FeatureExtractor, HEAD_CHARS, TAIL_CHARS, type TextFeatures } from '../../src/core/classifier/features.js';
import { PromptClassifier, inputFromText, shapeFeatures } from '../../src/core/classifier/index.js';
import { OUTPUTS, scoreQuantized } from '../../src/core/classifier/model.js';
import { classifierEngine, kernelFor, nativeUnavailableReason } from '../../src/core/classifier/native.js';
import type { ClassifierInput } from '../../src/core/classifier/index.js';
import { snapshot } from '../helpers/features.js';

/**
 * The native engine (native/classifier.c) against the JavaScript one on arbitrary text: the same
 * TextFeatures field by field, the same raw scores bit for bit, the same profiles.
 */
const native = classifierEngine() === 'native';
if (!native) console.warn(`NOTICE: native classifier engine ${nativeUnavailableReason()}: native/JavaScript equivalence not checked`);

const range = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((c) => String.fromCharCode(c));
/** One piece of text: a character of some script or class, or a structural / keyword fragment. */
const piece = fc.oneof(
  { weight: 6, arbitrary: range(0x61, 0x7a) },
  { weight: 3, arbitrary: range(0x20, 0x7e) },
  range(0x80, 0x24f), // Latin-1 supplement and Latin Extended (× ÷ included)
  range(0x250, 0x36f), // IPA, modifiers, combining marks: token characters of no counted script
  range(0x370, 0x52f), // Greek, Cyrillic
  range(0x590, 0x6ff), // Hebrew, Arabic
  range(0x900, 0x97f), // Devanagari
  range(0xe00, 0xe7f), // Thai
  range(0x2000, 0x206f), // general punctuation (• and friends)
  range(0x3000, 0x30ff), // CJK punctuation, kana
  range(0x4e00, 0x9fff), // Han
  range(0xac00, 0xd7af), // Hangul
  range(0xd800, 0xdfff), // lone surrogates
  range(0xff00, 0xff1f), // full-width forms (？ included)
  fc.integer({ min: 0x1f300, max: 0x1faff }).map((c) => String.fromCodePoint(c)), // emoji: surrogate pairs
  fc.constantFrom('\n', '\t', '\r\n', '  ', '0', '7', '1234567', '```', '`', '@', 'a@b.co', '|', ' | x |\n', '{', '}', '?', '•', '= + * / ^ < > %'),
  fc.constantFrom('\n1. ', '\n2) ', '\n- ', '\n-\t', '\n*\t', '\n* ', '\n+ ', '\n• ', '\nA) ', '\nB. ', '\n\t3. ', '\nH) ', '\nI) '),
  fc.constantFrom('the ', 'refund ', 'json ', 'step by step ', 'Bitte prüfen ', 'für ', 'qué ', 'não ', 'è ', 'z-test ', 'p value ', 'Python '),
);
const text = fc.array(piece, { maxLength: 120 }).map((a) => a.join(''));
/** Texts around the window edges: long enough that head, tail and skipped middle fall anywhere. */
const longText = fc
  .tuple(text, fc.integer({ min: HEAD_CHARS - 50, max: HEAD_CHARS + TAIL_CHARS + 3000 }))
  .map(([t, n]) => (t.length === 0 ? 'x' : t).repeat(Math.ceil(n / Math.max(1, t.length))).slice(0, n));
const segments = fc.array(fc.oneof({ weight: 5, arbitrary: text }, { weight: 1, arbitrary: longText }), { minLength: 1, maxLength: 4 });

/** Features and raw scores of one request from each engine (kept extractors: replays happen). */
function compare(js: FeatureExtractor, nat: FeatureExtractor, segs: string[]): void {
  const model = defaultModel();
  const extra = shapeFeatures({ system_prompt: null, messages: segs.map((content) => ({ role: 'user', content, attachments: 0 })) });
  const scores = (f: TextFeatures, engine: 'js' | 'native') => {
    const out = new Float64Array(OUTPUTS);
    scoreQuantized(model, f, out, new Int32Array(OUTPUTS), new Int32Array(OUTPUTS), kernelFor(engine));
    return Array.from(out);
  };
  const a = js.extract(segs, extra);
  const aSnap = snapshot(a);
  const aReplayed = a.replayed !== null;
  const aScores = scores(a, 'js');
  const b = nat.extract(segs, extra);
  expect(snapshot(b), JSON.stringify(segs).slice(0, 300)).toEqual(aSnap);
  expect(b.replayed !== null).toBe(aReplayed);
  expect(scores(b, 'native')).toEqual(aScores);
}

describe.skipIf(!native)('native classifier engine', () => {
  it('property: gives the JavaScript engine features and scores on arbitrary text, across windows and segments', () => {
    const js = new FeatureExtractor({ engine: 'js' });
    const nat = new FeatureExtractor({ engine: 'native' });
    expect([js.engine, nat.engine]).toEqual(['js', 'native']);
    fc.assert(
      fc.property(fc.array(segments, { minLength: 1, maxLength: 5 }), (requests) => {
        // Twice over: repeated first segments are noted, then replayed from the cache.
        for (const segs of [...requests, ...requests, ...requests]) compare(js, nat, segs);
      }),
      { numRuns: 300 },
    );
  });

  it('property: a fresh native extractor gives a fresh JavaScript one\'s features on one long segment', () => {
    fc.assert(
      fc.property(longText, (t) => compare(new FeatureExtractor({ engine: 'js' }), new FeatureExtractor({ engine: 'native' }), [t])),
      { numRuns: 60 },
    );
  });

  it('gives identical profiles, a system prompt replayed included', () => {
    const model = defaultModel();
    const js = new PromptClassifier(model, { engine: 'js' });
    const nat = new PromptClassifier(model, { engine: 'native' });
    fc.assert(
      fc.property(fc.option(text, { nil: null }), fc.array(text, { minLength: 1, maxLength: 3 }), (system, messages) => {
        const input: ClassifierInput = {
          ...inputFromText(''),
          system_prompt: system,
          messages: messages.map((content, i) => ({ role: i % 2 ? 'assistant' : 'user', content, attachments: 0 })),
        };
        for (let i = 0; i < 2; i++) expect(nat.classify(input)).toEqual(js.classify(input));
      }),
      { numRuns: 200 },
    );
  });

  it('reads an e-mail @ at the edges of segments and of the tail window as the JavaScript engine does', () => {
    const total = HEAD_CHARS + TAIL_CHARS + 500;
    const tailStart = total - TAIL_CHARS;
    for (let at = tailStart - 2; at <= tailStart + 2; at++) {
      const t = 'w'.repeat(at - 1) + 'a@b' + 'w'.repeat(total - at - 2);
      compare(new FeatureExtractor({ engine: 'js' }), new FeatureExtractor({ engine: 'native' }), [t]);
    }
    for (const segs of [['a', '@b'], ['mail a', '@b c@', 'd'], ['@x']]) compare(new FeatureExtractor({ engine: 'js' }), new FeatureExtractor({ engine: 'native' }), segs);
  });

  it('counts what the tokenizer counts on a text with every structure (real values)', () => {
    const t = 'Refund please!\n1. First step\n2) Second\n- bullet\nA) yes\nB. no\n```js\nx = 1 + 2;\n```\n| a | b |\nmail a@b.co 1234567 日本 😀?';
    const f = new FeatureExtractor({ engine: 'native' }).extract([t]);
    expect(f.s).toMatchObject({ lines: 11, numberedItems: 2, bulletItems: 1, choiceItems: 2, fences: 2, backticks: 6, pipeLines: 1, emails: 1, longDigitRuns: 1, han: 2, questionMarks: 1, operators: 2, endsWithQuestion: true });
    expect(snapshot(f)).toEqual(snapshot(new FeatureExtractor({ engine: 'js' }).extract([t])));
  });
});

describe('engine choice', () => {
  it('the JavaScript engine can always be forced, and native is refused only when unavailable', () => {
    expect(new PromptClassifier(defaultModel(), { engine: 'js' }).engine).toBe('js');
    if (native) expect(new PromptClassifier(defaultModel()).engine).toBe('native');
    else expect(() => new PromptClassifier(defaultModel(), { engine: 'native' })).toThrow(/native classifier engine is unavailable/);
  });
});
