/**
 * Evaluates the shipped classifier weights on the HELD-OUT split of ../shared/datasets (1 in 5
 * groups by hash; Arena-Hard by whole cluster, LMArena by whole topic). The shipped weights were
 * trained on the other 4 in 5 only. The hand-written seed set is never scored here.
 *   npm run eval:classifier                 held-out figures of the shipped weights
 *   npm run eval:classifier -- --loso       also leave-one-source-out: retrain without a source, score it
 */
import { DOMAINS, OUTPUT_FORMATS, TASK_TYPES, type CapabilityProfile } from '../src/core/profile.js';
import { PromptClassifier } from '../src/core/classifier/index.js';
import { defaultModel } from '../src/core/classifier/defaultModel.js';
import { quantize, type QuantizedModel } from '../src/core/classifier/model.js';
import { isHeldOut, loadExamples, type Example } from './classifier/datasets.js';
import { DEFAULT_TRAIN, trainModel } from './classifier/train.js';
import { rocAuc as auc } from './routing/metrics.js';

type Cat = 'task' | 'domain' | 'format';
const FIELD: Record<Cat, 'task_type' | 'domain' | 'output_format'> = { task: 'task_type', domain: 'domain', format: 'output_format' };
const CLASSES: Record<Cat, readonly string[]> = { task: TASK_TYPES, domain: DOMAINS, format: OUTPUT_FORMATS };

interface Scored {
  e: Example;
  p: CapabilityProfile;
}

function classifyAll(model: QuantizedModel, examples: Example[]): Scored[] {
  const c = new PromptClassifier(model);
  return examples.map((e) => ({
    e,
    p: c.classify({
      system_prompt: e.system ?? null,
      messages: e.messages,
      tools: null,
      response_format: null,
      max_tokens: null,
      stream: null,
      prompt_tokens: null,
      has_prompt_text: true,
    }),
  }));
}

/** Accuracy, and precision / recall macro-averaged over the classes present in the gold labels. */
function categorical(rows: Scored[], cat: Cat): { n: number; acc: number; p: number; r: number } | null {
  const xs = rows.filter((x) => x.e[cat] !== undefined);
  if (xs.length === 0) return null;
  let correct = 0;
  const tp = new Map<string, number>();
  const predN = new Map<string, number>();
  const goldN = new Map<string, number>();
  for (const { e, p } of xs) {
    const gold = e[cat] as string;
    const pred = p[FIELD[cat]] as string;
    goldN.set(gold, (goldN.get(gold) ?? 0) + 1);
    predN.set(pred, (predN.get(pred) ?? 0) + 1);
    if (gold === pred) {
      correct++;
      tp.set(gold, (tp.get(gold) ?? 0) + 1);
    }
  }
  const classes = CLASSES[cat].filter((c) => goldN.has(c));
  const mean = (f: (c: string) => number) => classes.reduce((s, c) => s + f(c), 0) / classes.length;
  return {
    n: xs.length,
    acc: correct / xs.length,
    p: mean((c) => (predN.get(c) ? (tp.get(c) ?? 0) / predN.get(c)! : 0)),
    r: mean((c) => (tp.get(c) ?? 0) / goldN.get(c)!),
  };
}

const reasoningLabel = (t: number | undefined): 0 | 1 | null => (t === undefined ? null : t >= 0.7 ? 1 : t <= 0.3 ? 0 : null);

function binaryRows(rows: Scored[], dim: 'safety' | 'reasoning'): Array<[number, 0 | 1]> {
  const out: Array<[number, 0 | 1]> = [];
  for (const { e, p } of rows) {
    const y = dim === 'safety' ? (e.safety ?? null) : reasoningLabel(e.reasoning);
    if (y !== null) out.push([dim === 'safety' ? p.safety_risk : p.reasoning, y]);
  }
  return out;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pad = (s: string, n: number) => s.padEnd(n);

function report(title: string, rows: Scored[]): void {
  const sources = [...new Set(rows.map((r) => r.e.source))].sort();
  const groups: Array<[string, Scored[]]> = [['ALL', rows], ...sources.map((s) => [s, rows.filter((r) => r.e.source === s)] as [string, Scored[]])];
  process.stdout.write(`\n## ${title}\n\n`);
  process.stdout.write(`${pad('source', 16)} ${pad('n', 6)} | ${pad('task acc/P/R', 22)} | ${pad('domain acc/P/R', 22)} | ${pad('format acc/P/R', 22)} | ${pad('safety AUC / >=0.5', 20)} | reasoning AUC / mean\n`);
  for (const [name, g] of groups) {
    const cell = (cat: Cat) => {
      const m = categorical(g, cat);
      return m ? `${pct(m.acc)} ${pct(m.p)} ${pct(m.r)} (${m.n})` : '-';
    };
    const saf = binaryRows(g, 'safety');
    const safAuc = auc(saf);
    const flagged = saf.length ? saf.filter((x) => x[0] >= 0.5).length / saf.length : NaN;
    const rea = binaryRows(g, 'reasoning');
    const reaAuc = auc(rea);
    const meanR = g.reduce((s, x) => s + x.p.reasoning, 0) / g.length;
    process.stdout.write(
      `${pad(name, 16)} ${pad(String(g.length), 6)} | ${pad(cell('task'), 22)} | ${pad(cell('domain'), 22)} | ${pad(cell('format'), 22)} | ` +
        `${pad(`${safAuc === null ? '-' : safAuc.toFixed(3)} / ${Number.isNaN(flagged) ? '-' : pct(flagged)}`, 20)} | ${reaAuc === null ? '-' : reaAuc.toFixed(3)} / ${meanR.toFixed(2)}\n`,
    );
  }
}

const all = loadExamples().filter((e) => e.source !== 'seed');
const test = all.filter(isHeldOut);
report(`held-out split (${test.length} of ${all.length} examples; shipped weights)`, classifyAll(defaultModel(), test));
process.stdout.write(
  '\ncolumns: accuracy, macro precision, macro recall (n labeled); safety: ROC AUC and share scored >= 0.5;\n' +
    'reasoning: ROC AUC (targets >= 0.7 vs <= 0.3) and mean score. Alpaca/IFEval/Arena/LMArena labels are weak (rule-derived).\n',
);

if (process.argv.includes('--loso')) {
  const HOLD = ['humaneval', 'math_prealgebra', 'refusal_harmful', 'lmarena', 'seed'];
  const withSeeds = loadExamples();
  for (const src of HOLD) {
    const train = withSeeds.filter((e) => e.source !== src && (e.source === 'seed' || !isHeldOut(e)));
    const model = quantize(trainModel(train, `loso-${src}`, { ...DEFAULT_TRAIN, epochs: 6 }));
    // A source with one safety class is scored together with the held-out Alpaca rows, so the ALL row has an AUC.
    const scored = withSeeds.filter((e) => e.source === src || (src === 'refusal_harmful' && e.source === 'alpaca' && isHeldOut(e)));
    report(`leave-source-out: trained without ${src}, scored on all of it${src === 'refusal_harmful' ? ' (+ held-out Alpaca as negatives)' : ''}`, classifyAll(model, scored));
  }
}
