import { RecordError } from '../errors.js';
import type { CanonicalRequest, ChatMessage } from '../request.js';
import { resolveAttribution } from './attribution.js';
import {
  MAX_COST_PER_REQUEST_USD,
  MAX_LATENCY_MS,
  getPath,
  isObject,
  lenientTokens,
  msBetween,
  optBoolean,
  optNumber,
  optString,
  optTimestamp,
  parseJsonish,
  readMessages,
  requireShape,
  type JsonObject,
} from './fields.js';
import type { AdapterContext, FieldMapping, LogAdapter } from './types.js';

/**
 * Langfuse observations. Two spellings are read:
 * - the blob-storage export (`observations_v2/` enriched, or legacy `observations/`; Parquet, CSV,
 *   JSON, JSONL): snake_case (`trace_id`, `provided_model_name`, `usage_details`, `cost_details`,
 *   `total_cost`, `latency` and `time_to_first_token` in seconds, `trace_name`, `user_id`, `tags`);
 * - the UI export and public API: camelCase (`traceId`, `providedModelName`/`model`, `usageDetails`
 *   or `usage`, `totalCost`/`calculatedTotalCost`, `startTime`, ...).
 * Only GENERATION observations are model calls; every other type is rejected with that reason,
 * so it is counted, never silently dropped.
 */

const OBSERVATION_TYPES = new Set(['GENERATION', 'SPAN', 'EVENT', 'AGENT', 'TOOL', 'CHAIN', 'RETRIEVER', 'EVALUATOR', 'EMBEDDING', 'GUARDRAIL']);

const LANGFUSE_MAPPING: FieldMapping = {
  feature: ['metadata.feature', 'trace_name', 'traceName', 'tags', 'traceTags'],
  tenant: ['metadata.tenant_id', 'metadata.tenant', 'metadata.customer_id', 'metadata.org_id'],
  user: ['user_id', 'userId', 'metadata.user_id'],
};

/** snake_case or camelCase: both spellings of a field. */
function both(...snake: string[]): string[] {
  return snake.flatMap((s) => [s, s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())]);
}

/** The prompt of a generation: a message list, `{messages: [...]}`, plain text, or other JSON. */
function readInput(input: unknown): { messages: ChatMessage[]; hasText: boolean } {
  const v = parseJsonish(input);
  // Absent, blank or an empty structure: the export did not carry the prompt (not an empty prompt).
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0)) {
    return { messages: [], hasText: false };
  }
  if (Array.isArray(v)) return { messages: readMessages(v, 'input'), hasText: true };
  if (isObject(v) && Array.isArray(v.messages)) return { messages: readMessages(v.messages, 'input.messages'), hasText: true };
  if (typeof v === 'string') return { messages: [{ role: 'user', content: v, attachments: 0 }], hasText: true };
  // Some other structured input (framework-specific): keep it as the text the model saw.
  return { messages: [{ role: 'user', content: JSON.stringify(v), attachments: 0 }], hasText: true };
}

/** Token counts the way Langfuse's own UI sums them: every usage key containing "input" / "output". */
function sumUsage(usage: unknown, part: 'input' | 'output'): number | null {
  if (!isObject(usage)) return null;
  let total: number | null = null;
  for (const [k, v] of Object.entries(usage)) {
    if (!k.toLowerCase().includes(part)) continue;
    const n = lenientTokens({ v }, ['v']);
    if (n !== null) total = (total ?? 0) + n;
  }
  return total;
}

function seconds(obj: JsonObject, paths: string[]): number | null {
  const s = optNumber(obj, paths, { max: MAX_LATENCY_MS / 1000 });
  return s === null ? null : Math.round(s * 1000 * 1000) / 1000;
}

const isObservation = (r: JsonObject): boolean =>
  typeof r.type === 'string' && OBSERVATION_TYPES.has(r.type) && (typeof r.trace_id === 'string' || typeof r.traceId === 'string') &&
  ('start_time' in r || 'startTime' in r);

export const langfuseAdapter: LogAdapter = {
  name: 'langfuse',
  description: 'Langfuse observations (blob-storage export, UI export or public API): {type, trace_id, provided_model_name, usage_details, ...}; generations only',
  defaultMapping: LANGFUSE_MAPPING,
  bodiesHint:
    'Langfuse exports carry prompts in `input`: include the `io` field group in the blob-storage export (or export from the Generations table in the UI) for a full analysis.',
  detect: isObservation,
  normalize(record: JsonObject, ctx: AdapterContext): CanonicalRequest {
    requireShape(isObservation(record), record, 'a Langfuse observation (type, trace_id, start_time)');
    const type = optString(record, ['type']);
    if (type !== 'GENERATION') {
      throw new RecordError('type', `${type ?? 'untyped'} observation is not a model call (only GENERATION observations are analyzed)`);
    }
    const o: JsonObject = { ...record };
    for (const k of both('metadata', 'model_parameters', 'usage_details', 'cost_details', 'tool_definitions', 'tags', 'usage')) {
      if (k in o) o[k] = parseJsonish(o[k]);
    }
    const { messages: all, hasText } = readInput(o.input);
    let messages = all;
    let system: string | null = null;
    if (messages[0]?.role === 'system') {
      system = messages[0].content;
      messages = messages.slice(1);
    }
    const params = isObject(o.model_parameters) ? o.model_parameters : isObject(o.modelParameters) ? o.modelParameters : {};
    const toolDefs = o.tool_definitions ?? o.toolDefinitions ?? getPath(params, 'tools');
    const tools = Array.isArray(toolDefs) ? toolDefs : isObject(toolDefs) && Object.keys(toolDefs).length > 0 ? Object.values(toolDefs) : null;
    const responseFormat = parseJsonish(getPath(params, 'response_format') ?? null);

    const usage = o.usage_details ?? o.usageDetails ?? o.usage;
    const level = optString(o, ['level']);
    const metadata: JsonObject = isObject(o.metadata) ? { ...o.metadata } : {};
    for (const k of both('trace_id', 'session_id', 'environment', 'prompt_name', 'prompt_version', 'level', 'parent_observation_id', 'cost_details')) {
      if (o[k] !== undefined && o[k] !== null && o[k] !== '') metadata[k] = o[k];
    }
    if (typeof o.name === 'string' && o.name !== '') metadata.observation_name = o.name;

    return {
      request_id: optString(o, ['id']) ?? ctx.contentHash,
      timestamp: optTimestamp(o, both('start_time')),
      ...resolveAttribution(o, ctx.mapping),
      requested_model: optString(o, [...both('provided_model_name'), 'model']),
      served_model: null,
      provider: optString(o, ['metadata.provider', 'metadata.ls_provider']),
      system_prompt: system,
      messages,
      has_prompt_text: hasText,
      tools,
      response_format: responseFormat === '' ? null : responseFormat,
      max_tokens: lenientTokens(params, ['max_tokens', 'max_completion_tokens', 'max_output_tokens', 'maxTokens']),
      temperature: optNumber(params, ['temperature'], { max: 10 }),
      stream: optBoolean(params, ['stream']),
      prompt_tokens: sumUsage(usage, 'input'),
      completion_tokens: sumUsage(usage, 'output'),
      reasoning_tokens: lenientTokens(usage, ['output_reasoning_tokens', 'reasoning_tokens', 'output_reasoning']),
      cached_tokens: lenientTokens(usage, ['input_cached_tokens', 'cache_read_input_tokens', 'input_cache_read']),
      cost_usd: optNumber(o, [...both('total_cost', 'calculated_total_cost'), 'cost_details.total', 'costDetails.total'], { max: MAX_COST_PER_REQUEST_USD }),
      // Timestamps first: `latency` is seconds in current exports but milliseconds in blob
      // integrations created before 2026-04-01 (Langfuse docs), so the difference is the safe reading.
      latency_ms: msBetween(o, both('start_time'), both('end_time')) ?? seconds(o, ['latency']),
      ttft_ms: msBetween(o, both('start_time'), both('completion_start_time')) ?? seconds(o, both('time_to_first_token')),
      finish_reason: optString(o, ['metadata.finish_reason', 'output.finish_reason']),
      status: level === 'ERROR' ? 'error' : level === null ? null : 'ok',
      error: level === 'ERROR' ? optString(o, both('status_message')) : null,
      metadata,
      source_format: 'langfuse',
    };
  },
};
