import type { CanonicalRequest } from '../request.js';
import { DEFAULT_TENANT_PATHS, resolveAttribution } from './attribution.js';
import {
  MAX_COST_PER_REQUEST_USD,
  MAX_LATENCY_MS,
  getPath,
  isObject,
  optBoolean,
  optNumber,
  optString,
  optTimestamp,
  optTokens,
  requireShape,
  type JsonObject,
} from './fields.js';
import type { AdapterContext, FieldMapping, LogAdapter } from './types.js';

/**
 * OpenRouter generation records, as `GET /api/v1/generation?id=` returns them: `{data: {...}}`
 * or the bare `data` object. Field names per the OpenRouter API reference (snake_case on the
 * wire); the camelCase spelling of the official TypeScript SDK (`tokensPrompt`, `providerName`)
 * is read too. These records carry no prompt text: `has_prompt_text` is false unless a request
 * log is joined on the generation id (`pnyx analyze --join`).
 */

/** snake_case wire name → camelCase SDK name. */
function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The generation object with every field under its snake_case name, plus the envelope's extras. */
function generationView(record: JsonObject): JsonObject {
  const inner = isObject(record.data) ? record.data : record;
  const envelope: JsonObject = { ...record };
  delete envelope.data;
  const view: JsonObject = { ...envelope, ...inner };
  for (const [k, v] of Object.entries(inner)) {
    const snake = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (snake !== k && !(snake in view)) view[snake] = v;
  }
  const appId = view.app_id;
  if ((typeof appId === 'number' || (typeof appId === 'string' && appId !== '')) && view.app_id_label === undefined) {
    view.app_id_label = `openrouter-app-${appId}`;
  }
  return view;
}

const OPENROUTER_MAPPING: FieldMapping = {
  // The generation record has no feature field and only the numeric app id (one X-Title app per
  // feature is the OpenRouter way to attribute); a request log joined in can name the feature.
  feature: ['feature', 'metadata.feature', 'app_name', 'x_title', 'app_id_label'],
  tenant: DEFAULT_TENANT_PATHS,
  user: ['external_user', 'user', 'user_id'],
};

/** Fields kept in `metadata`: what the report may want that has no canonical column. */
const METADATA_FIELDS = [
  'app_id',
  'upstream_id',
  'router',
  'data_region',
  'origin',
  'http_referer',
  'api_type',
  'is_byok',
  'service_tier',
  'tokens_prompt',
  'tokens_completion',
  'generation_time',
  'moderation_latency',
  'native_finish_reason',
  'cache_discount',
  'upstream_inference_cost',
  'num_media_prompt',
  'num_media_completion',
  'num_input_audio_prompt',
  'num_search_results',
  'provider_responses',
] as const;

function isGeneration(r: JsonObject): boolean {
  const g = isObject(r.data) ? r.data : r;
  const has = (name: string) => name in g || camel(name) in g;
  return typeof (g.id ?? null) === 'string' && typeof g.model === 'string' &&
    (has('tokens_prompt') || has('native_tokens_prompt') || (has('provider_name') && has('generation_time')));
}

export const openrouterAdapter: LogAdapter = {
  name: 'openrouter',
  description: 'OpenRouter generation records (GET /api/v1/generation): {data:{id, model, tokens_prompt, native_tokens_*, total_cost, latency, ...}}',
  defaultMapping: OPENROUTER_MAPPING,
  bodiesHint:
    'OpenRouter generation records carry no prompt text: join your own request log on the generation id, e.g. `pnyx analyze generations.jsonl --join requests.jsonl` (README, "Gateway exports").',
  detect: isGeneration,
  normalize(record: JsonObject, ctx: AdapterContext): CanonicalRequest {
    requireShape(isGeneration(record), record, 'an OpenRouter generation record (id, model, tokens_prompt/native_tokens_prompt)');
    const g = generationView(record);
    const model = optString(g, ['model']);
    const router = optString(g, ['router']);
    const cancelled = optBoolean(g, ['cancelled']);
    const metadata: JsonObject = {};
    for (const k of METADATA_FIELDS) if (g[k] !== undefined && g[k] !== null) metadata[k] = g[k];
    const extra = getPath(g, 'metadata');
    if (isObject(extra)) Object.assign(metadata, extra);
    return {
      request_id: optString(g, ['id']) ?? ctx.contentHash,
      timestamp: optTimestamp(g, ['created_at']),
      ...resolveAttribution(g, ctx.mapping),
      // `router` is set when the request asked a router (e.g. openrouter/auto) rather than a model.
      requested_model: router ?? model,
      served_model: model,
      provider: optString(g, ['provider_name']),
      system_prompt: null,
      messages: [],
      has_prompt_text: false,
      tools: null,
      response_format: null,
      max_tokens: null,
      temperature: null,
      stream: optBoolean(g, ['streamed']),
      // Native counts are the provider's own (what is billed); the normalized ones are the fallback.
      prompt_tokens: optTokens(g, ['native_tokens_prompt', 'tokens_prompt']),
      completion_tokens: optTokens(g, ['native_tokens_completion', 'tokens_completion']),
      reasoning_tokens: optTokens(g, ['native_tokens_reasoning']),
      cached_tokens: optTokens(g, ['native_tokens_cached']),
      cost_usd: optNumber(g, ['total_cost', 'usage'], { max: MAX_COST_PER_REQUEST_USD }),
      latency_ms: optNumber(g, ['latency'], { max: MAX_LATENCY_MS }),
      ttft_ms: null,
      finish_reason: optString(g, ['finish_reason', 'native_finish_reason']),
      status: cancelled ? 'cancelled' : null,
      error: null,
      metadata,
      source_format: 'openrouter',
    };
  },
};
