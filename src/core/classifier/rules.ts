import type { TaskType } from '../profile.js';
import { KW, LANGUAGE_FLAGS } from './keywords.js';
import type { StructureCounts, TextFeatures } from './features.js';

/** Rule-based dimensions: policy sensitivity, latency sensitivity, language, complexity. */

function bit(flag: number): number {
  return 31 - Math.clz32(flag);
}

/** Noisy-OR of independent cues: 1 - Π(1 - p). */
function noisyOr(ps: readonly number[]): number {
  let q = 1;
  for (const p of ps) q *= 1 - p;
  return 1 - q;
}

export interface PolicyResult {
  score: number;
  cues: string[];
}

/**
 * Customer-facing output that must follow policy: refunds, legal/contractual commitments,
 * compliance, complaints/escalations, personal data present. Each cue class adds evidence
 * (more hits, more evidence, saturating); customer-facing wording strengthens it.
 */
export function policySensitivity(f: TextFeatures): PolicyResult {
  const c = f.flagCounts;
  const cues: string[] = [];
  const ps: number[] = [];
  const add = (name: string, hits: number, p: number) => {
    if (hits <= 0) return;
    cues.push(name);
    ps.push(Math.min(0.95, p * (1 + 0.25 * Math.min(hits - 1, 3))));
  };
  add('refund', c[bit(KW.refund)]!, 0.4);
  add('legal', c[bit(KW.legal)]!, 0.35);
  add('complaint', c[bit(KW.complaint)]!, 0.35);
  add('compliance', c[bit(KW.compliance)]!, 0.3);
  add('personal-data', c[bit(KW.personalData)]! + f.s.emails + f.s.longDigitRuns, 0.3);
  let score = noisyOr(ps);
  if (c[bit(KW.customerFacing)]! > 0) {
    cues.push('customer-facing');
    score = score > 0 ? Math.min(1, score + 0.15) : 0.1;
  }
  return { score, cues };
}

export interface LatencyInput {
  max_tokens: number | null;
  stream: boolean | null;
  userTurns: number;
  contextTokens: number;
  task: TaskType;
}

/**
 * Interactive (1) vs batch (0): small max_tokens and streaming point to a user waiting on the
 * answer; chat turns and autocomplete wording too; long documents and batch-style tasks
 * (summarizing, extracting, classifying records) point the other way.
 */
export function latencySensitivity(x: LatencyInput, f: TextFeatures): { score: number; cues: string[] } {
  let s = 0.45;
  const cues: string[] = [];
  if (x.max_tokens !== null) {
    if (x.max_tokens <= 64) s += 0.3;
    else if (x.max_tokens <= 256) s += 0.15;
    else if (x.max_tokens >= 2000) s -= 0.15;
    cues.push(`max_tokens=${x.max_tokens}`);
  }
  if (x.stream === true) {
    s += 0.15;
    cues.push('stream');
  } else if (x.stream === false) s -= 0.05;
  if (f.flags & KW.autocomplete) {
    s += 0.2;
    cues.push('autocomplete');
  }
  if (x.task === 'chatbot' || x.userTurns >= 2) {
    s += 0.15;
    cues.push(x.userTurns >= 2 ? `chat:${x.userTurns} turns` : 'chat');
  }
  if (x.task === 'summarization' || x.task === 'extraction' || x.task === 'classification') s -= 0.1;
  if (x.contextTokens > 4000) s -= 0.15;
  else if (x.contextTokens < 200) s += 0.05;
  return { score: Math.max(0, Math.min(1, s)), cues };
}

/**
 * ISO 639-1 code of the latest message when it shows enough evidence (a user writing German to
 * an English system prompt is a German request), else of the whole text; 'und' when too little.
 */
export function detectLanguage(f: TextFeatures): string {
  const last = languageOf(f.last.counts, f.last.flagCounts);
  if (last.evidence >= 3) return last.code;
  return languageOf(f.s, f.flagCounts).code;
}

function languageOf(s: StructureCounts, flagCounts: Int32Array): { code: string; evidence: number } {
  const scripts: Array<[string, number]> = [
    ['ru', s.cyrillic],
    ['zh', s.han - s.kana],
    ['ja', s.kana * 2],
    ['ko', s.hangul],
    ['ar', s.arabic],
    ['hi', s.devanagari],
    ['el', s.greek],
    ['he', s.hebrew],
    ['th', s.thai],
  ];
  let best = 'und';
  let bestN = 0;
  for (const [code, n] of scripts) if (n > bestN) [best, bestN] = [code, n];
  if (s.latin > bestN) {
    if (s.latin < 3) return { code: 'und', evidence: 0 };
    let lang = 'en';
    let hits = 0;
    for (const [code, flag] of LANGUAGE_FLAGS) {
      const n = flagCounts[bit(flag)]!;
      if (n > hits) [lang, hits] = [code, n];
    }
    return { code: lang, evidence: hits };
  }
  return bestN >= 2 ? { code: best, evidence: bestN } : { code: 'und', evidence: 0 };
}
