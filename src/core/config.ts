import { z } from 'zod';
import { IngestConfigSchema } from './ingestConfig.js';

/**
 * The config file, `pnyx.config.json` or `pnyx.config.yaml` (looked up in the working directory,
 * or named with `--config`): the routing policy, the sample rate, and the `ingest` section. A policy block applies globally (`policy`) and per feature
 * (`features.<name>`); a feature's block overrides the global one field by field.
 * `schemas/pnyx.config.schema.json` is generated from this schema (npm run schemas).
 */
export const RoutingPolicySchema = z
  .object({
    quality_floor: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Minimum catalog `general` score (0..1) of the assigned and of any recommended model.'),
    latency_slo_p95_ttft_ms: z
      .number()
      .positive()
      .optional()
      .describe('Latency SLO: p95 time to first token in ms. Checked on the logged TTFT; recommended models must have a median TTFT within it.'),
    allowed_providers: z.array(z.string().min(1)).optional().describe('Only these providers (the part of a model id before "/") may be recommended.'),
    blocked_providers: z.array(z.string().min(1)).optional().describe('These providers are never recommended.'),
    allowed_models: z.array(z.string().min(1)).optional().describe('Only these model ids may be recommended.'),
    blocked_models: z.array(z.string().min(1)).optional().describe('These model ids are never recommended.'),
    zero_data_retention: z
      .boolean()
      .optional()
      .describe('Requires providers with zero data retention. The bundled catalog has no retention facts: reported as unverifiable.'),
    regions: z
      .array(z.string().min(1))
      .optional()
      .describe('Allowed data regions (e.g. "eu", "us"). The bundled catalog has no region facts: reported as unverifiable.'),
    max_monthly_cost_usd: z.number().nonnegative().optional().describe('Budget: projected monthly cost above this is a violation.'),
  })
  .strict();
export type RoutingPolicy = z.infer<typeof RoutingPolicySchema>;

export const PnyxConfigSchema = z
  .object({
    $schema: z.string().optional(),
    sample_rate: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe('Share of production traffic the logs hold (0.01 = 1% sampled); `--sample-rate` overrides it.'),
    policy: RoutingPolicySchema.optional().describe('Policy for every feature.'),
    features: z.record(z.string(), RoutingPolicySchema).optional().describe('Per-feature policy, by exact feature name; overrides `policy` field by field.'),
    ingest: IngestConfigSchema.optional().describe('Where feature, tenant and user live in the logs, feature renames, and request logs to join (see README "Gateway formats").'),
  })
  .strict();
export type PnyxConfig = z.infer<typeof PnyxConfigSchema>;

/** The policy in force for one feature: the feature's block over the global one. */
export function policyFor(config: PnyxConfig, feature: string): RoutingPolicy {
  return { ...(config.policy ?? {}), ...(config.features?.[feature] ?? {}) };
}

/** Validates a parsed config object; the message names every bad field. */
export function parseConfig(raw: unknown, source: string): { ok: true; config: PnyxConfig } | { ok: false; message: string } {
  const r = PnyxConfigSchema.safeParse(raw ?? {});
  if (r.success) return { ok: true, config: r.data };
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, message: `${source}: invalid config: ${issues}` };
}

/** JSON Schema of the config file, for editors. */
export function configJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(PnyxConfigSchema, { target: 'draft-2020-12', io: 'input' }), title: 'pnyx routing policy (pnyx.config.json / .yaml)' };
}
