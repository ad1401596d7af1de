/**
 * Per-prompt outcomes of real models on public benchmarks (../shared/datasets, see SOURCES.md §4),
 * for the routing evaluation: RouteLLM's GSM8K and MMLU (Mixtral-8x7B-Instruct vs GPT-4-1106) and
 * RouterBench's MBPP, ARC-Challenge and Winogrande (11 models, 0/1 correctness and USD cost each).
 *
 * Each prompt says whether the shipped classifier was trained on it: scripts/classifier/datasets.ts
 * draws from the same files, and `isHeldOut` (1 in 5 by hash of source + text) is its split.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHeldOut, parseCsv, unwrapPyList } from '../classifier/datasets.js';

export const EVAL_MODELS = ['mixtral-8x7b', 'gpt-3.5-turbo-1106', 'gpt-4-1106-preview'] as const;
export type EvalModel = (typeof EVAL_MODELS)[number];

export const EVAL_SOURCES = ['gsm8k', 'mmlu', 'mbpp', 'arc', 'winogrande'] as const;
export type EvalSource = (typeof EVAL_SOURCES)[number];

export interface EvalPrompt {
  source: EvalSource;
  /** Stratum for within-stratum figures: the MMLU subject, else the source. */
  stratum: string;
  /** The prompt as the models saw it (never printed). */
  text: string;
  /** 1 = the model answered correctly; absent = no outcome recorded. */
  correct: Partial<Record<EvalModel, 0 | 1>>;
  /** USD for this prompt per model (RouterBench); null for RouteLLM, which logs no cost. */
  cost: Partial<Record<EvalModel, number>> | null;
  /** True when the shipped classifier weights were trained on this prompt (not in the held-out split). */
  trained: boolean;
}

export interface LoadOptions {
  /** At most this many prompts per source (the first ones, in file order): for tests. */
  limit?: number;
}

const ROUTELLM_COLUMNS: Record<string, EvalModel> = {
  'mistralai/Mixtral-8x7B-Instruct-v0.1': 'mixtral-8x7b',
  'gpt-4-1106-preview': 'gpt-4-1106-preview',
};

const ROUTERBENCH_COLUMNS: Record<string, EvalModel> = {
  'mistralai/mixtral-8x7b-chat': 'mixtral-8x7b',
  'gpt-3.5-turbo-1106': 'gpt-3.5-turbo-1106',
  'gpt-4-1106-preview': 'gpt-4-1106-preview',
};

function bool01(v: string | undefined): 0 | 1 | undefined {
  const t = (v ?? '').trim().toLowerCase();
  if (t === 'true' || t === '1' || t === '1.0') return 1;
  if (t === 'false' || t === '0' || t === '0.0') return 0;
  return undefined;
}

function outcomes(r: Record<string, string>, columns: Record<string, EvalModel>): Partial<Record<EvalModel, 0 | 1>> {
  const out: Partial<Record<EvalModel, 0 | 1>> = {};
  for (const [col, m] of Object.entries(columns)) {
    const v = bool01(r[col]);
    if (v !== undefined) out[m] = v;
  }
  return out;
}

const take = <T>(xs: T[], opts: LoadOptions): T[] => (opts.limit === undefined ? xs : xs.slice(0, opts.limit));

/** RouteLLM GSM8K (1,319) and MMLU (14,042, 57 subject files in name order). */
export function loadRouteLlm(shared: string, opts: LoadOptions = {}): EvalPrompt[] {
  const dir = join(shared, 'routellm_evals');
  const gsm = parseCsv(readFileSync(join(dir, 'gsm8k_responses.csv'), 'utf8')).map(
    // The classifier's GSM8K group is the question of gsm8k_test.jsonl: the same text as this prompt.
    (r): EvalPrompt => ({ source: 'gsm8k', stratum: 'gsm8k', text: r.prompt!, correct: outcomes(r, ROUTELLM_COLUMNS), cost: null, trained: !isHeldOut({ source: 'gsm8k', group: r.prompt! }) }),
  );
  const mmlu: EvalPrompt[] = [];
  for (const f of readdirSync(join(dir, 'mmlu_responses')).sort()) {
    if (opts.limit !== undefined && mmlu.length >= opts.limit) break;
    const subject = f.replace(/^mmlu_/, '').replace(/\.csv$/, '');
    for (const r of parseCsv(readFileSync(join(dir, 'mmlu_responses', f), 'utf8'))) {
      mmlu.push({ source: 'mmlu', stratum: `mmlu:${subject}`, text: r.prompt!, correct: outcomes(r, ROUTELLM_COLUMNS), cost: null, trained: !isHeldOut({ source: 'mmlu', group: r.prompt! }) });
    }
  }
  return [...take(gsm, opts), ...take(mmlu, opts)];
}

/** The task description of an MBPP docstring prompt (split2_model7/mbpp.json), lower-cased, without its asserts. */
export function mbppDescription(q: string): string {
  return q
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== '"""' && !l.startsWith('assert'))
    .join(' ')
    .toLowerCase();
}

/**
 * RouterBench (RouterDC subset): MBPP 299, ARC-Challenge 1,039, Winogrande 887. ARC and Winogrande
 * are classifier sources with this very text; the MBPP training source is split2_model7/mbpp.json,
 * whose docstring prompts share the task description with 100 of these 299 rows.
 */
export function loadRouterBench(shared: string, opts: LoadOptions = {}): EvalPrompt[] {
  const dir = join(shared, 'routerbench_subset_routerdc');
  const mbppTrainGroup = new Map<string, string>();
  for (const { question } of JSON.parse(readFileSync(join(dir, 'split2_model7/mbpp.json'), 'utf8')) as Array<{ question: string }>) {
    mbppTrainGroup.set(mbppDescription(question), question);
  }
  const files: Array<[string, EvalSource]> = [
    ['routerbench_mbpp_train_noresponses.csv', 'mbpp'],
    ['routerbench_arc_challenge_train_noresponses.csv', 'arc'],
    ['routerbench_winograde_train_noresponses.csv', 'winogrande'],
  ];
  return files.flatMap(([file, source]) =>
    take(parseCsv(readFileSync(join(dir, file), 'utf8')), opts).map((r): EvalPrompt => {
      const text = unwrapPyList(r.prompt!);
      let trained: boolean;
      if (source === 'mbpp') {
        const group = mbppTrainGroup.get(text.trim().toLowerCase());
        trained = group !== undefined && !isHeldOut({ source: 'mbpp', group });
      } else trained = !isHeldOut({ source, group: text });
      const cost: Partial<Record<EvalModel, number>> = {};
      for (const [col, m] of Object.entries(ROUTERBENCH_COLUMNS)) {
        const v = Number(r[`${col}|total_cost`]);
        if (r[`${col}|total_cost`] !== undefined && Number.isFinite(v)) cost[m] = v;
      }
      return { source, stratum: source, text, correct: outcomes(r, ROUTERBENCH_COLUMNS), cost, trained };
    }),
  );
}
