import { describe, expect, it } from 'vitest';
import { assessFeature } from '../../src/core/recommend/assessFeature.js';
import { projectMonthlyCost } from '../../src/core/recommend/projectMonthlyCost.js';
import { ReportSchema, type Report } from '../../src/core/report.js';
import type { FeatureFacts } from '../../src/db/recommend.js';
import { escapeHtml, renderReportHtml } from '../../src/render/reportHtml.js';
import { renderReportMarkdown } from '../../src/render/reportMarkdown.js';
import { renderReportTable } from '../../src/render/reportTable.js';
import { headerLines } from '../../src/render/reportText.js';
import { REPORT_THRESHOLDS, toFeatureReport } from '../../src/stages/report.js';
import { bucket, handCatalog } from '../core/recommend/handCatalog.js';

const window = { from: new Date('2026-08-01T00:00:00Z'), to: new Date('2026-08-08T00:00:00Z') };

function facts(feature: string, requests: number): FeatureFacts {
  return {
    feature,
    requests,
    classified: requests,
    ttft_p95_ms: null,
    latency_p95_ms: 900,
    first_ts: window.from,
    last_ts: window.to,
    ingest_rate: 1,
    profile: {
      task_types: [{ value: 'text_generation', share: 1 }],
      domains: [{ value: 'general', share: 1 }],
      output_formats: [{ value: 'free_text', share: 1 }],
      reasoning_mean: 0.3,
      complexity_mean: 0.4,
      policy_sensitivity_mean: 0.1,
      latency_sensitivity_mean: 0.2,
      structured_output_share: 0,
      tools_share: 0,
      context_tokens_p50: 1000,
      context_tokens_p95: 1000,
    },
  };
}

/** A two-feature report from the hand catalog: one over-provisioned feature named like an XSS attempt, one mixed. */
function sampleReport(): Report {
  const catalog = handCatalog();
  const opts = { catalog, policy: {}, asOf: '2026-08-20' };
  const evil = '<script>alert("x")</script>|*bold*';
  const features = [
    { f: facts(evil, 100), a: assessFeature(evil, [bucket('lab/frontier', 100, { complexity: 0.4, reasoning: 0.3 })], opts) },
    {
      f: facts('support_ticket_drafting', 100),
      a: assessFeature('support_ticket_drafting', [bucket('lab/mid', 70, { complexity: 0.4, reasoning: 0.3 }), bucket('lab/mid', 30, { complexity: 0.85, reasoning: 0.9 })], opts),
    },
  ].map(({ f, a }) =>
    toFeatureReport(f, a, projectMonthlyCost({ current_sample_usd: a.sample_cost.current, projected_sample_usd: a.sample_cost.projected, window, sample_rate: 0.5 }), 200, a.violations),
  );
  return {
    schema_version: 1,
    generated_at: '2026-08-20T00:00:00.000Z',
    catalog: { source: catalog.source, snapshot_date: catalog.snapshot_date, models: catalog.models.length },
    window: { from: window.from.toISOString(), to: window.to.toISOString(), days: 7 },
    sample_rate: 0.5,
    config: null,
    thresholds: REPORT_THRESHOLDS,
    totals: { requests: 200, features: 2, monthly_cost: { current: 1, projected: 0.5 } },
    features,
    warnings: [],
  };
}

describe('report renderers', () => {
  const report = sampleReport();

  it('the json report validates against the published zod schema', () => {
    const parsed = ReportSchema.safeParse(JSON.parse(JSON.stringify(report)));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(report.features.map((f) => f.verdict)).toEqual(['over-provisioned', 'mixed']);
  });

  it('html: one self-contained file, log-derived text escaped', () => {
    const html = renderReportHtml(report);
    expect(html).not.toContain('<script>');
    expect(html).toContain(escapeHtml('<script>alert("x")</script>'));
    expect(html).not.toMatch(/<link|src=|https?:\/\//);
    expect(html.match(/<svg /g)?.length).toBe(3); // cost chart + one need chart per feature
    expect(html).toContain('class="verdict over"');
  });

  it('markdown: a GitHub table with one row per feature and no raw HTML from the logs', () => {
    const md = renderReportMarkdown(report);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[0]).toBe('| feature | requests | verdict | assigned | recommended | monthly now → projected | confidence |');
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r.split(/(?<!\\)\|/).length).toBe(9);
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('## support\\_ticket\\_drafting: mixed');
  });

  it('table: plain without color, ANSI verdict colors with it', () => {
    const clean = (s: string) => s;
    const plain = renderReportTable(report, { color: false, clean });
    expect(plain).not.toContain('\u001b[');
    expect(plain).toContain('over-provisioned');
    expect(plain).toContain('route 70%: lab/efficient (efficient');
    expect(renderReportTable(report, { color: true, clean })).toContain('\u001b[33mover-provisioned\u001b[39m');
  });

  it('header: counts in the singular for one feature or one request', () => {
    expect(headerLines(report)[1]).toMatch(/· 200 requests, 2 features$/);
    const one = { ...report, totals: { ...report.totals, requests: 1, features: 1 } };
    expect(headerLines(one)[1]).toMatch(/· 1 request, 1 feature$/);
  });

  it('header: the --sample rate of ingest next to the logs\' sample rate, when any feature was sampled', () => {
    expect(headerLines(report)[0]).toMatch(/· sample rate 0\.5$/);
    const sampled = (rates: number[]) => ({
      ...report,
      features: report.features.map((f, i) => ({ ...f, monthly_cost: { ...f.monthly_cost, ingest_sample_rate: rates[i]! } })),
    });
    expect(headerLines(sampled([0.1, 0.1]))[0]).toMatch(/· sample rate 0\.5 × --sample 0\.1 at ingest$/);
    expect(headerLines(sampled([0.1, 1 / 3]))[0]).toMatch(/· sample rate 0\.5 × --sample 0\.1–0\.333 at ingest \(per feature\)$/);
  });
});
