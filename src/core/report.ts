import { z } from 'zod';
import { CAPABILITIES } from './catalog/types.js';
import { VERDICTS } from './recommend/assessFeature.js';
import { TIERS } from './recommend/candidates.js';

/**
 * The report model: what `pnyx report` computes, and exactly what `--format json` prints.
 * A public, versioned contract (schemas/report.schema.json is generated from it by
 * `npm run schemas`); every renderer reads this model and nothing else.
 */
export const REPORT_SCHEMA_VERSION = 1;

const share = z.number().min(0).max(1);
const usd = z.number().nullable();
const valueShare = z.object({ value: z.string(), share });

export const RouteSchema = z.object({
  model: z.string(),
  tier: z.enum(TIERS),
  share: share.describe('Share of the feature traffic this route gets.'),
  coverage: share.describe("Share of the route's requests whose needs the model meets."),
  reason: z.string(),
});

export const CapabilityQualitySchema = z.object({
  capability: z.enum(CAPABILITIES),
  need_p50: z.number(),
  need_p90: z.number(),
  assigned: z.number().nullable().describe('Traffic-weighted catalog score of the assigned model(s).'),
  projected: z.number().nullable().describe('Traffic-weighted catalog score of the recommended route models.'),
  change: z.number().nullable().describe('projected - assigned.'),
  headroom: z.number().nullable().describe('assigned - need_p90: positive = headroom, negative = deficit.'),
  short_share_assigned: share,
  short_share_projected: share,
});

export const ModelStateSchema = z.object({
  model: z.string(),
  in_catalog: z.boolean(),
  tier: z.enum(TIERS).nullable(),
  expiration_date: z.string().nullable(),
  expiring: z.boolean(),
  logged_vs_catalog_price: z.number().nullable(),
  repriced: z.boolean(),
  replacement: z.object({ model: z.string(), tier: z.enum(TIERS), reason: z.string() }).nullable(),
  notes: z.array(z.string()),
});

export const FeatureReportSchema = z.object({
  feature: z.string(),
  requests: z.number().int().nonnegative(),
  classified: z.number().int().nonnegative(),
  share: share.describe('Share of all requests.'),
  current_models: z.array(z.object({ model: z.string(), share })),
  profile_summary: z.object({
    task_types: z.array(valueShare),
    domains: z.array(valueShare),
    output_formats: z.array(valueShare),
    reasoning_mean: z.number().nullable(),
    complexity_mean: z.number().nullable(),
    policy_sensitivity_mean: z.number().nullable(),
    latency_sensitivity_mean: z.number().nullable(),
    structured_output_share: z.number().nullable(),
    tools_share: z.number().nullable(),
    context_tokens_p50: z.number().nullable(),
    context_tokens_p95: z.number().nullable(),
    metadata_only_share: share,
    need_distribution: z
      .record(z.enum(CAPABILITIES), z.array(share).length(4))
      .describe('Per capability: share of requests whose need is in [0,.25), [.25,.5), [.5,.75), [.75,1].'),
  }),
  verdict: z.enum(VERDICTS),
  verdict_shares: z
    .object({ under: share, over: share, light: share, fit: share, peer: share })
    .describe('under: short on the assigned model; light: a weaker model 3× cheaper meets the needs; over: light and not short; fit: neither; peer: a model at least as capable and 3× cheaper meets the needs (a price finding).'),
  recommendation: z.object({ strategy: z.enum(['static', 'dynamic']), routes: z.array(RouteSchema), summary: z.string() }),
  monthly_cost: z.object({
    current: usd,
    projected: usd,
    delta: usd,
    delta_pct: z.number().nullable(),
    ingest_sample_rate: z
      .number()
      .describe('The `pnyx analyze --sample` rate the feature\'s requests were stored at (1: all kept); costs scale by 1 / (sample_rate × this). Runs at different rates: n / Σ 1/rate.'),
    current_logged_share: share.describe('Share of requests whose current cost is the logged cost (the rest: catalog price × tokens).'),
    basis: z.string(),
  }),
  quality: z.object({
    capabilities: z.array(CapabilityQualitySchema),
    deficits: z.array(z.object({ capability: z.string(), share })),
    summary: z.string(),
  }),
  confidence: z.object({
    level: z.enum(['high', 'medium', 'low']),
    share,
    interval: z.tuple([z.number(), z.number()]),
    threshold: z.number(),
    direction: z.enum(['above', 'below']),
    requests: z.number().int().nonnegative(),
    metadata_only: z.boolean(),
    basis: z.string(),
  }),
  model_states: z.array(ModelStateSchema),
  violations: z.array(z.object({ rule: z.enum(['blocked', 'not_allowed', 'quality_floor', 'latency_slo', 'max_cost']), model: z.string().nullable(), message: z.string() })),
  warnings: z.array(z.string()),
});
export type FeatureReport = z.infer<typeof FeatureReportSchema>;

export const ReportSchema = z.object({
  schema_version: z.literal(REPORT_SCHEMA_VERSION),
  generated_at: z.string().describe('ISO timestamp.'),
  catalog: z.object({ source: z.string(), snapshot_date: z.string(), models: z.number().int().nonnegative() }),
  window: z.object({ from: z.string().nullable(), to: z.string().nullable(), days: z.number().nullable() }),
  sample_rate: z.number().describe('Share of production traffic the logs hold (--sample-rate, config sample_rate, else 1); --sample at ingest is per feature, monthly_cost.ingest_sample_rate.'),
  config: z.string().nullable().describe('Path of the routing policy file used, or null.'),
  thresholds: z.record(z.string(), z.number()).describe('The named constants behind every verdict.'),
  totals: z.object({
    requests: z.number().int().nonnegative(),
    features: z.number().int().nonnegative(),
    monthly_cost: z.object({ current: usd, projected: usd }),
  }),
  features: z.array(FeatureReportSchema),
  warnings: z.array(z.string()),
});
export type Report = z.infer<typeof ReportSchema>;

export function reportJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(ReportSchema, { target: 'draft-2020-12' }), title: 'pnyx report (pnyx report --format json)' };
}
