import type { FeatureReport, Report } from '../core/report.js';
import { formatUsd } from './summaryTable.js';

/** Wording shared by the table, markdown and html renderers. */

export const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`);

export function monthlyText(f: FeatureReport): string {
  const m = f.monthly_cost;
  if (m.current === null && m.projected === null) return '—';
  const delta = m.delta_pct === null ? '' : ` (${m.delta_pct >= 0 ? '+' : ''}${Math.round(m.delta_pct * 100)}%)`;
  return `${formatUsd(m.current)} → ${formatUsd(m.projected)}${delta}`;
}

export function currentModelsText(f: FeatureReport): string {
  return f.current_models.map((m) => (f.current_models.length > 1 ? `${m.model} ${pct(m.share)}` : m.model)).join(', ');
}

export function routesText(f: FeatureReport): string {
  if (f.recommendation.routes.length === 0) return '—';
  return f.recommendation.routes.map((r) => (f.recommendation.strategy === 'dynamic' ? `${pct(r.share)} → ${r.model} (${r.tier})` : `${r.model} (${r.tier})`)).join(', ');
}

export function confidenceText(f: FeatureReport): string {
  return `${f.confidence.level}${f.confidence.metadata_only ? ' (metadata-only)' : ''}`;
}

/** Lines of the per-feature section, as plain text (each renderer escapes and styles them). */
export function featureDetails(f: FeatureReport): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  out.push({ label: 'recommendation', text: f.recommendation.summary });
  for (const r of f.recommendation.routes) out.push({ label: `route ${pct(r.share)}`, text: `${r.model} (${r.tier}, meets ${pct(r.coverage)}): ${r.reason}` });
  out.push({
    label: 'shares',
    text: `short on assigned ${pct(f.verdict_shares.under)} · served by a weaker, much cheaper model ${pct(f.verdict_shares.light)} · fit ${pct(f.verdict_shares.fit)} · an as-capable, much cheaper model exists ${pct(f.verdict_shares.peer)}`,
  });
  out.push({ label: 'monthly cost', text: `${monthlyText(f)} — ${f.monthly_cost.basis}; logged cost for ${pct(f.monthly_cost.current_logged_share)} of requests` });
  out.push({ label: 'quality', text: f.quality.summary });
  out.push({ label: 'confidence', text: `${f.confidence.level}: ${f.confidence.basis}` });
  const p = f.profile_summary;
  out.push({
    label: 'profile',
    text: `${p.task_types.map((t) => `${t.value} ${pct(t.share)}`).join(', ')}; reasoning ${p.reasoning_mean?.toFixed(2) ?? '—'}, complexity ${p.complexity_mean?.toFixed(2) ?? '—'}, policy ${p.policy_sensitivity_mean?.toFixed(2) ?? '—'}, latency ${p.latency_sensitivity_mean?.toFixed(2) ?? '—'}; context p50 ${p.context_tokens_p50 === null ? '—' : Math.round(p.context_tokens_p50)} tokens`,
  });
  for (const v of f.violations) out.push({ label: 'VIOLATION', text: v.message });
  for (const w of f.warnings) out.push({ label: 'note', text: w });
  return out;
}

/** The `--sample` rates the report's features were stored at, when any was sampled: ` × --sample 0.1 at ingest`. */
function ingestSampling(r: Report): string {
  const rates = r.features.map((f) => f.monthly_cost.ingest_sample_rate);
  if (rates.every((x) => x === 1)) return '';
  const fmt = (x: number) => String(Number(x.toPrecision(3)));
  const lo = Math.min(...rates);
  const hi = Math.max(...rates);
  return lo === hi ? ` × --sample ${fmt(lo)} at ingest` : ` × --sample ${fmt(lo)}–${fmt(hi)} at ingest (per feature)`;
}

export function headerLines(r: Report): string[] {
  const lines = [
    `catalog: ${r.catalog.source} ${r.catalog.snapshot_date} (${r.catalog.models} models) · window: ${r.window.from?.slice(0, 16) ?? '—'} → ${r.window.to?.slice(0, 16) ?? '—'}${r.window.days === null ? '' : ` (${r.window.days.toFixed(1)} days)`} · sample rate ${r.sample_rate}${ingestSampling(r)}`,
    `monthly cost: ${formatUsd(r.totals.monthly_cost.current)} now → ${formatUsd(r.totals.monthly_cost.projected)} with the recommendations · ${r.totals.requests.toLocaleString('en-US')} ${r.totals.requests === 1 ? 'request' : 'requests'}, ${r.totals.features} ${r.totals.features === 1 ? 'feature' : 'features'}`,
  ];
  if (r.config) lines.push(`policy: ${r.config}`);
  return lines;
}
