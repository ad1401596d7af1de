import { z } from 'zod';
import type { CatalogModel, ModelPricing, PriceOverride } from './types.js';

/**
 * OpenRouter `GET /api/v1/models` at the edge: strict on the shape pnyx relies on (a `data`
 * array of objects with an id, a name and a pricing object of price strings), tolerant of every
 * field OpenRouter adds later (`z.looseObject` keeps them). Prices are USD per token as decimal
 * strings: "0" = free, "-1" or a missing prompt/completion price = unknown.
 */

/** A price as OpenRouter writes it: a decimal string. A number here is schema drift. */
const PriceString = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'price must be a decimal string like "0.000003"');

/**
 * One entry of `pricing.overrides`. Prompt-size tiers carry `min_prompt_tokens`; OpenRouter also
 * publishes time-of-day windows (`utc_start`/`utc_end`, e.g. deepseek-v4-pro in 2026-08): those
 * are kept in the raw JSON but not applied to cost (the base price is used).
 */
const PriceOverrideSchema = z.looseObject({
  min_prompt_tokens: z.number().int().nonnegative().optional(),
  prompt: PriceString.optional(),
  completion: PriceString.optional(),
  input_cache_read: PriceString.optional(),
  input_cache_write: PriceString.optional(),
});

export const OpenRouterPricingSchema = z.looseObject({
  prompt: PriceString.optional(),
  completion: PriceString.optional(),
  request: PriceString.optional(),
  image: PriceString.optional(),
  web_search: PriceString.optional(),
  internal_reasoning: PriceString.optional(),
  input_cache_read: PriceString.optional(),
  input_cache_write: PriceString.optional(),
  overrides: z.array(PriceOverrideSchema).optional(),
});

const nullableString = z.string().nullable().optional();
const nullableCount = z.number().int().nonnegative().nullable().optional();

export const OpenRouterModelSchema = z.looseObject({
  id: z.string().min(1),
  canonical_slug: nullableString,
  name: z.string(),
  created: z.number().nullable().optional(),
  context_length: nullableCount,
  architecture: z
    .looseObject({
      modality: nullableString,
      input_modalities: z.array(z.string()).nullable().optional(),
      output_modalities: z.array(z.string()).nullable().optional(),
      tokenizer: nullableString,
    })
    .nullable()
    .optional(),
  pricing: OpenRouterPricingSchema,
  top_provider: z
    .looseObject({
      context_length: nullableCount,
      max_completion_tokens: nullableCount,
      is_moderated: z.boolean().nullable().optional(),
    })
    .nullable()
    .optional(),
  supported_parameters: z.array(z.string()).nullable().optional(),
  expiration_date: nullableString,
  knowledge_cutoff: nullableString,
  reasoning: z
    .looseObject({
      mandatory: z.boolean().nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type OpenRouterModel = z.infer<typeof OpenRouterModelSchema>;

export const OpenRouterModelsResponseSchema = z.looseObject({
  data: z.array(OpenRouterModelSchema),
});
export type OpenRouterModelsResponse = z.infer<typeof OpenRouterModelsResponseSchema>;

/** Describes the first problem of a failed parse in one line: `data[3].pricing.prompt: ...`. */
export function describeSchemaError(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid response';
  const path = issue.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
  const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problems)` : '';
  return `${path || '(root)'}: ${issue.message}${more}`;
}

export type ParseResult = { ok: true; response: OpenRouterModelsResponse } | { ok: false; error: string };

/** Validates a parsed JSON value as a /models response. */
export function parseOpenRouterResponse(json: unknown): ParseResult {
  const r = OpenRouterModelsResponseSchema.safeParse(json);
  if (!r.success) return { ok: false, error: describeSchemaError(r.error) };
  const seen = new Set<string>();
  for (const [i, m] of r.data.data.entries()) {
    if (seen.has(m.id)) return { ok: false, error: `data[${i}].id: duplicate model id ${m.id}` };
    seen.add(m.id);
  }
  return { ok: true, response: r.data };
}

/** A price string as a number: null for missing or negative ("-1" = unknown). */
export function parsePrice(s: string | undefined): number | null {
  if (s === undefined) return null;
  const v = Number(s);
  return Number.isFinite(v) && v >= 0 ? v : null;
}

function mapOverride(o: z.infer<typeof PriceOverrideSchema> & { min_prompt_tokens: number }): PriceOverride {
  const out: PriceOverride = { min_prompt_tokens: o.min_prompt_tokens };
  for (const k of ['prompt', 'completion', 'input_cache_read', 'input_cache_write'] as const) {
    const v = parsePrice(o[k]);
    if (v !== null) out[k] = v;
  }
  return out;
}

export function mapPricing(p: z.infer<typeof OpenRouterPricingSchema>): ModelPricing {
  const prompt = parsePrice(p.prompt);
  const completion = parsePrice(p.completion);
  return {
    prompt: prompt ?? 0,
    completion: completion ?? 0,
    request: parsePrice(p.request) ?? 0,
    image: parsePrice(p.image) ?? 0,
    web_search: parsePrice(p.web_search) ?? 0,
    internal_reasoning: parsePrice(p.internal_reasoning) ?? 0,
    input_cache_read: parsePrice(p.input_cache_read),
    input_cache_write: parsePrice(p.input_cache_write),
    overrides: (p.overrides ?? [])
      .filter((o): o is typeof o & { min_prompt_tokens: number } => typeof o.min_prompt_tokens === 'number')
      .map(mapOverride)
      .sort((a, b) => a.min_prompt_tokens - b.min_prompt_tokens),
    unknown: prompt === null || completion === null,
  };
}

function isoDateFromSeconds(s: number | null | undefined): string | null {
  if (s === null || s === undefined || !Number.isFinite(s) || s <= 0) return null;
  return new Date(s * 1000).toISOString().slice(0, 10);
}

/** Maps one validated OpenRouter model to pnyx's CatalogModel. Pure. */
export function toCatalogModel(m: OpenRouterModel): CatalogModel {
  const params = m.supported_parameters ?? [];
  const reasoningSupported = params.includes('reasoning') || params.includes('include_reasoning') || Boolean(m.reasoning);
  return {
    id: m.id,
    canonical_slug: m.canonical_slug || null,
    name: m.name,
    created: isoDateFromSeconds(m.created),
    context_length: m.context_length ?? m.top_provider?.context_length ?? null,
    max_completion_tokens: m.top_provider?.max_completion_tokens ?? null,
    input_modalities: m.architecture?.input_modalities ?? modalitiesFromString(m.architecture?.modality, 0),
    output_modalities: m.architecture?.output_modalities ?? modalitiesFromString(m.architecture?.modality, 1),
    pricing: mapPricing(m.pricing),
    supported_parameters: [...params],
    is_moderated: m.top_provider?.is_moderated ?? null,
    expiration_date: m.expiration_date || null,
    knowledge_cutoff: m.knowledge_cutoff || null,
    reasoning: { supported: reasoningSupported, mandatory: Boolean(m.reasoning?.mandatory) },
  };
}

/** Old snapshots only carry `modality: "text+image->text"`. */
function modalitiesFromString(modality: string | null | undefined, side: 0 | 1): string[] {
  if (!modality || !modality.includes('->')) return ['text'];
  return (modality.split('->')[side] ?? 'text').split('+').filter(Boolean);
}

/** The provider part of an OpenRouter id: `openai/gpt-5` → `openai`. */
export function providerOf(id: string): string {
  const s = id.replace(/^~/, '');
  const i = s.indexOf('/');
  return i < 0 ? s : s.slice(0, i);
}

/**
 * The catalog id a logged model name stands for: the exact id, else a unique match of the id
 * without its provider (`gpt-5` → `openai/gpt-5`), else of the canonical slug (with or without
 * provider, e.g. `gpt-5-2025-08-07`), preferring plain ids over `:batch`/`:free` variants. Null
 * when nothing or more than one model matches.
 * The same rules as the SQL join of `pnyx catalog diff` (src/db/catalogDiff.ts).
 */
export function resolveModelId(models: readonly Pick<CatalogModel, 'id' | 'canonical_slug'>[], name: string): string | null {
  const n = name.trim();
  if (models.some((m) => m.id === n)) return n;
  const strip = (s: string): string => s.replace(/^[^/]*\//, '');
  for (const key of [(m: Pick<CatalogModel, 'id' | 'canonical_slug'>) => strip(m.id), (m: Pick<CatalogModel, 'id' | 'canonical_slug'>) => m.canonical_slug ?? '', (m: Pick<CatalogModel, 'id' | 'canonical_slug'>) => strip(m.canonical_slug ?? '')]) {
    const all = models.filter((m) => key(m) === n);
    // `openai/gpt-5` and `openai/gpt-5:batch` share a slug: the plain id is the one logged.
    const hits = all.length > 1 ? all.filter((m) => !m.id.includes(':')) : all;
    if (hits.length === 1) return (hits[0] as { id: string }).id;
    if (all.length > 0) return null;
  }
  return null;
}
