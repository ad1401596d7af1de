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
 * Weight of policy cues found only in the material a request carries (a record, a web page, a
 * customer's message) rather than in its instruction (the system prompt): a record that mentions a
 * contract does not make its summary a legal commitment.
 */
export const POLICY_PAYLOAD_WEIGHT = 0.5;

export interface PolicyContext {
  /** The output is data bound to JSON by the API (no customer reads it as a commitment). */
  dataOutput?: boolean;
  /** The first segment is a system prompt: its cues are the instruction, the rest is material. */
  hasSystemPrompt?: boolean;
}

/**
 * Customer-facing output that must follow policy: refunds, legal/contractual commitments,
 * compliance, complaints/escalations, personal data present. Each cue class adds evidence
 * (more hits, more evidence, saturating): at full weight when the instruction names it, at
 * POLICY_PAYLOAD_WEIGHT when only the carried material does. Customer-facing wording in the
 * instruction strengthens it, unless the output is data (`dataOutput`: a JSON response_format).
 */
export function policySensitivity(f: TextFeatures, ctx: PolicyContext = {}): PolicyResult {
  const c = f.flagCounts;
  const first = ctx.hasSystemPrompt ? f.first : null;
  const cues: string[] = [];
  const ps: number[] = [];
  const add = (name: string, hits: number, instructionHits: number, p: number) => {
    if (hits <= 0) return;
    cues.push(name);
    const weight = first === null || instructionHits > 0 ? 1 : POLICY_PAYLOAD_WEIGHT;
    ps.push(Math.min(0.95, weight * p * (1 + 0.25 * Math.min(hits - 1, 3))));
  };
  const cls = (name: string, flag: number, p: number) => add(name, c[bit(flag)]!, first ? first.flagCounts[bit(flag)]! : 0, p);
  cls('refund', KW.refund, 0.4);
  cls('legal', KW.legal, 0.35);
  cls('complaint', KW.complaint, 0.35);
  cls('compliance', KW.compliance, 0.3);
  add('personal-data', c[bit(KW.personalData)]! + f.s.emails + f.s.longDigitRuns, first ? first.flagCounts[bit(KW.personalData)]! + first.emails + first.longDigitRuns : 0, 0.3);
  let score = noisyOr(ps);
  const facing = first ? first.flagCounts[bit(KW.customerFacing)]! : c[bit(KW.customerFacing)]!;
  if (facing > 0 && !ctx.dataOutput) {
    cues.push('customer-facing');
    score = score > 0 ? Math.min(1, score + 0.15) : 0.1;
  }
  return { score, cues };
}

/** Evidence one analytical-method cue adds (noisy-OR per occurrence, at most ANALYTIC_MAX_HITS counted). */
export const ANALYTIC_CUE_P = 0.4;
export const ANALYTIC_MAX_HITS = 5;
/**
 * A latest message longer than this carries material (a pasted record, a data table), not only
 * an ask: its analytical cues count half (a record that mentions "retention" is not a cohort
 * analysis). Short questions and the system prompt count fully.
 */
export const ANALYTIC_MATERIAL_CHARS = 2000;

/**
 * Analytical depth: asks that name a statistical or causal method (significance tests, cohorts,
 * attribution, what-if, period-over-period, standard deviations, funnels) are where a weaker model
 * returns a plausible but wrong answer. The linear reasoning head learned "reasoning" mostly from
 * math and puzzles, so it underrates these; this rule adds that evidence. Each cue occurrence adds
 * ANALYTIC_CUE_P (noisy-OR, saturating): 1 cue 0.40, 2 cues 0.64, 3 cues 0.78, 4 cues 0.87;
 * cues inside a long latest message (ANALYTIC_MATERIAL_CHARS) count half.
 */
export function analyticDepth(f: TextFeatures): { score: number; hits: number } {
  const b = bit(KW.analytic);
  const all = f.flagCounts[b]!;
  const material = f.last.counts.chars > ANALYTIC_MATERIAL_CHARS ? f.last.flagCounts[b]! : 0;
  const weighted = Math.min(ANALYTIC_MAX_HITS, all - material / 2);
  return { score: 1 - (1 - ANALYTIC_CUE_P) ** weighted, hits: all };
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
