/**
 * Builds pnyx's bundled default catalog (data/catalog/) from the public snapshots in
 * ../shared/datasets. Run: `npx tsx scripts/build-catalog-data.ts [--shared DIR]`.
 *
 * Writes:
 *   data/catalog/openrouter-<date>.json  curated /models snapshots (same shape as the API: {data:[...]})
 *   data/catalog/scores.json             per-model figures with source/metric/date/raw/normalized score
 *   data/catalog/PROVENANCE.md           sources, normalization, coverage figures
 * Reads (maintained by hand): data/catalog/aliases.json
 *
 * Deterministic: same inputs, same bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOpenRouterResponse } from '../src/core/catalog/openrouter.js';
import { clamp01, combineScores, minMax, NON_REASONING_PREFIX, SPEED_TARGETS } from '../src/core/catalog/scores.js';
import { CAPABILITIES, type ScoreSource } from '../src/core/catalog/types.js';
import { splitCsvRows } from '../src/core/csv.js';
import { DOMAINS } from '../src/core/profile.js';
import { median } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '..');
const OUT = join(REPO, 'data/catalog');
const argShared = process.argv.indexOf('--shared');
const SHARED = argShared > 0 ? resolve(process.argv[argShared + 1] ?? '') : resolve(REPO, '../shared/datasets');

// ---------------------------------------------------------------- OpenRouter snapshots

const SNAPSHOTS = [
  {
    date: '2025-05-22',
    file: 'openrouter_models/openrouter_models_2025-05-22_pydantic-llm-tester.json',
    origin: 'madviking/pydantic-llm-tester openrouter_models.json @ 04797c07beb9316fc51e0da8a453b590be62b478 (MIT)',
  },
  {
    date: '2025-05-23',
    file: 'openrouter_models/openrouter_models_2025-05-23_pydantic-llm-tester.json',
    origin: 'madviking/pydantic-llm-tester openrouter_models.json @ 02f3c49915938f703e71cd7e955ffe4f5a79c82a (MIT)',
  },
  {
    date: '2026-08-19',
    file: 'openrouter_models/openrouter_models_2026-08-19_unified-llm-pricing.json',
    origin: 'anuran-roy/unified-llm-pricing openrouter_models.json @ ef05c3be9faab383232c8ce752d4d662bd52deaf (no license stated; facts only)',
  },
] as const;

/** Fields of each model kept in the bundled snapshot (descriptions, links and benchmarks dropped). */
const KEEP = ['id', 'canonical_slug', 'name', 'created', 'context_length', 'architecture', 'pricing', 'top_provider', 'per_request_limits', 'supported_parameters', 'knowledge_cutoff', 'expiration_date', 'reasoning', 'alias_target'];
const KEEP_ARCH = ['modality', 'input_modalities', 'output_modalities', 'tokenizer'];

interface RawModel {
  id: string;
  alias_target?: { slug?: string } | null;
  architecture?: { output_modalities?: string[]; modality?: string };
  benchmarks?: { artificial_analysis?: { intelligence_index?: number | null } | null };
  [k: string]: unknown;
}

function curate(m: RawModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEEP) {
    if (!(k in m)) continue;
    if (k === 'architecture' && m.architecture) {
      const a: Record<string, unknown> = {};
      for (const ak of KEEP_ARCH) if (ak in m.architecture) a[ak] = (m.architecture as Record<string, unknown>)[ak];
      out[k] = a;
    } else out[k] = m[k];
  }
  return out;
}

function isTextModel(m: RawModel): boolean {
  const outs = m.architecture?.output_modalities ?? (m.architecture?.modality?.split('->')[1]?.split('+') ?? ['text']);
  return outs.includes('text');
}

const snapshotModels = new Map<string, RawModel[]>();
const snapshotStats: { date: string; models: number; kept: number; sha256: string; origin: string }[] = [];
for (const s of SNAPSHOTS) {
  const raw = JSON.parse(readFileSync(join(SHARED, s.file), 'utf8')) as { data: RawModel[] };
  const parsed = parseOpenRouterResponse(raw);
  if (!parsed.ok) throw new Error(`${s.file}: ${parsed.error}`);
  const kept = raw.data.filter(isTextModel);
  snapshotModels.set(s.date, raw.data);
  const body = { source: 'openrouter', snapshot_date: s.date, origin: s.origin, data: kept.map(curate) };
  const text = JSON.stringify(body) + '\n';
  writeFileSync(join(OUT, `openrouter-${s.date}.json`), text);
  snapshotStats.push({ date: s.date, models: raw.data.length, kept: kept.length, sha256: createHash('sha256').update(text).digest('hex'), origin: s.origin });
}
const latestModels = snapshotModels.get('2026-08-19') ?? [];
const allIds = new Set<string>();
for (const list of snapshotModels.values()) for (const m of list) allIds.add(m.id);

// ---------------------------------------------------------------- price-only history (scraped price pages)

/** Price points from the openrouter.ai/models web page (not the API): prompt/completion only. */
const SCRAPED = [
  {
    date: '2025-03-25',
    file: 'openrouter_models/scraped_page_format/openrouter_scraped_2025-03-25_model-fetcher.json',
    origin: 'tluyben/model-fetcher openrouter_models.json @ 4e5592e7cf5fae1a203a10930266c4bd98a5b3ef (no license stated; facts only)',
  },
  {
    date: '2025-10-25',
    file: 'openrouter_models/scraped_page_format/openrouter_scraped_2025-10-25_jsons_openrouter.json',
    origin: 'rafaeljuniorvip/jsons_openrouter openrouter_models.json @ 4324f851762fd947d8790cb5f97dcaf8823751f4 (MIT)',
  },
] as const;
const perToken = (usdPerMillion: number): number => Math.round(usdPerMillion * 1e6) / 1e12;
/** "$1,25" (pt-BR) → 1.25 USD per 1M; "--" → null. */
const ptBrUsd = (s: string): number | null => {
  const t = s.replace('$', '').replace(/\./g, '').replace(',', '.').trim();
  return t === '' || t === '--' || Number.isNaN(Number(t)) ? null : Number(t);
};
const pricePoints: Record<string, [string, number | null, number | null][]> = {};
const priceSources: { date: string; origin: string; models: number }[] = [];
for (const sc of SCRAPED) {
  const raw = JSON.parse(readFileSync(join(SHARED, sc.file), 'utf8')) as unknown;
  let rows: { id: string; prompt: number | null; completion: number | null }[];
  if (sc.date === '2025-03-25') {
    // prices are US cents per 1M tokens: [input, output]
    rows = (raw as { models: { code: string; prices: number[] }[] }).models.map((m) => ({
      id: m.code,
      prompt: typeof m.prices[0] === 'number' ? perToken(m.prices[0] / 100) : null,
      completion: typeof m.prices[1] === 'number' ? perToken(m.prices[1] / 100) : null,
    }));
  } else {
    rows = (raw as { model_id: string; 'Input ($/1M tokens)': string; 'Output ($/1M tokens)': string }[]).map((m) => {
      const i = ptBrUsd(m['Input ($/1M tokens)']);
      const o = ptBrUsd(m['Output ($/1M tokens)']);
      return { id: m.model_id, prompt: i === null ? null : perToken(i), completion: o === null ? null : perToken(o) };
    });
  }
  for (const r of rows) (pricePoints[r.id] ??= []).push([sc.date, r.prompt, r.completion]);
  priceSources.push({ date: sc.date, origin: sc.origin, models: rows.length });
}
writeFileSync(
  join(OUT, 'price-history.json'),
  `${JSON.stringify({ about: 'Prompt/completion prices (USD per token; null = not shown) scraped from the openrouter.ai/models web page, not the API: price-only history.', sources: priceSources }, null, 1).replace(/\n}$/, '')},\n "points": {\n${Object.keys(pricePoints)
    .sort()
    .map((id) => `  ${JSON.stringify(id)}: ${JSON.stringify(pricePoints[id])}`)
    .join(',\n')}\n }\n}\n`,
);

// ---------------------------------------------------------------- aliases

interface Aliases {
  artificial_analysis: Record<string, string>;
  lmarena: Record<string, string>;
  aider_polyglot: Record<string, string>;
}
const aliases = JSON.parse(readFileSync(join(OUT, 'aliases.json'), 'utf8')) as Aliases;
const aliasWarnings: string[] = [];
for (const [src, table] of Object.entries(aliases) as [string, Record<string, string> | string][]) {
  if (typeof table !== 'object') continue;
  const seen = new Map<string, string>();
  for (const [name, id] of Object.entries(table)) {
    const prev = seen.get(id);
    if (prev) throw new Error(`aliases.json ${src}: "${prev}" and "${name}" both map to ${id}`);
    seen.set(id, name);
    const base = id.replace(/:(batch|free)$/, '');
    if (!allIds.has(id) && ![...allIds].some((x) => x.replace(/:(batch|free)$/, '') === base)) {
      aliasWarnings.push(`${src}: "${name}" → ${id} (id not in any bundled snapshot; kept for synced catalogs)`);
    }
  }
}

// ---------------------------------------------------------------- figures

interface Figure extends ScoreSource {
  target: string;
}
const rawFigures = new Map<string, Omit<Figure, 'score'>[]>(); // by OpenRouter id
const metricValues = new Map<string, number[]>(); // `${source}|${metric}` -> all raw values (whole source population)
const metricInfo = new Map<string, { source: string; metric: string; target: string; dates: Set<string> }>();

function addPopulation(source: string, metric: string, target: string, raw: number, date: string): void {
  const key = `${source}|${metric}`;
  const list = metricValues.get(key) ?? [];
  list.push(raw);
  metricValues.set(key, list);
  const info = metricInfo.get(key) ?? { source, metric, target, dates: new Set<string>() };
  info.dates.add(date);
  metricInfo.set(key, info);
}

function addFigure(id: string, f: Omit<Figure, 'score'>): void {
  const list = rawFigures.get(id) ?? [];
  list.push(f);
  rawFigures.set(id, list);
}

// --- Artificial Analysis scrapes

function parseCsv(text: string): string[][] {
  return splitCsvRows(text)
    .map((r) => r.cells)
    .filter((r) => r.length > 1);
}

/** "63%" → 63, "31*" → 31, "$5.00" → 5, "1,714" → 1714, "--" → null. */
function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.replace(/[%$*,\s]/g, '');
  if (t === '' || t === '--' || t === '-') return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

const AA_FILES = ['2026-05-18', '2026-07-01', '2026-08-19', '2026-08-22'];
/** The AA Intelligence Index was rescaled between 2026-05-18 and 2026-07-01 (o3: 38 → 30); only 07-01+ values are used. */
const AA_INDEX_FROM = '2026-07-01';
const AA_METRICS: { column: string; metric: string; target: string }[] = [
  { column: 'ArtificialAnalysisIntelligenceIndex', metric: 'Intelligence Index', target: 'general' },
  { column: 'GPQADiamond', metric: 'GPQA Diamond', target: 'reasoning' },
  { column: "Humanity'sLastExam", metric: "Humanity's Last Exam", target: 'reasoning' },
  { column: 'AIME2025', metric: 'AIME 2025', target: 'reasoning' },
  { column: 'LiveCodeBench', metric: 'LiveCodeBench', target: 'coding' },
  { column: 'SciCode', metric: 'SciCode', target: 'coding' },
  { column: 'Terminal-BenchHard', metric: 'Terminal-Bench Hard', target: 'coding' },
  { column: 'IFBench', metric: 'IFBench', target: 'instruction_following' },
  { column: '𝜏²-BenchTelecom', metric: 'τ²-Bench Telecom', target: 'tool_use' },
  { column: 'AA-LCR', metric: 'AA-LCR', target: 'long_context' },
];
const AA_SPEED: { column: string; metric: string; target: string }[] = [
  { column: 'MedianTokens/s', metric: 'median output tokens/s', target: SPEED_TARGETS.output_tokens_per_s },
  { column: 'MedianFirstChunk(s)', metric: 'median first chunk (s)', target: SPEED_TARGETS.ttft_s },
];

/** model name -> metric -> {date, raw}: the latest date that has a value wins. */
const aaLatest = new Map<string, Map<string, { date: string; raw: number }>>();
/**
 * Hybrid models (run with or without reasoning) appear in the AA files under one name with two
 * figure sets: rows whose `ReasoningTime (s)` is `N/A` were measured in non-reasoning mode. For a
 * name that has both kinds of rows, the reasoning rows feed the model's scores and the
 * non-reasoning rows its `nonreasoning:<capability>` figures (same normalization ranges).
 */
const aaLatestNonReasoning = new Map<string, Map<string, { date: string; raw: number }>>();
for (const date of AA_FILES) {
  const rows = parseCsv(readFileSync(join(SHARED, `artificial_analysis_scrapes/artificialanalysis_${date}.csv`), 'utf8'));
  const header = (rows[0] ?? []).map((h) => h.replace(/\s+/g, ''));
  const col = (name: string): number => header.indexOf(name);
  const byModel = new Map<string, string[][]>();
  for (const r of rows.slice(1)) {
    const model = r[col('Model')] ?? '';
    const list = byModel.get(model) ?? [];
    list.push(r);
    byModel.set(model, list);
  }
  const reasoningTime = col('ReasoningTime(s)');
  const nonReasoningRow = (r: string[]): boolean => reasoningTime >= 0 && r[reasoningTime] === 'N/A';
  const latestBenchmarks = (into: Map<string, { date: string; raw: number }>, rows: string[][]): void => {
    for (const spec of AA_METRICS) {
      if (spec.column === 'ArtificialAnalysisIntelligenceIndex' && date < AA_INDEX_FROM) continue;
      const c = col(spec.column);
      if (c < 0) continue;
      const v = rows.map((r) => num(r[c])).find((x) => x !== null);
      if (v !== undefined && v !== null) into.set(spec.column, { date, raw: v });
    }
  };
  for (const [model, list] of byModel) {
    const m = aaLatest.get(model) ?? new Map<string, { date: string; raw: number }>();
    const nonReasoning = list.filter(nonReasoningRow);
    const bothModes = nonReasoning.length > 0 && nonReasoning.length < list.length;
    latestBenchmarks(m, bothModes ? list.filter((r) => !nonReasoningRow(r)) : list);
    if (bothModes) {
      const nr = aaLatestNonReasoning.get(model) ?? new Map<string, { date: string; raw: number }>();
      latestBenchmarks(nr, nonReasoning);
      aaLatestNonReasoning.set(model, nr);
    }
    for (const spec of AA_SPEED) {
      const c = col(spec.column);
      if (c < 0) continue;
      const vs = list.filter((r) => r[col('query_size')] === 'long').map((r) => num(r[c])).filter((x): x is number => x !== null && x > 0);
      if (vs.length > 0) m.set(spec.column, { date, raw: Math.round(median(vs) * 100) / 100 });
    }
    aaLatest.set(model, m);
  }
}
const aaUnmapped: string[] = [];
for (const [model, metrics] of aaLatest) {
  for (const spec of AA_METRICS) {
    const f = metrics.get(spec.column);
    if (f) addPopulation('Artificial Analysis', spec.metric, spec.target, f.raw, f.date);
  }
  const id = aliases.artificial_analysis[model];
  if (!id) {
    aaUnmapped.push(model);
    continue;
  }
  for (const spec of [...AA_METRICS, ...AA_SPEED]) {
    const f = metrics.get(spec.column);
    if (f) addFigure(id, { source: 'Artificial Analysis', metric: spec.metric, date: f.date, raw: f.raw, target: spec.target, origin: 'bundled' });
  }
  const nr = aaLatestNonReasoning.get(model);
  for (const spec of nr ? AA_METRICS : []) {
    const f = nr?.get(spec.column);
    if (f) addFigure(id, { source: 'Artificial Analysis', metric: spec.metric, date: f.date, raw: f.raw, target: NON_REASONING_PREFIX + spec.target, origin: 'bundled' });
  }
}
for (const name of Object.keys(aliases.artificial_analysis)) if (!aaLatest.has(name)) throw new Error(`aliases.json artificial_analysis: "${name}" is not in any AA file`);

// --- OpenRouter's own embedded AA intelligence index (2026-08-19 snapshot): fallback for `general`

for (const m of latestModels) {
  const v = m.benchmarks?.artificial_analysis?.intelligence_index;
  if (typeof v !== 'number') continue;
  addPopulation('OpenRouter /models benchmarks', 'artificial_analysis.intelligence_index', 'general', v, '2026-08-19');
  if (/:(batch|free)$/.test(m.id) || m.alias_target) continue; // variants inherit from the id they serve
  const figs = rawFigures.get(m.id) ?? [];
  if (figs.some((f) => f.source === 'Artificial Analysis' && f.metric === 'Intelligence Index')) continue;
  addFigure(m.id, { source: 'OpenRouter /models benchmarks', metric: 'artificial_analysis.intelligence_index', date: '2026-08-19', raw: v, target: 'general', origin: 'bundled' });
}

// --- LMArena text leaderboard

const LMARENA_DATE = '2025-12-11';
const LMARENA_CATEGORIES: { category: string; target: string }[] = [
  { category: 'full', target: 'general' },
  { category: 'if', target: 'instruction_following' },
  { category: 'full', target: 'domain:general' },
  { category: 'industry_software_and_it_services', target: 'domain:software' },
  { category: 'industry_mathematical', target: 'domain:math' },
  { category: 'industry_life_and_physical_and_social_science', target: 'domain:science' },
  { category: 'industry_medicine_and_healthcare', target: 'domain:medicine' },
  { category: 'industry_legal_and_government', target: 'domain:legal' },
  { category: 'industry_business_and_management_and_financial_operations', target: 'domain:business_finance' },
  { category: 'creative_writing', target: 'domain:creative_writing' },
];
const arena = JSON.parse(readFileSync(join(SHARED, 'lmarena_arena_catalog/leaderboard-text.json'), 'utf8')) as Record<string, Record<string, { rating: number }>>;
const arenaNames = new Set<string>();
for (const spec of LMARENA_CATEGORIES) {
  const cat = arena[spec.category] ?? {};
  const metric = `text arena rating: ${spec.category}`;
  for (const [name, r] of Object.entries(cat)) {
    arenaNames.add(name);
    addPopulation('LMArena', metric, spec.target, r.rating, LMARENA_DATE);
    const id = aliases.lmarena[name];
    if (id) addFigure(id, { source: 'LMArena', metric, date: LMARENA_DATE, raw: Math.round(r.rating * 10) / 10, target: spec.target, origin: 'bundled' });
  }
}
for (const name of Object.keys(aliases.lmarena)) if (!arenaNames.has(name)) throw new Error(`aliases.json lmarena: "${name}" is not in leaderboard-text.json`);
const arenaUnmapped = [...arenaNames].filter((n) => !aliases.lmarena[n]).sort();

// --- Aider polyglot

const polyglot = JSON.parse(readFileSync(join(SHARED, 'aider_leaderboards/polyglot_leaderboard.json'), 'utf8')) as { model: string; pass_rate_2: number; date: string }[];
const aiderLatest = new Map<string, { raw: number; date: string }>();
for (const r of polyglot) {
  const d = String(r.date).slice(0, 10);
  addPopulation('Aider', 'polyglot pass_rate_2', 'coding', r.pass_rate_2, d);
  const prev = aiderLatest.get(r.model);
  if (!prev || d > prev.date) aiderLatest.set(r.model, { raw: r.pass_rate_2, date: d });
}
for (const [name, f] of aiderLatest) {
  const id = aliases.aider_polyglot[name];
  if (id) addFigure(id, { source: 'Aider', metric: 'polyglot pass_rate_2', date: f.date, raw: f.raw, target: 'coding', origin: 'bundled' });
}
for (const name of Object.keys(aliases.aider_polyglot)) if (!aiderLatest.has(name)) throw new Error(`aliases.json aider_polyglot: "${name}" is not in polyglot_leaderboard.json`);
const aiderUnmapped = [...aiderLatest.keys()].filter((n) => !aliases.aider_polyglot[n]).sort();

// ---------------------------------------------------------------- normalize, inherit, combine

const ranges = new Map<string, { min: number; max: number; n: number }>();
for (const [key, values] of metricValues) ranges.set(key, { min: Math.min(...values), max: Math.max(...values), n: values.length });

const figuresById = new Map<string, Figure[]>();
for (const [id, list] of rawFigures) {
  figuresById.set(
    id,
    list.map((f) => {
      const isSpeed = f.target.startsWith('speed:');
      const r = ranges.get(`${f.source}|${f.metric}`);
      const score = isSpeed || !r ? null : Math.round(minMax(f.raw, r.min, r.max) * 1000) / 1000;
      return { ...f, score };
    }),
  );
}

// --- cross-source calibration
// Min-max ranges differ by population (LMArena rates 2023 models too, so recent models crowd near
// 1; Aider's runs stop in 2025). Secondary figures are mapped onto the primary (Artificial Analysis)
// scale of the same target by a least-squares line fitted on the models that have both; domains
// (LMArena only) are mapped onto the AA Intelligence Index scale. Needs >= CALIBRATION_MIN_MODELS.
const CALIBRATION_MIN_MODELS = 10;
const PRIMARY = 'Artificial Analysis';
const calibrations: { source: string; metric: string; target: string; against: string; n: number; slope: number; intercept: number; r: number }[] = [];

function primaryScore(figs: Figure[], target: string): number | null {
  const t = target.startsWith('domain:') ? 'general' : target;
  const xs = figs.filter((f) => f.source === PRIMARY && f.target === t && typeof f.score === 'number').map((f) => f.score as number);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

const secondaryKeys = new Set<string>();
for (const figs of figuresById.values()) for (const f of figs) if (f.source !== PRIMARY && !f.target.startsWith('speed:')) secondaryKeys.add(`${f.source}|${f.metric}|${f.target}`);
for (const key of [...secondaryKeys].sort()) {
  const [source, metric, target] = key.split('|') as [string, string, string];
  const pairs: [number, number][] = [];
  for (const figs of figuresById.values()) {
    const f = figs.find((x) => x.source === source && x.metric === metric && x.target === target);
    const y = primaryScore(figs, target);
    if (f && typeof f.score === 'number' && y !== null) pairs.push([f.score, y]);
  }
  if (pairs.length < CALIBRATION_MIN_MODELS) continue;
  const n = pairs.length;
  const mx = pairs.reduce((a, p) => a + p[0], 0) / n;
  const my = pairs.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  if (sxx === 0 || syy === 0) continue;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r = sxy / Math.sqrt(sxx * syy);
  if (slope <= 0) continue; // a source that disagrees in direction is left on its own scale
  const round3 = (v: number): number => Math.round(v * 1000) / 1000;
  calibrations.push({ source, metric, target, against: target.startsWith('domain:') ? `${PRIMARY} Intelligence Index` : `${PRIMARY} ${target}`, n, slope: round3(slope), intercept: round3(intercept), r: round3(r) });
  for (const figs of figuresById.values()) {
    for (const f of figs) {
      if (f.source === source && f.metric === metric && f.target === target && typeof f.score === 'number') f.score = round3(clamp01(intercept + slope * f.score));
    }
  }
}

/** ':batch' / ':free' variants and '~...-latest' routers serve the same weights as their target id. */
const inheritFrom = new Map<string, string>();
for (const list of snapshotModels.values()) {
  for (const m of list) {
    const base = m.id.replace(/:(batch|free|thinking)$/, '');
    if (base !== m.id && m.id.endsWith(':thinking')) continue; // a thinking mode is a different configuration
    if (base !== m.id) inheritFrom.set(m.id, base);
    if (m.alias_target?.slug) inheritFrom.set(m.id, m.alias_target.slug);
  }
}
const inherited = new Map<string, string>();
for (const [id, base] of inheritFrom) {
  if (rawFigures.has(id) || !figuresById.has(base)) continue;
  inherited.set(id, base);
}

const ids = [...new Set([...figuresById.keys(), ...inherited.keys()])].sort();
const models: Record<string, unknown> = {};
for (const id of ids) {
  const base = inherited.get(id);
  if (base) {
    models[id] = { inherits_from: base };
    continue;
  }
  const figs = figuresById.get(id) ?? [];
  const s = combineScores(id, figs);
  const round = (o: Record<string, number | undefined>): Record<string, number> =>
    Object.fromEntries(Object.entries(o).filter((e): e is [string, number] => e[1] !== undefined).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
  models[id] = {
    capabilities: round(s.capabilities),
    domains: round(s.domains),
    ...(s.non_reasoning ? { non_reasoning: round(s.non_reasoning) } : {}),
    output_tokens_per_s: s.output_tokens_per_s,
    ttft_s: s.ttft_s,
    figures: figs.map(({ source, metric, date, raw, target, score }) => ({ target, source, metric, date, raw, score })),
  };
}

// coverage over the latest snapshot's text models
const latestText = latestModels.filter(isTextModel).map((m) => m.id);
type ScoredEntry = { capabilities?: Record<string, number>; domains?: Record<string, number>; output_tokens_per_s?: number | null; ttft_s?: number | null };
const resolved = (id: string): ScoredEntry | undefined => models[inherited.get(id) ?? id] as ScoredEntry | undefined;
const coverage: Record<string, number> = { catalog_models: latestText.length };
for (const c of CAPABILITIES) coverage[c] = latestText.filter((id) => resolved(id)?.capabilities?.[c] !== undefined).length;
for (const d of DOMAINS) coverage[`domain:${d}`] = latestText.filter((id) => resolved(id)?.domains?.[d] !== undefined).length;
coverage.output_tokens_per_s = latestText.filter((id) => resolved(id)?.output_tokens_per_s != null).length;
coverage.ttft_s = latestText.filter((id) => resolved(id)?.ttft_s != null).length;
const unscored = latestText.filter((id) => !resolved(id)).sort();
coverage.with_any_score = latestText.length - unscored.length;

const metrics = [...metricInfo.entries()]
  .map(([key, info]) => ({ source: info.source, metric: info.metric, target: info.target, dates: [...info.dates].sort(), ...ranges.get(key) }))
  .sort((a, b) => (a.source + a.metric + a.target).localeCompare(b.source + b.metric + b.target));

const scores = {
  generated_by: 'scripts/build-catalog-data.ts',
  normalization:
    'Per metric, min-max over every model the source lists (not only mapped ones): score = (raw - min) / (max - min), 0..1. Figures of secondary sources (LMArena, Aider, OpenRouter-embedded index) are then mapped onto the Artificial Analysis scale of the same target by a least-squares line fitted on the models both sources score (see calibrations; domains are mapped onto the AA Intelligence Index). A capability score is the mean of the figures targeting it; speed figures keep their unit.',
  metrics,
  calibrations,
  coverage,
  unscored_catalog_models: unscored,
  unmapped_source_names: { artificial_analysis: aaUnmapped.sort(), lmarena: arenaUnmapped, aider_polyglot: aiderUnmapped },
  alias_warnings: aliasWarnings,
  models,
};
// One model per line: small diffs when the data is rebuilt, still readable.
const { models: modelsOut, ...head } = scores;
const modelLines = Object.entries(modelsOut).map(([id, v]) => `  ${JSON.stringify(id)}: ${JSON.stringify(v)}`);
writeFileSync(join(OUT, 'scores.json'), `${JSON.stringify(head, null, 1).replace(/\n}$/, '')},\n "models": {\n${modelLines.join(',\n')}\n }\n}\n`);

// ---------------------------------------------------------------- PROVENANCE.md

const lines: string[] = [];
lines.push('# data/catalog: provenance', '');
lines.push('Generated by `npx tsx scripts/build-catalog-data.ts` from `../shared/datasets` (see its SOURCES.md). Do not edit by hand except `aliases.json`, the maintained alias table.', '');
lines.push('## OpenRouter `/api/v1/models` snapshots', '');
lines.push('Curated: each file keeps the API shape (`{"data":[...]}`) and, per model, `' + KEEP.join(', ') + '` (descriptions, links, default parameters and embedded benchmarks dropped). Only models with text output are kept.', '');
lines.push('| file | snapshot date | models in source | kept | sha256 of file | origin |', '|---|---|---|---|---|---|');
for (const s of snapshotStats) lines.push(`| openrouter-${s.date}.json | ${s.date} | ${s.models} | ${s.kept} | \`${s.sha256.slice(0, 16)}…\` | ${s.origin} |`);
lines.push('');
lines.push('## Price-only history (`price-history.json`)', '');
lines.push('Prompt and completion prices scraped from the openrouter.ai/models **web page** (not the API), shown by `pnyx catalog show` next to the API snapshots. The 2025-03-25 page gives US cents per 1M tokens; the 2025-10-25 page gives pt-BR formatted USD per 1M (`$1,25`, `--` = not shown).', '');
lines.push('| date | models | origin |', '|---|---|---|');
for (const p of priceSources) lines.push(`| ${p.date} | ${p.models} | ${p.origin} |`);
lines.push('');
lines.push('## Quality scores (`scores.json`)', '');
lines.push('| source | file | date | license |', '|---|---|---|---|');
lines.push('| Artificial Analysis (scraped by Nidhal-Jegham/HowHungryisAIDashboard @ d853ddad) | artificialanalysis_2026-05-18/07-01/08-19/08-22.csv | per figure: latest file with a value | none stated; data from artificialanalysis.ai, attribution required |');
lines.push('| OpenRouter `/models` `benchmarks.artificial_analysis.intelligence_index` | openrouter 2026-08-19 snapshot | 2026-08-19 | as above |');
lines.push(`| LMArena text leaderboard (lmarena/arena-catalog @ c9558b60) | leaderboard-text.json | ${LMARENA_DATE} | none stated |`);
lines.push('| Aider polyglot leaderboard (Aider-AI/aider @ 5dc9490b) | polyglot_leaderboard.json | per run date | Apache-2.0 |', '');
lines.push('### Which figure feeds which capability', '');
lines.push('| capability / target | figures |', '|---|---|');
const byTarget = new Map<string, string[]>();
for (const m of metrics) byTarget.set(m.target, [...(byTarget.get(m.target) ?? []), `${m.source}: ${m.metric}`]);
for (const [t, list] of [...byTarget.entries()].sort()) lines.push(`| ${t} | ${[...new Set(list)].join('; ')} |`);
lines.push('');
lines.push('### Normalization', '');
lines.push('- Every benchmark figure is normalized **per metric with min-max over every model the source lists** (mapped or not): `score = (raw - min) / (max - min)`, so 1 = best model of that source on that metric, 0 = worst. Ranges are in `scores.json` → `metrics`.');
lines.push('- A model\'s **capability score is the mean of its normalized figures for that capability**; missing figures are skipped, never imputed. A capability with no figure is absent (unknown), not 0.');
lines.push('- Artificial Analysis benchmark figures are per model (the same in every provider row and prompt bucket); speed figures come from the `long` prompt bucket only (the one bucket all four files have). Per figure the latest of the four files that has a value wins. The Intelligence Index was rescaled between 2026-05-18 and 2026-07-01 (o3: 38 → 30), so index values from 2026-05-18 are not used. Speed (`MedianTokens/s`) and TTFT (`MedianFirst Chunk (s)`) are the median over the API providers AA measured, in their own units.');
lines.push('- **Cross-source calibration.** Min-max ranges depend on who a source rates (LMArena still rates 2023 models, so recent models crowd near 1; Aider stopped in 2025). So each secondary figure (LMArena, Aider, OpenRouter\'s embedded index) is mapped onto the Artificial Analysis scale of the same capability by a least-squares line fitted on the models both sources score (at least ' + CALIBRATION_MIN_MODELS + '); LMArena domain ratings are mapped onto the AA Intelligence Index. Without that, a model scored only by LMArena would look stronger than one scored by both.', '');
lines.push('| source | metric | target | calibrated against | models | slope | intercept | r |', '|---|---|---|---|---|---|---|---|');
for (const c of calibrations) lines.push(`| ${c.source} | ${c.metric} | ${c.target} | ${c.against} | ${c.n} | ${c.slope} | ${c.intercept} | ${c.r} |`);
lines.push('');
lines.push(`- **Reasoning modes.** A hybrid model appears in the AA files under one name with two figure sets; rows whose \`ReasoningTime (s)\` is \`N/A\` were measured without reasoning. For a name with both kinds of rows, the reasoning rows feed the capability scores and the other rows the \`${NON_REASONING_PREFIX}<capability>\` figures (same ranges; \`non_reasoning\` in \`scores.json\`): ${Object.values(models).filter((m) => (m as { non_reasoning?: unknown }).non_reasoning).length} models have them. Speed figures stay the median over both modes' rows.`);
lines.push('- OpenRouter\'s embedded AA intelligence index is used for `general` only when the AA scrape has no index for that model (normalized within its own population).');
lines.push('- LMArena figures are Bradley-Terry ratings (not style-controlled) normalized within each category; `full` feeds `general` and the `general` domain, `if` feeds instruction following, the `industry_*` categories and `creative_writing` feed the domains.');
lines.push('- Aider polyglot `pass_rate_2` (latest run per model name) feeds coding.');
lines.push('- `:batch` / `:free` variants and `~…-latest` routers inherit the scores of the model they serve (`inherits_from`).');
lines.push('- Imported team scores (`pnyx catalog import-scores`) replace the bundled figures of the same model and capability (weighted by `n`).', '');
lines.push('### Coverage (text models of the 2026-08-19 snapshot)', '');
lines.push('| target | models with a score |', '|---|---|');
for (const [k, v] of Object.entries(coverage)) lines.push(`| ${k} | ${v} |`);
lines.push('');
lines.push(`Catalog models without any score: ${unscored.length} (listed in \`scores.json\` → \`unscored_catalog_models\`).`);
lines.push(
  `Unmapped source names (no alias, deliberately not guessed; listed in \`scores.json\` → \`unmapped_source_names\`): Artificial Analysis ${aaUnmapped.length} of ${aaLatest.size}, LMArena ${arenaUnmapped.length} of ${arenaNames.size}, Aider polyglot ${aiderUnmapped.length} of ${aiderLatest.size}. Most are quantized / third-party-host variants, non-default reasoning efforts, or models OpenRouter never listed.`,
);
if (aliasWarnings.length) {
  lines.push('', 'Alias targets not present in any bundled snapshot (kept for synced catalogs):', '');
  for (const w of aliasWarnings) lines.push(`- ${w}`);
}
lines.push('');
writeFileSync(join(OUT, 'PROVENANCE.md'), lines.join('\n'));

process.stdout.write(
  `snapshots: ${snapshotStats.map((s) => `${s.date} ${s.kept}/${s.models}`).join(', ')}\n` +
    `scored ids: ${ids.length}; coverage: ${JSON.stringify(coverage)}\n` +
    `unmapped: AA ${aaUnmapped.length}/${aaLatest.size}, LMArena ${arenaUnmapped.length}/${arenaNames.size}, Aider ${aiderUnmapped.length}/${aiderLatest.size}; alias warnings ${aliasWarnings.length}\n`,
);

