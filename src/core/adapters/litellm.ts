import type { CanonicalRequest, ChatMessage } from '../request.js';
import { resolveAttribution } from './attribution.js';
import { readChatBody, type ChatBodyFields } from './chat.js';
import {
  MAX_COST_PER_REQUEST_USD,
  MAX_LATENCY_MS,
  getPath,
  isObject,
  msBetween,
  optNumber,
  optString,
  optTimestamp,
  optTokens,
  parseJsonish,
  readMessages,
  requireShape,
  type JsonObject,
} from './fields.js';
import type { AdapterContext, FieldMapping, LogAdapter } from './types.js';

/**
 * LiteLLM proxy spend logs: rows of the `LiteLLM_SpendLogs` table (schema.prisma in BerriAI/litellm),
 * exported with psql as CSV or from `/spend/logs` as JSON. JSON columns (`metadata`,
 * `request_tags`, `messages`, `response`, `proxy_server_request`) may arrive as objects or as
 * JSON text. `messages`/`response` default to `{}` and only hold content when the proxy runs
 * with `store_prompts_in_spend_logs: true`.
 */

const LITELLM_MAPPING: FieldMapping = {
  feature: [
    'metadata.spend_logs_metadata.feature',
    'metadata.feature',
    'request_tags',
    'metadata.tags',
    'metadata.user_api_key_team_alias',
  ],
  tenant: [
    'metadata.spend_logs_metadata.tenant_id',
    'metadata.spend_logs_metadata.tenant',
    'metadata.spend_logs_metadata.customer_id',
    // LiteLLM's "customer": the `user` field of the OpenAI request, tracked as end_user.
    'end_user',
  ],
  user: ['metadata.spend_logs_metadata.user_id', 'user', 'metadata.user_api_key_user_id'],
};

const JSON_COLUMNS = ['metadata', 'request_tags', 'messages', 'response', 'proxy_server_request'] as const;

/** Columns that have no canonical field but matter to a reader of the report. */
const METADATA_COLUMNS = ['call_type', 'model_id', 'api_base', 'cache_hit', 'team_id', 'organization_id', 'session_id', 'request_tags', 'mcp_namespaced_tool_name', 'agent_id'] as const;

/** The stored prompt: `messages` holds the request's messages (or a bare prompt string) when prompt storage is on. */
function storedMessages(v: unknown): ChatMessage[] | null {
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    // Embedding and text-completion calls store their input as a list of strings.
    if (v.every((x) => typeof x === 'string')) return [{ role: 'user', content: v.join('\n'), attachments: 0 }];
    return readMessages(v, 'messages');
  }
  if (typeof v === 'string' && v.trim() !== '' && v.trim() !== '{}') return [{ role: 'user', content: v, attachments: 0 }];
  if (isObject(v) && Array.isArray(v.messages)) return readMessages(v.messages, 'messages.messages');
  return null;
}

function readBody(row: JsonObject): ChatBodyFields | null {
  const psr = row.proxy_server_request;
  if (!isObject(psr) || Object.keys(psr).length === 0) return null;
  return readChatBody(row, 'proxy_server_request');
}

const isSpendLog = (r: JsonObject): boolean =>
  typeof r.request_id === 'string' && 'call_type' in r && ('spend' in r || 'startTime' in r);

export const litellmAdapter: LogAdapter = {
  name: 'litellm',
  description: 'LiteLLM proxy spend logs (LiteLLM_SpendLogs table or /spend/logs): {request_id, call_type, spend, startTime, model_group, metadata, ...}',
  defaultMapping: LITELLM_MAPPING,
  bodiesHint:
    'LiteLLM stores no prompts in spend logs by default: set `general_settings: store_prompts_in_spend_logs: true` in the proxy config (or Logs → Settings in the admin UI), then export again; only requests made after the change carry bodies.',
  detect: isSpendLog,
  normalize(record: JsonObject, ctx: AdapterContext): CanonicalRequest {
    requireShape(isSpendLog(record), record, 'a LiteLLM spend-log row (request_id, call_type, spend/startTime)');
    const row: JsonObject = { ...record };
    for (const c of JSON_COLUMNS) if (c in row) row[c] = parseJsonish(row[c]);
    if (isObject(row.metadata)) {
      const md: JsonObject = { ...row.metadata };
      for (const k of ['spend_logs_metadata', 'additional_usage_values', 'usage_object', 'error_information']) if (k in md) md[k] = parseJsonish(md[k]);
      row.metadata = md;
    }

    const body = readBody(row);
    const stored = storedMessages(row.messages);
    let messages = stored ?? body?.messages ?? [];
    let system = body?.system_prompt ?? null;
    // The stored messages still hold the system turn; the canonical shape keeps it apart.
    if (stored && messages[0]?.role === 'system') {
      system ??= messages[0].content;
      messages = messages.slice(1);
    }
    const hasText = stored !== null || body?.has_prompt_text === true;

    const usage = ['metadata.usage_object', 'metadata.additional_usage_values', 'response.usage'];
    const under = (suffixes: string[]) => usage.flatMap((u) => suffixes.map((s) => `${u}.${s}`));
    const status = optString(row, ['status', 'metadata.status']);
    const errorInfo = getPath(row, 'metadata.error_information');
    const error = status === 'failure' && isObject(errorInfo) ? optString(errorInfo, ['error_message', 'error_class']) : null;

    const metadata: JsonObject = isObject(row.metadata) ? { ...row.metadata } : {};
    for (const k of METADATA_COLUMNS) if (row[k] !== undefined && row[k] !== null && row[k] !== '') metadata[k] = row[k];

    return {
      request_id: optString(row, ['request_id']) ?? ctx.contentHash,
      timestamp: optTimestamp(row, ['startTime', 'start_time']),
      ...resolveAttribution(row, ctx.mapping),
      // model_group is the public name the caller asked for; model is the deployment that served it.
      requested_model: optString(row, ['model_group', 'model']),
      served_model: optString(row, ['model', 'model_group']),
      provider: optString(row, ['custom_llm_provider']),
      system_prompt: system,
      messages,
      has_prompt_text: hasText,
      tools: body?.tools ?? null,
      response_format: body?.response_format ?? null,
      max_tokens: body?.max_tokens ?? null,
      temperature: body?.temperature ?? null,
      stream: body?.stream ?? null,
      prompt_tokens: optTokens(row, ['prompt_tokens']),
      completion_tokens: optTokens(row, ['completion_tokens']),
      reasoning_tokens: optTokens(row, under(['completion_tokens_details.reasoning_tokens'])),
      cached_tokens: optTokens(row, under(['prompt_tokens_details.cached_tokens', 'cache_read_input_tokens'])),
      cost_usd: optNumber(row, ['spend'], { max: MAX_COST_PER_REQUEST_USD }),
      latency_ms: optNumber(row, ['request_duration_ms'], { max: MAX_LATENCY_MS }) ?? msBetween(row, ['startTime'], ['endTime']),
      ttft_ms: msBetween(row, ['startTime'], ['completionStartTime']),
      finish_reason: optString(row, ['response.choices.0.finish_reason', 'response.stop_reason']),
      status,
      error,
      metadata,
      source_format: 'litellm',
    };
  },
};
