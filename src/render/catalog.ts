import Table from 'cli-table3';
import { perMillion } from '../core/catalog/cost.js';
import { CAPABILITIES, type CatalogModel, type ModelScores } from '../core/catalog/types.js';
import { DOMAINS } from '../core/profile.js';
import type { CatalogDiff, FeatureImpact, ModelHistoryEntry, PricePoint, SnapshotInfo } from '../core/catalog/history.js';
import { formatUsd, type RenderStyle } from './summaryTable.js';

/** USD per 1M tokens, compact: $0.075, $1.25, $15. */
export function formatPerMillion(usdPerToken: number | null | undefined, unknown = false): string {
  if (unknown || usdPerToken === null || usdPerToken === undefined) return '?';
  const v = perMillion(usdPerToken);
  if (v === 0) return 'free';
  const digits = v < 0.1 ? 4 : v < 10 ? 3 : 2;
  return `$${Number(v.toFixed(digits)).toString()}`;
}

export function formatTokens(n: number | null): string {
  if (n === null) return '—';
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(2).replace(/0+$/, '').replace(/\.$/, '')}M`;
  if (n >= 1000) return `${Math.round(n / 1000)}k`;
  return String(n);
}

const fmtScore = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(2));

const SHORT: Record<string, string> = {
  general: 'gen',
  reasoning: 'reas',
  coding: 'code',
  instruction_following: 'IF',
  tool_use: 'tools',
  long_context: 'long',
};

function tableStyle(style: RenderStyle): ConstructorParameters<typeof Table>[0] {
  return { style: style.color ? { head: ['cyan'], compact: true } : { head: [], border: [], compact: true } };
}

export interface ListedModel {
  model: CatalogModel;
  scores: ModelScores | undefined;
}

/** `pnyx catalog list`: one row per model, prices per 1M tokens, capability scores 0..1. */
export function renderCatalogList(rows: ListedModel[], meta: { source: string; snapshot_date: string; total: number }, style: RenderStyle): string {
  const table = new Table({
    head: ['model', 'in $/M', 'out $/M', 'context', ...CAPABILITIES.map((c) => SHORT[c] ?? c), 'tok/s'],
    ...tableStyle(style),
  });
  for (const { model: m, scores: s } of rows) {
    table.push([
      style.clean(m.id) + (m.expiration_date ? `\n(expires ${style.clean(m.expiration_date)})` : ''),
      formatPerMillion(m.pricing.prompt, m.pricing.unknown) + (m.pricing.overrides.length ? '*' : ''),
      formatPerMillion(m.pricing.completion, m.pricing.unknown),
      formatTokens(m.context_length),
      ...CAPABILITIES.map((c) => fmtScore(s?.capabilities[c])),
      s?.output_tokens_per_s != null ? String(Math.round(s.output_tokens_per_s)) : '—',
    ]);
  }
  const scored = rows.filter((r) => r.scores && Object.keys(r.scores.capabilities).length > 0).length;
  return (
    `${rows.length} of ${meta.total} models (catalog ${meta.source}, ${meta.snapshot_date}); ${scored} with capability scores, — = no score (never guessed); * = tiered prices for long prompts\n` +
    table.toString()
  );
}

/** `pnyx catalog show ID`. */
export function renderCatalogShow(
  m: CatalogModel,
  s: ModelScores | undefined,
  history: ModelHistoryEntry[],
  pricePages: PricePoint[],
  meta: { source: string; snapshot_date: string },
  style: RenderStyle,
): string {
  const out: string[] = [];
  const c = style.clean;
  out.push(`${c(m.id)} — ${c(m.name)}   (catalog ${c(meta.source)}, ${meta.snapshot_date})`);
  if (m.canonical_slug && m.canonical_slug !== m.id) out.push(`  canonical slug  ${c(m.canonical_slug)}`);
  if (m.created) out.push(`  created         ${m.created}`);
  if (m.expiration_date) out.push(`  EXPIRES         ${c(m.expiration_date)}`);
  if (m.knowledge_cutoff) out.push(`  knowledge       ${c(m.knowledge_cutoff)}`);
  out.push('', 'Prices (USD per 1M tokens)');
  const p = m.pricing;
  if (p.unknown) out.push('  unknown (the catalog gives no price: cost cannot be projected)');
  else {
    out.push(`  prompt ${formatPerMillion(p.prompt)}   completion ${formatPerMillion(p.completion)}` + (p.internal_reasoning > 0 ? `   reasoning ${formatPerMillion(p.internal_reasoning)}` : ''));
    if (p.input_cache_read !== null || p.input_cache_write !== null) {
      out.push(`  cache read ${formatPerMillion(p.input_cache_read)}   cache write ${formatPerMillion(p.input_cache_write)}`);
    }
    for (const o of p.overrides) {
      out.push(
        `  prompts ≥ ${formatTokens(o.min_prompt_tokens)} tokens: prompt ${formatPerMillion(o.prompt ?? p.prompt)}   completion ${formatPerMillion(o.completion ?? p.completion)}` +
          (o.input_cache_read !== undefined ? `   cache read ${formatPerMillion(o.input_cache_read)}` : ''),
      );
    }
    const extras = [
      p.request > 0 ? `per request ${formatUsd(p.request)}` : '',
      p.image > 0 ? `per image ${formatUsd(p.image)}` : '',
      p.web_search > 0 ? `per web search ${formatUsd(p.web_search)}` : '',
    ].filter(Boolean);
    if (extras.length) out.push(`  ${extras.join('   ')}`);
  }
  out.push('', 'Limits and features');
  out.push(`  context ${formatTokens(m.context_length)}   max output ${formatTokens(m.max_completion_tokens)}   input ${m.input_modalities.map(c).join('+')}   output ${m.output_modalities.map(c).join('+')}`);
  out.push(`  reasoning ${m.reasoning.supported ? (m.reasoning.mandatory ? 'always on' : 'supported') : 'no'}   moderated ${m.is_moderated === null ? '?' : m.is_moderated ? 'yes' : 'no'}`);
  out.push(`  parameters ${m.supported_parameters.map(c).join(', ') || '—'}`);
  out.push('', 'Quality scores (0..1; — = no data, never guessed)');
  if (!s || s.sources.length === 0) out.push('  no benchmark scores for this model');
  else {
    const nr = s.non_reasoning;
    out.push((nr ? '  reasoning mode:     ' : '  ') + CAPABILITIES.map((k) => `${k} ${fmtScore(s.capabilities[k])}`).join('   '));
    if (nr) out.push('  non-reasoning mode: ' + CAPABILITIES.map((k) => `${k} ${fmtScore(nr[k])}`).join('   '));
    const doms = DOMAINS.filter((d) => s.domains[d] !== undefined);
    if (doms.length) out.push('  domains: ' + doms.map((d) => `${d} ${fmtScore(s.domains[d])}`).join('   '));
    if (s.output_tokens_per_s !== null || s.ttft_s !== null) {
      out.push(`  speed: ${s.output_tokens_per_s ?? '—'} output tokens/s, ${s.ttft_s ?? '—'} s to first token (medians)`);
    }
    const table = new Table({ head: ['target', 'source', 'metric', 'date', 'raw', 'score', 'n'], ...tableStyle(style) });
    for (const f of s.sources) {
      table.push([c(f.target ?? ''), c(f.source) + (f.origin === 'imported' ? ' (imported)' : ''), c(f.metric), c(f.date), Number.isFinite(f.raw) ? String(f.raw) : '—', f.score == null ? '—' : f.score.toFixed(3), f.n == null ? '' : String(f.n)]);
    }
    out.push(table.toString());
  }
  out.push('', 'History (USD per 1M tokens, prompt / completion)');
  const rows: [string, string][] = history.map((h) => {
    const price = h.present ? (h.price_unknown ? 'price unknown' : `${formatPerMillion(h.prompt)} / ${formatPerMillion(h.completion)}`) : 'absent';
    return [h.snapshot_date, `  ${h.snapshot_date}  #${h.snapshot_id} ${c(h.source).padEnd(10)} ${price}${h.expiration_date ? `  expires ${c(h.expiration_date)}` : ''}`];
  });
  for (const p of pricePages) rows.push([p.date, `  ${p.date}  price page    ${formatPerMillion(p.prompt)} / ${formatPerMillion(p.completion)}`]);
  rows.sort((a, b) => a[0].localeCompare(b[0]));
  for (const [, line] of rows) out.push(line);
  const summary = historySummary(history, pricePages);
  if (summary) out.push(`  ${summary}`);
  return out.join('\n');
}

/** "known in 2025-05-23, gone from 2026-08-19" and similar one-liners. */
export function historySummary(history: ModelHistoryEntry[], pricePages: PricePoint[] = []): string | null {
  const present = history.filter((h) => h.present);
  if (present.length === 0) return 'not in any stored snapshot';
  const last = history[history.length - 1];
  const lastPresent = present[present.length - 1];
  if (!last || !lastPresent || last.present) return null;
  const page = pricePages.filter((p) => p.date > lastPresent.snapshot_date && p.date < last.snapshot_date).pop();
  return `known in ${lastPresent.snapshot_date}, gone from ${last.snapshot_date}` + (page ? ` (still on the price page of ${page.date})` : '');
}

function pct(v: number | null): string {
  if (v === null) return 'n/a';
  if (v === 0) return 'unchanged';
  const s = (v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0);
  return v > 0 ? `+${s}%` : `${s}%`;
}

/** `pnyx catalog diff`. */
export function renderCatalogDiff(d: CatalogDiff, style: RenderStyle): string {
  const c = style.clean;
  const out: string[] = [];
  out.push(`Catalog diff: #${d.from.snapshot_id} ${d.from.snapshot_date} (${c(d.from.source)}, ${d.from.model_count} models) → #${d.to.snapshot_id} ${d.to.snapshot_date} (${c(d.to.source)}, ${d.to.model_count} models)`);
  out.push('', `New models (${d.added.length})`);
  for (const m of d.added) out.push(`  + ${c(m.id)}  ${formatPerMillion(m.prompt, m.price_unknown)} / ${formatPerMillion(m.completion, m.price_unknown)} per 1M, context ${formatTokens(m.context_length)}`);
  out.push('', `Removed models (${d.removed.length})`);
  for (const m of d.removed) out.push(`  - ${c(m.id)}`);
  out.push('', `Expiring (${d.expiring.length})`);
  for (const m of d.expiring) out.push(`  ! ${c(m.id)} expires ${c(m.expiration_date ?? '')}`);
  out.push('', `Price changes (${d.price_changes.length}; USD per 1M tokens, prompt / completion)`);
  for (const p of d.price_changes) {
    out.push(
      `  ~ ${c(p.id)}  prompt ${formatPerMillion(p.from.prompt)} → ${formatPerMillion(p.to.prompt)} (${pct(p.prompt_change)})   completion ${formatPerMillion(p.from.completion)} → ${formatPerMillion(p.to.completion)} (${pct(p.completion_change)})`,
    );
  }
  out.push('', 'Analysed features affected');
  if (d.impacts.length === 0) out.push('  none (no analysed request uses a changed, removed or expiring model)');
  for (const i of d.impacts) out.push(`  ${c(i.feature)}: ${impactLine(i, c)}`);
  out.push('', 'Cheaper alternatives for analysed features (new or cheaper models scoring at least as high on every capability the current model is scored on)');
  if (d.alternatives.length === 0) out.push('  none');
  for (const a of d.alternatives) {
    const scores = a.compared.map((x) => `${x.capability} ${x.alternative.toFixed(2)}≥${x.current.toFixed(2)}`).join(', ');
    out.push(
      `  ${c(a.feature)}: ${c(a.alternative)} (${a.why}) would serve it ${(a.saving * 100).toFixed(0)}% cheaper than ${c(a.current_model)} (logged tokens: ${formatUsd(a.cost_current)} → ${formatUsd(a.cost_alternative)}; ${scores})`,
    );
  }
  return out.join('\n');
}

function impactLine(i: FeatureImpact, c: (s: string) => string): string {
  const cost = i.cost_from !== null && i.cost_to !== null ? ` (logged tokens: ${formatUsd(i.cost_from)} → ${formatUsd(i.cost_to)})` : '';
  return `${c(i.detail)}; ${i.requests} request${i.requests === 1 ? '' : 's'} logged as ${c(i.logged_model)}${cost}`;
}

/** `pnyx catalog snapshots`. */
export function renderSnapshotList(snaps: SnapshotInfo[], currentId: number | null, style: RenderStyle): string {
  const table = new Table({ head: ['', 'id', 'date', 'source', 'models', 'stored at (UTC)', 'sha256'], ...tableStyle(style) });
  for (const s of snaps) {
    table.push([
      s.snapshot_id === currentId ? '*' : '',
      `#${s.snapshot_id}`,
      s.snapshot_date,
      style.clean(s.source),
      String(s.model_count),
      s.fetched_at instanceof Date ? s.fetched_at.toISOString().slice(0, 19).replace('T', ' ') : String(s.fetched_at),
      s.sha256.slice(0, 12),
    ]);
  }
  return `${table.toString()}\n* = the snapshot pnyx uses (latest synced, else latest bundled)`;
}
