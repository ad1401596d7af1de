import Table from 'cli-table3';
import { bodiesHints } from '../core/adapters/index.js';
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
      style.clean(r.feature) + metadataOnlyMarker(r),
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

/** The words every report uses for traffic analyzed without prompt text. */
export const METADATA_ONLY_LABEL = 'metadata-only, lower confidence';

/** Second line of the feature cell when some of its requests carry no prompt text. */
export function metadataOnlyMarker(r: Pick<FeatureSummary, 'requests' | 'metadata_only'>): string {
  if (r.metadata_only === 0) return '';
  if (r.metadata_only === r.requests) return `\n(${METADATA_ONLY_LABEL})`;
  return `\n(${Math.round((r.metadata_only / r.requests) * 100)}% ${METADATA_ONLY_LABEL})`;
}

/**
 * Printed once under the table when any request lacks prompt text: what that means and, per log
 * format involved, how to export bodies for a full analysis.
 */
export function renderMetadataOnlyNote(byFormat: { source_format: string; requests: number }[], total: number): string {
  const n = byFormat.reduce((s, f) => s + f.requests, 0);
  if (n === 0) return '';
  const lines = [
    `${n.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} requests have no prompt text (${METADATA_ONLY_LABEL}): they are profiled from token counts, latency, cost, finish reasons and tool/response-format flags only.`,
  ];
  for (const h of bodiesHints(byFormat.map((f) => f.source_format))) lines.push(`For a full analysis (${h.format}): ${h.hint}`);
  return lines.join('\n');
}
