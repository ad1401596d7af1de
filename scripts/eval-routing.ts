/**
 * Does pnyx's per-request need predict which requests a weaker model gets wrong? Classifies every
 * prompt of RouteLLM's and RouterBench's per-prompt outcome files (../shared/datasets), and reports
 * ranking AUC, routing accuracy / cost / PGR at fixed weak shares, APGR, and pnyx's own decision
 * with real catalog levels, per source and pooled, on all rows and on the classifier's held-out rows.
 *   npm run eval:routing                 the full run (about 18,000 prompts)
 *   npm run eval:routing -- --limit 200  the first 200 prompts of each source
 */
import { existsSync } from 'node:fs';
import { CAPABILITIES } from '../src/core/catalog/types.js';
import { EVAL_SOURCES, loadRouteLlm, loadRouterBench, type EvalModel } from './routing/data.js';
import { classifyAll, NEED_VARIANTS, pairFigures, VARIANT_HELP, WEAK_SHARES, type ClassifiedPrompt, type Pair, type PairFigures } from './routing/evaluate.js';
import { CATALOG_PROXY, pnyxLevels } from './routing/levels.js';
import { SHARED } from './classifier/datasets.js';

const limitArg = process.argv.indexOf('--limit');
const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : undefined;
if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error('--limit takes a positive integer');
if (!existsSync(SHARED)) throw new Error(`${SHARED} not found: the routing evaluation reads ../shared/datasets`);

const out = (s = '') => process.stdout.write(`${s}\n`);
const f3 = (x: number | null) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(3));
const pct = (x: number) => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`);
const pad = (s: string, n: number) => s.padEnd(n);

const t0 = Date.now();
const prompts = [...loadRouteLlm(SHARED, { limit }), ...loadRouterBench(SHARED, { limit })];
const rows = classifyAll(prompts);
const lv = pnyxLevels(SHARED);
process.stderr.write(`classified ${rows.length} prompts in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

out(`# Routing evaluation: do pnyx's per-request needs predict when a weaker model fails?`);
out();
out(`Prompts: ${rows.length}${limit ? ` (first ${limit} per source)` : ''}; in the classifier's training split: ${rows.filter((r) => r.prompt.trained).length}.`);
out(`Levels: percentiles among the ${lv.population} recommendable models of the bundled ${lv.snapshot_date} catalog (as \`pnyx report\` uses them).`);
out(`  model                 ${CAPABILITIES.map((c) => pad(c.slice(0, 12), 12)).join(' ')} domain:math  scores from`);
for (const [m, s] of Object.entries(lv.levels) as Array<[EvalModel, (typeof lv.levels)[EvalModel]]>) {
  const cells = CAPABILITIES.map((c) => pad(f3(s.capabilities[c] ?? null), 12)).join(' ');
  out(`  ${pad(m, 21)} ${cells} ${pad(f3(s.domains.math ?? null), 11)}  ${CATALOG_PROXY[m] ?? 'its LMArena ratings'}`);
}
out(`RouteLLM logs no cost: Mixtral-8x7B costs ${lv.mixtralToGpt4PriceRatio.toFixed(4)} × GPT-4-1106 per prompt (blended 3:1 OpenRouter prices, 2025-05-23 snapshot).`);
out(`Variants (higher = harder): ${NEED_VARIANTS.map((v) => `${v} = ${VARIANT_HELP[v]}`).join('; ')}.`);

const PAIRS: Pair[] = [
  { weak: 'mixtral-8x7b', strong: 'gpt-4-1106-preview' },
  { weak: 'gpt-3.5-turbo-1106', strong: 'gpt-4-1106-preview' },
];

function groups(pair: Pair): Array<{ name: string; split: string; rows: ClassifiedPrompt[]; pooled: boolean }> {
  const has = (r: ClassifiedPrompt) => r.prompt.correct[pair.weak] !== undefined && r.prompt.correct[pair.strong] !== undefined;
  const mine = rows.filter(has);
  const sources = EVAL_SOURCES.filter((s) => mine.some((r) => r.prompt.source === s));
  const out: Array<{ name: string; split: string; rows: ClassifiedPrompt[]; pooled: boolean }> = [];
  for (const [name, xs, pooled] of [...sources.map((s) => [s, mine.filter((r) => r.prompt.source === s), false] as const), ['ALL', mine, true] as const]) {
    out.push({ name, split: 'all', rows: xs, pooled });
    out.push({ name, split: 'held-out', rows: xs.filter((r) => !r.prompt.trained), pooled });
  }
  return out;
}

for (const pair of PAIRS) {
  out();
  out(`## ${pair.weak} (weak) vs ${pair.strong} (strong)`);
  const figs: Array<{ name: string; split: string; pooled: boolean; f: PairFigures }> = [];
  for (const g of groups(pair)) {
    const f = pairFigures(g.rows, pair, lv.levels, lv.mixtralToGpt4PriceRatio);
    if (f) figs.push({ ...g, f });
  }
  out();
  out(`### Ranking: ROC AUC for "weak wrong, strong right" (0.5 = no signal), and APGR (random routing = 0.5)`);
  out();
  const vh = NEED_VARIANTS.map((v) => pad(v.replace('weak_', '').slice(0, 9), 9)).join(' ');
  out(`${pad('source', 11)} ${pad('split', 9)} ${pad('n', 6)} weak   strong oracle gap    | AUC ${vh} | APGR ${vh} | max_need: AUC within strata, AUC(weak wrong)`);
  for (const { name, split, f } of figs) {
    out(
      `${pad(name, 11)} ${pad(split, 9)} ${pad(String(f.n), 6)} ${pad(pct(f.weak.accuracy), 6)} ${pad(pct(f.strong.accuracy), 6)} ${pad(pct(f.oracle.accuracy), 6)} ${pad(pct(f.gapShare), 6)} |     ` +
        `${f.variants.map((v) => pad(f3(v.aucGap), 9)).join(' ')} |      ${f.variants.map((v) => pad(f3(v.apgr), 9)).join(' ')} | ${f3(f.variants.find((v) => v.variant === 'max_need')!.aucGapWithin)} ${f3(f.variants.find((v) => v.variant === 'max_need')!.aucWeakWrong)}`,
    );
  }
  out();
  out(`### Routing by max_need: the least demanding share of prompts to ${pair.weak}; accuracy / PGR / cost (% of always-strong)`);
  out(`### (random routing at weak share w: PGR = 1 − w, cost = w × always-weak + (1 − w) × always-strong)`);
  out(`### and pnyx's own rule (weak model when it meets every need at its real levels) vs random routing at the same weak share`);
  out();
  const sh = WEAK_SHARES.map((s) => pad(`weak ${Math.round(s * 100)}%: acc PGR cost`, 24)).join(' | ');
  out(`${pad('source', 11)} ${pad('split', 9)} ${sh} | rule: weak share acc (random) PGR cost | strong meets needs | always-weak cost | oracle: weak share cost`);
  for (const { name, split, pooled, f } of figs) {
    const cost = (c: number) => (pooled ? '-' : pct(c / f.strong.cost));
    const gap = f.strong.accuracy - f.weak.accuracy;
    const pg = (a: number) => (Math.abs(gap) < 1e-12 ? '-' : f3((a - f.weak.accuracy) / gap));
    const curve = f.variants.find((v) => v.variant === 'max_need')!.curve;
    const cells = curve.map((p) => pad(`${pct(p.accuracy)} ${pg(p.accuracy)} ${cost(p.cost)}`, 24)).join(' | ');
    const r = f.rule;
    out(`${pad(name, 11)} ${pad(split, 9)} ${cells} | ${pct(r.point.weakShare)} ${pct(r.point.accuracy)} (${pct(r.random.accuracy)}) ${f3(r.pgr)} ${cost(r.point.cost)} | ${pct(r.strongMeetsShare)} | ${cost(f.weak.cost)} | ${pct(f.oracle.weakShare)} ${cost(f.oracle.cost)}`);
  }
}
out();
out('Held-out = prompts the shipped classifier weights were not trained on (scripts/classifier/datasets.ts isHeldOut; for');
out('RouterBench MBPP also the rows whose task is not in split2_model7/mbpp.json). "all" rows are partly in-sample.');
out('ALL pools the sources: its AUC mixes between-source differences (GSM8K vs MMLU) with within-source ranking; cost is per source only.');
out('"AUC within strata" counts only pairs of prompts from the same MMLU subject or the same benchmark: ranking without credit for telling them apart.');
