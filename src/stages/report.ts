import { policyFor, type PnyxConfig } from '../core/config.js';
import type { ModelCatalog } from '../core/catalog/types.js';
import { CAPABILITIES } from '../core/catalog/types.js';
import {
  assessFeature,
  costViolations,
  MIXED_SHARE_MIN,
  OVER_COST_RATIO,
  OVER_SHARE_MIN,
  ROUTE_COVERAGE,
  UNDER_SHARE_MIN,
  type FeatureAssessment,
} from '../core/recommend/assessFeature.js';
import { TIER_MIN_CAPABILITY_INDEX } from '../core/recommend/candidates.js';
import { MIN_CONFIDENT_REQUESTS } from '../core/recommend/confidence.js';
import { INTERACTIVE_MAX_TTFT_S, MIN_CHECKED_NEED, NEED_MARGIN } from '../core/recommend/needs.js';
import { projectMonthlyCost, windowDays } from '../core/recommend/projectMonthlyCost.js';
import { REPORT_SCHEMA_VERSION, type FeatureReport, type Report } from '../core/report.js';
import { createHash } from 'node:crypto';
import { currentSnapshot, ensureBundledCatalog, findSnapshot, loadCatalog } from '../db/catalog.js';
import type { PnyxDb } from '../db/database.js';
import { featureFacts, logWindow, profileBuckets, requestCount, type AggregateSource, type FeatureFacts, type StoredBucket } from '../db/recommend.js';
import { catalogIdentity, currentAggregates, dataGuard, storedReport, storeReport } from '../db/reportCache.js';
import { buildIdentity } from './buildIdentity.js';

export interface ReportOptions {
  catalog: ModelCatalog;
  config: PnyxConfig;
  configPath: string | null;
  /** Share of production traffic in the logs (0..1]. */
  sampleRate: number;
  /** Only this (exact) feature. */
  feature?: string;
  now?: Date;
  /**
   * Where the aggregates come from: `auto` (default) stored ones for a large database, else live;
   * `cached` always the stored ones (kept current); `live` computed from the tables.
   */
  aggregates?: AggregateSource | 'auto';
}

/** The named thresholds behind every verdict, as printed in the report. */
export const REPORT_THRESHOLDS: Record<string, number> = {
  UNDER_SHARE_MIN,
  OVER_SHARE_MIN,
  OVER_COST_RATIO,
  MIXED_SHARE_MIN,
  ROUTE_COVERAGE,
  NEED_MARGIN,
  MIN_CHECKED_NEED,
  INTERACTIVE_MAX_TTFT_S,
  MIN_CONFIDENT_REQUESTS,
  TIER_MIN_FRONTIER: TIER_MIN_CAPABILITY_INDEX.frontier,
  TIER_MIN_MID: TIER_MIN_CAPABILITY_INDEX.mid,
  TIER_MIN_EFFICIENT: TIER_MIN_CAPABILITY_INDEX.efficient,
};

/** Every classified feature's profile buckets and assessment (the pure core on DuckDB aggregates). */
export async function assessFeatures(
  db: PnyxDb,
  opts: Pick<ReportOptions, 'catalog' | 'config' | 'feature' | 'aggregates'> & { asOf: string },
): Promise<{ facts: FeatureFacts[]; assessed: { facts: FeatureFacts; buckets: StoredBucket[]; assessment: FeatureAssessment }[]; unclassified: string[] }> {
  const source = opts.aggregates === 'live' ? 'live' : await currentAggregates(db, opts.aggregates);
  const facts = (await featureFacts(db, source)).filter((f) => !opts.feature || f.feature === opts.feature);
  const buckets = await profileBuckets(db, opts.feature, source);
  const byFeature = new Map<string, StoredBucket[]>();
  for (const b of buckets) {
    const list = byFeature.get(b.feature);
    if (list) list.push(b);
    else byFeature.set(b.feature, [b]);
  }
  const assessed = [];
  const unclassified: string[] = [];
  for (const f of facts) {
    const fb = byFeature.get(f.feature) ?? [];
    if (fb.length === 0) {
      unclassified.push(f.feature);
      continue;
    }
    const policy = policyFor(opts.config, f.feature);
    assessed.push({ facts: f, buckets: fb, assessment: assessFeature(f.feature, fb, { catalog: opts.catalog, policy, asOf: opts.asOf, ttftP95Ms: f.ttft_p95_ms }) });
  }
  return { facts, assessed, unclassified };
}

/** Builds the report model: aggregation in DuckDB (profile buckets), decisions in the pure core. */
export async function buildReport(db: PnyxDb, opts: ReportOptions): Promise<Report> {
  const now = opts.now ?? new Date();
  const window = await logWindow(db);
  const days = windowDays(window);
  const { facts, assessed, unclassified } = await assessFeatures(db, { ...opts, asOf: now.toISOString().slice(0, 10) });
  const allRequests = facts.reduce((s, f) => s + f.requests, 0);
  const totalRequests = opts.feature ? await requestCount(db) : allRequests;
  const warnings: string[] = unclassified.map((f) => `${f}: no classified requests (run \`pnyx analyze\` to classify them): no verdict`);
  if (days === null) warnings.push('the logs have no time window of at least an hour (timestamps missing?): monthly costs are not extrapolated');
  const features: FeatureReport[] = [];
  for (const { facts: f, assessment: a } of assessed) {
    const policy = policyFor(opts.config, f.feature);
    const monthly = projectMonthlyCost({
      current_sample_usd: a.sample_cost.current,
      projected_sample_usd: a.sample_cost.projected,
      window,
      // The logs' share of production traffic, times the --sample rate the feature was stored at.
      sample_rate: opts.sampleRate * f.ingest_rate,
    });
    features.push(toFeatureReport(f, a, monthly, totalRequests, [...a.violations, ...costViolations(policy, monthly)]));
  }
  const sum = (pick: (f: FeatureReport) => number | null): number | null =>
    features.reduce<number | null>((s, f) => (s === null || pick(f) === null ? null : s + pick(f)!), 0);
  return {
    schema_version: REPORT_SCHEMA_VERSION,
    generated_at: now.toISOString(),
    catalog: { source: opts.catalog.source, snapshot_date: opts.catalog.snapshot_date, models: opts.catalog.models.length },
    window: { from: window.from?.toISOString() ?? null, to: window.to?.toISOString() ?? null, days },
    sample_rate: opts.sampleRate,
    config: opts.configPath,
    thresholds: REPORT_THRESHOLDS,
    totals: {
      requests: allRequests,
      features: features.length,
      monthly_cost: { current: sum((f) => f.monthly_cost.current), projected: sum((f) => f.monthly_cost.projected) },
    },
    features,
    warnings,
  };
}

/** The report's inputs but the catalog, which reportFromDatabase loads only when it has to. */
export interface ReportRequest extends Omit<ReportOptions, 'catalog'> {
  /** Catalog snapshot: a date, `#id` or `latest` (default: loadCatalog's). */
  snapshot?: string;
}

/**
 * The report of the database, reusing a stored one when every input is the same: the stored
 * aggregates (current: see src/db/reportCache.ts), the catalog's stored rows, the config and its
 * path, sample rate, feature, the day (model states depend on it) and this build of pnyx. Only
 * generated_at is then new. Used only where the aggregates are stored (a large database, or
 * `aggregates: 'cached'`) and the database is writable; anything else builds the report afresh.
 */
export async function reportFromDatabase(db: PnyxDb, req: ReportRequest): Promise<{ report: Report; reused: boolean }> {
  const now = req.now ?? new Date();
  const snapshot = db.readOnly || !(await ensureBundledCatalog(db)) ? undefined : req.snapshot ? await findSnapshot(db, req.snapshot) : await currentSnapshot(db);
  const source = req.aggregates === 'live' ? 'live' : await currentAggregates(db, req.aggregates);
  let key: string | null = null;
  if (source === 'cached' && snapshot && !db.readOnly) {
    key = createHash('sha256')
      .update(
        JSON.stringify({
          build: buildIdentity(),
          data: await dataGuard(db),
          catalog: await catalogIdentity(db, snapshot),
          config: req.config,
          configPath: req.configPath,
          sampleRate: req.sampleRate,
          feature: req.feature ?? null,
          asOf: now.toISOString().slice(0, 10),
        }),
      )
      .digest('hex');
    const stored = await storedReport(db, key);
    if (stored !== null) {
      const report = JSON.parse(stored) as Report;
      report.generated_at = now.toISOString();
      return { report, reused: true };
    }
  }
  const catalog = await loadCatalog(db, { snapshot: req.snapshot });
  const report = await buildReport(db, { ...req, catalog, now, aggregates: source });
  if (key !== null) {
    const json = losslessJson(report);
    if (json !== null) await storeReport(db, key, json);
  }
  return { report, reused: false };
}

/** The report as JSON when parsing it back gives the same values (no NaN, infinities or -0), else null. */
function losslessJson(report: Report): string | null {
  let lossless = true;
  const json = JSON.stringify(report, (_k, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) lossless = false;
    return v;
  });
  return lossless ? json : null;
}

const pct = (v: number): string => `${Math.round(v * 100)}%`;

function recommendationSummary(a: FeatureAssessment): string {
  if (a.routes.length === 0) return 'no catalog model meets the needs under the policy';
  if (a.strategy === 'dynamic') return `route dynamically: ${a.routes.map((r) => `${pct(r.share)} → ${r.tier} ${r.model}`).join(', ')}`;
  const r = a.routes[0]!;
  if (a.verdict === 'well-matched') {
    return a.current_models.some((m) => m.model === r.model) ? `keep ${r.model}` : `keep the tier: move to ${r.model} (${r.tier})`;
  }
  return `switch to ${r.tier} ${r.model}`;
}

function qualitySummary(a: FeatureAssessment): string {
  const parts: string[] = [];
  for (const q of a.quality) {
    if (q.short_share_assigned > 0 || q.short_share_projected > 0) {
      parts.push(`${q.capability}: ${pct(q.short_share_assigned)} of requests short today → ${pct(q.short_share_projected)} after`);
    } else if (q.headroom !== null && q.change !== null) {
      parts.push(`${q.capability}: headroom ${q.headroom >= 0 ? '+' : ''}${q.headroom.toFixed(2)} at p90 need, score ${q.change >= 0 ? '+' : ''}${q.change.toFixed(2)}`);
    }
  }
  return parts.length ? parts.join('; ') : 'no capability need above the checked level';
}

export function toFeatureReport(
  f: FeatureFacts,
  a: FeatureAssessment,
  monthly: ReturnType<typeof projectMonthlyCost>,
  totalRequests: number,
  violations: FeatureReport['violations'],
): FeatureReport {
  const needDistribution = {} as FeatureReport['profile_summary']['need_distribution'];
  for (const c of CAPABILITIES) needDistribution[c] = a.need_distribution[c];
  return {
    feature: f.feature,
    requests: f.requests,
    classified: f.classified,
    share: totalRequests ? f.requests / totalRequests : 0,
    current_models: a.current_models,
    profile_summary: { ...f.profile, metadata_only_share: a.metadata_only_share, need_distribution: needDistribution },
    verdict: a.verdict,
    verdict_shares: a.shares,
    recommendation: { strategy: a.strategy, routes: a.routes, summary: recommendationSummary(a) },
    monthly_cost: { ...monthly, ingest_sample_rate: f.ingest_rate, current_logged_share: a.sample_cost.current_logged_share },
    quality: { capabilities: a.quality, deficits: a.deficits, summary: qualitySummary(a) },
    confidence: a.confidence,
    model_states: a.model_states,
    violations,
    warnings: f.classified < f.requests ? [`${f.requests - f.classified} requests not classified yet`, ...a.warnings] : a.warnings,
  };
}
