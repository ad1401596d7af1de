import { z } from 'zod';
import type { MappingOverride } from './adapters/types.js';

/**
 * The `ingest` section of `pnyx.config.json|yaml`: where feature, tenant and user live in the
 * logs (for every format, or per format), and request logs to join metadata-only records with.
 * Other top-level sections belong to other stages and pass through untouched.
 */
const PathList = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : [v]));

export const FieldOverrideSchema = z
  .object({ feature: PathList.optional(), tenant: PathList.optional(), user: PathList.optional() })
  .strict();

export const IngestConfigSchema = z
  .object({
    /** Dotted paths for every format; a list replaces the format's defaults. */
    fields: FieldOverrideSchema.optional(),
    /** Per format (`litellm`, `langfuse`, ...): wins over `fields`. */
    formats: z.record(z.string(), FieldOverrideSchema).optional(),
    /**
     * Renames of resolved feature names, e.g. `{"openrouter-app-184201": "email_autocomplete"}`:
     * for gateways that log only an app id or a team alias.
     */
    feature_names: z.record(z.string().min(1), z.string().min(1)).optional(),
    /** Request log(s) with prompt bodies to join metadata-only records with (paths relative to the config file). */
    join: z.union([z.string().min(1), z.array(z.string().min(1))]).transform((v) => (Array.isArray(v) ? v : [v])).optional(),
  })
  .strict();
export type IngestConfig = z.infer<typeof IngestConfigSchema>;

export const ConfigFileSchema = z.object({ ingest: IngestConfigSchema.optional() }).passthrough();

/** Flags win over the config file: `--feature-field` replaces `ingest.fields.feature`. */
export function mappingOverrides(config: IngestConfig | undefined, featureFlag: string[] | undefined): {
  all?: MappingOverride;
  formats?: Record<string, MappingOverride>;
} {
  const all: MappingOverride = { ...config?.fields };
  const formats: Record<string, MappingOverride> = {};
  for (const [name, o] of Object.entries(config?.formats ?? {})) formats[name] = { ...o };
  if (featureFlag && featureFlag.length > 0) {
    all.feature = featureFlag;
    for (const o of Object.values(formats)) delete o.feature;
  }
  return { all, formats };
}
