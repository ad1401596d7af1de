import Table from 'cli-table3';
import type { FeatureSummary } from '../db/summary.js';

export interface RenderStyle {
  color: boolean;
  /** Makes log-derived text safe to print (strips control sequences). */
  clean: (s: string) => string;
}

export function formatUsd(v: number | null): string {
  if (v === null) return '—';
  if (v === 0) return '$0';
  if (v < 0.01) return `$${v.toFixed(4)}`;
  return `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function formatCount(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(1)}B`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  return v.toLocaleString('en-US');
}

export function formatMs(v: number | null): string {
  if (v === null) return '—';
  return v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`;
}

function shortDate(d: Date | null): string {
  return d ? d.toISOString().slice(0, 16).replace('T', ' ') : '—';
}

/** The per-feature traffic table `pnyx analyze` prints. */
export function renderSummaryTable(rows: FeatureSummary[], style: RenderStyle): string {
  const table = new Table({
    head: ['feature', 'requests', 'share', 'models', 'tokens in/out', 'cost', 'p50', 'p95', 'window (UTC)'],
    style: style.color ? { head: ['cyan'] } : { head: [], border: [] },
  });
  for (const r of rows) {
    const models = r.models
      .slice(0, 3)
      .map((m) => `${style.clean(m.model)} ${(m.share * 100).toFixed(0)}%`)
      .join('\n') + (r.models.length > 3 ? `\n+${r.models.length - 3} more` : '');
    table.push([
      style.clean(r.feature),
      formatCount(r.requests),
      `${(r.share * 100).toFixed(1)}%`,
      models,
      `${formatCount(r.prompt_tokens)} / ${formatCount(r.completion_tokens)}`,
      formatUsd(r.cost_usd),
      formatMs(r.latency_p50_ms),
      formatMs(r.latency_p95_ms),
      `${shortDate(r.first_ts)} →\n${shortDate(r.last_ts)}`,
    ]);
  }
  return table.toString();
}
