import type { CanonicalRequest } from '../request.js';
import { resolveAttribution } from './attribution.js';
import { readChatBody } from './chat.js';
import {
  MAX_COST_PER_REQUEST_USD,
  MAX_LATENCY_MS,
  getPath,
  isObject,
  optNumber,
  optString,
  optTimestamp,
  optTokens,
  parseJsonish,
  requireShape,
  withLowercaseKeys,
  type JsonObject,
} from './fields.js';
import type { AdapterContext, FieldMapping, LogAdapter } from './types.js';

/**
 * Helicone request exports (`npx @helicone/export`, JSON / JSONL / CSV): the rows of Helicone's
 * request query (`request_id`, `request_created_at`, `request_body`, `response_body`,
 * `request_model`, `response_model`, `provider`, `delay_ms`, `time_to_first_token`, token counts,
 * `costUSD`, `request_properties`, `request_user_id`). Without `--include-body` the bodies are
 * absent or empty. The exporter's CSV has a reduced column set (`response_id`, `model`, `latency`,
 * `cost_usd`/`cost`) and doubles the quotes inside object cells once too often; both are read.
 * Custom properties come from `Helicone-Property-<Name>` headers; their keys are matched
 * case-insensitively (the proxy stores header names lower-cased).
 */

const HELICONE_MAPPING: FieldMapping = {
  feature: ['request_properties.feature', 'request_properties.app', 'request_properties.appname', 'properties.feature'],
  tenant: ['request_properties.tenant_id', 'request_properties.tenant', 'request_properties.customer_id', 'request_properties.organization', 'properties.tenant_id'],
  user: ['request_user_id', 'request_properties.user_id'],
};

const OBJECT_CELLS = ['request_body', 'response_body', 'request_properties', 'properties', 'scores', 'asset_urls'] as const;

const isHeliconeRow = (r: JsonObject): boolean =>
  'request_created_at' in r && ('request_properties' in r || 'response_status' in r || 'request_body' in r) &&
  (typeof r.request_id === 'string' || typeof r.response_id === 'string');

export const heliconeAdapter: LogAdapter = {
  name: 'helicone',
  description: 'Helicone request export (@helicone/export JSON/JSONL/CSV): {request_id, request_created_at, request_body, request_properties, delay_ms, costUSD, ...}',
  defaultMapping: HELICONE_MAPPING,
  bodiesHint: 'Helicone exports omit prompts unless asked: run `npx @helicone/export --include-body ...` for a full analysis.',
  detect: isHeliconeRow,
  normalize(record: JsonObject, ctx: AdapterContext): CanonicalRequest {
    requireShape(isHeliconeRow(record), record, 'a Helicone export row (request_id/response_id, request_created_at, request_body/request_properties)');
    const row: JsonObject = { ...record };
    for (const c of OBJECT_CELLS) if (c in row) row[c] = parseJsonish(row[c]);
    row.request_properties = withLowercaseKeys(row.request_properties) ?? row.request_properties;
    row.properties = withLowercaseKeys(row.properties) ?? row.properties;

    const reqBody = isObject(row.request_body) ? row.request_body : {};
    const body = readChatBody({ b: reqBody }, 'b');
    const status = optString(row, ['response_status']);
    const statusCode = status !== null && /^\d+$/.test(status) ? Number(status) : null;
    const errValue = getPath(row, 'response_body.error.message') ?? getPath(row, 'response_body.error');
    const error = statusCode !== null && statusCode >= 400 && errValue !== undefined && errValue !== null
      ? typeof errValue === 'string' ? errValue : JSON.stringify(errValue)
      : null;

    const metadata: JsonObject = {};
    for (const k of ['request_path', 'country_code', 'prompt_id', 'request_properties', 'cache_reference_id', 'target_url', 'scores']) {
      if (row[k] !== undefined && row[k] !== null && row[k] !== '') metadata[k] = row[k];
    }
    const resUsage = 'response_body.usage';
    return {
      request_id: optString(row, ['request_id', 'response_id']) ?? ctx.contentHash,
      timestamp: optTimestamp(row, ['request_created_at', 'response_created_at']),
      ...resolveAttribution(row, ctx.mapping),
      requested_model: optString(row, ['request_model', 'model_override', 'model', 'request_body.model']),
      served_model: optString(row, ['response_model', 'response_body.model', 'model']),
      provider: optString(row, ['provider']),
      ...body,
      prompt_tokens: optTokens(row, ['prompt_tokens', `${resUsage}.prompt_tokens`, `${resUsage}.input_tokens`]),
      completion_tokens: optTokens(row, ['completion_tokens', `${resUsage}.completion_tokens`, `${resUsage}.output_tokens`]),
      reasoning_tokens: optTokens(row, [`${resUsage}.completion_tokens_details.reasoning_tokens`]),
      cached_tokens: optTokens(row, ['prompt_cache_read_tokens', `${resUsage}.prompt_tokens_details.cached_tokens`, `${resUsage}.cache_read_input_tokens`]),
      cost_usd: optNumber(row, ['costUSD', 'cost_usd', 'cost'], { max: MAX_COST_PER_REQUEST_USD }),
      latency_ms: optNumber(row, ['delay_ms', 'latency'], { max: MAX_LATENCY_MS }),
      ttft_ms: optNumber(row, ['time_to_first_token'], { max: MAX_LATENCY_MS }),
      finish_reason: optString(row, ['response_body.choices.0.finish_reason', 'response_body.stop_reason']),
      status,
      error,
      metadata,
      source_format: 'helicone',
    };
  },
};
