import { RecordError } from '../errors.js';
import type { CanonicalRequest, ChatMessage } from '../request.js';
import { resolveAttribution } from './attribution.js';
import {
  MAX_COST_PER_REQUEST_USD,
  MAX_LATENCY_MS,
  firstPresent,
  getPath,
  isObject,
  optBoolean,
  optNumber,
  optString,
  optTimestamp,
  optTokens,
  readContent,
  readMessages,
  type JsonObject,
} from './fields.js';
import type { AdapterContext, LogAdapter } from './types.js';

const PREFIXED = new Map<string, Map<string, { names: string[]; paths: string[] }[]>>();

/**
 * `names` under `prefix` (`''` = none), built once per distinct call: the same path string
 * objects every record, so path lookups hit their caches instead of hashing fresh strings.
 * Looked up by prefix and first name (constant strings with cached hashes), not by a key built
 * per call.
 */
export function prefixedPaths(prefix: string, names: string[]): string[] {
  let byFirst = PREFIXED.get(prefix);
  if (!byFirst) PREFIXED.set(prefix, (byFirst = new Map()));
  const first = names[0] ?? '';
  let entries = byFirst.get(first);
  if (!entries) byFirst.set(first, (entries = []));
  for (const e of entries) {
    if (e.names.length === names.length && e.names.every((n, i) => n === names[i])) return e.paths;
  }
  const paths = names.map((n) => (prefix ? `${prefix}.${n}` : n));
  entries.push({ names: [...names], paths });
  return paths;
}

/**
 * The OpenAI chat-completions log shapes and pnyx's own canonical shape share one reader:
 * `req` holds the request body fields (model, messages, tools, ...), `res` the response body
 * fields (choices, usage, model), `top` the log envelope (id, timestamp, metadata, latency).
 * In the flattened and canonical shapes all three are the same object.
 */
/** The request-body fields every chat-shaped log carries: prompt text, tools, sampling settings. */
export interface ChatBodyFields {
  system_prompt: string | null;
  messages: ChatMessage[];
  /** True when the body held prompt text at all (messages, prompt, system); false is not "empty". */
  has_prompt_text: boolean;
  tools: unknown[] | null;
  response_format: unknown;
  max_tokens: number | null;
  temperature: number | null;
  stream: boolean | null;
}

/**
 * Reads an OpenAI/Anthropic-style request body found at `reqPath` inside `top` (`''` = top itself):
 * messages (or a bare `prompt`), the system prompt (a field or a leading system message), tools,
 * response_format, max tokens, temperature, stream. Gateways that store the request body
 * (LiteLLM's proxy_server_request, Helicone's request_body) reuse it.
 */
export function readChatBody(top: JsonObject, reqPath: string): ChatBodyFields {
  const inReq = (...names: string[]) => prefixedPaths(reqPath, names);
  const messagesPath = inReq('messages')[0]!;
  let messages: ChatMessage[] = readMessages(getPath(top, messagesPath), messagesPath);
  let hasText = Array.isArray(getPath(top, messagesPath));
  const promptPath = inReq('prompt')[0]!;
  const prompt = getPath(top, promptPath);
  if (prompt !== undefined && prompt !== null) {
    const { text, attachments } = readContent(prompt, promptPath);
    messages = [...messages, { role: 'user', content: text, attachments }];
    hasText = true;
  }
  // Anthropic's `system` may be a list of content blocks (e.g. with cache_control) rather than text.
  const systemHit = firstPresent(top, inReq('system', 'system_prompt', 'instructions'));
  let system = systemHit === undefined ? null : typeof systemHit.value === 'string' ? systemHit.value : readContent(systemHit.value, systemHit.path).text;
  // A leading system message is the system prompt.
  if (system === null && messages[0]?.role === 'system') {
    system = messages[0].content;
    messages = messages.slice(1);
  }
  if (system !== null) hasText = true;

  const tools = getPath(top, inReq('tools')[0]!) ?? getPath(top, inReq('functions')[0]!);
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) throw new RecordError(inReq('tools')[0]!, 'expected an array of tools');
  const responseFormat = getPath(top, inReq('response_format')[0]!) ?? getPath(top, inReq('text.format')[0]!) ?? null;
  if (responseFormat !== null && !isObject(responseFormat) && typeof responseFormat !== 'string') {
    throw new RecordError(inReq('response_format')[0]!, 'expected an object');
  }
  return {
    system_prompt: system,
    messages,
    has_prompt_text: hasText,
    tools: Array.isArray(tools) ? tools : null,
    response_format: responseFormat,
    max_tokens: optTokens(top, inReq('max_tokens', 'max_completion_tokens', 'max_output_tokens')),
    temperature: optNumber(top, inReq('temperature'), { max: 10 }),
    stream: optBoolean(top, inReq('stream')),
  };
}

function normalizeChat(top: JsonObject, req: JsonObject, res: JsonObject, reqPath: string, resPath: string, ctx: AdapterContext, format: string): CanonicalRequest {
  const inReq = (...names: string[]) => prefixedPaths(reqPath, names);
  const inRes = (...names: string[]) => prefixedPaths(resPath, names);
  const body = readChatBody(top, reqPath);

  const requested = optString(top, [...inReq('model', 'requested_model')]);
  // In flat shapes `model` is the requested model; only a nested response names the served one.
  const served = optString(top, [...(resPath ? inRes('model') : []), 'served_model', 'response_model']);
  if (requested === null && served === null) throw new RecordError(inReq('model')[0]!, 'missing model');

  const choice0FinishReason = prefixedPaths(resPath, ['choices.0.finish_reason'])[0]!;
  const errorValue = getPath(top, 'error') ?? getPath(top, inRes('error')[0]!);
  const error = errorValue === undefined || errorValue === null ? null : typeof errorValue === 'string' ? errorValue : JSON.stringify(errorValue);
  const metadata = getPath(top, 'metadata') ?? getPath(top, inReq('metadata')[0]!);

  const tok = (names: string[]) => optTokens(top, names);
  return {
    request_id: optString(top, ['request_id', 'id', ...inRes('id')]) ?? ctx.contentHash,
    timestamp: optTimestamp(top, ['timestamp', 'created_at', 'time', 'start_time', 'startTime', ...inRes('created')]),
    ...resolveAttribution(top, ctx.mapping),
    requested_model: requested,
    served_model: served,
    provider: optString(top, ['provider', 'provider_name', ...inRes('provider')]),
    ...body,
    prompt_tokens: tok([...inRes('usage.prompt_tokens', 'usage.input_tokens'), 'prompt_tokens', 'tokens_prompt']),
    completion_tokens: tok([...inRes('usage.completion_tokens', 'usage.output_tokens'), 'completion_tokens', 'tokens_completion']),
    reasoning_tokens: tok([...inRes('usage.completion_tokens_details.reasoning_tokens', 'usage.output_tokens_details.reasoning_tokens'), 'reasoning_tokens']),
    cached_tokens: tok([...inRes('usage.prompt_tokens_details.cached_tokens', 'usage.input_tokens_details.cached_tokens'), 'cached_tokens']),
    cost_usd: optNumber(top, ['cost_usd', 'cost', 'total_cost', ...inRes('usage.cost')], { max: MAX_COST_PER_REQUEST_USD }),
    latency_ms: optNumber(top, ['latency_ms', 'duration_ms', 'response_time_ms'], { max: MAX_LATENCY_MS }),
    ttft_ms: optNumber(top, ['ttft_ms', 'time_to_first_token_ms'], { max: MAX_LATENCY_MS }),
    finish_reason: optString(top, [choice0FinishReason, 'finish_reason']),
    status: optString(top, ['status', 'status_code', ...inRes('status')]),
    error,
    metadata: isObject(metadata) ? metadata : {},
    source_format: format,
  };
}

/** `{request: {model, messages, ...}, response: {choices, usage, ...}, ...envelope}` */
export const openaiAdapter: LogAdapter = {
  name: 'openai',
  description: 'OpenAI chat-completions log: {request:{model,messages,...}, response:{choices,usage}}',
  detect: (r) => isObject(r.request) && (Array.isArray(r.request.messages) || typeof r.request.model === 'string'),
  normalize(record, ctx) {
    const req = record.request as JsonObject;
    const res = isObject(record.response) ? record.response : {};
    return normalizeChat(record, req, res, 'request', 'response', ctx, 'openai');
  },
};

/** Request and response fields side by side at the top level: `{model, messages, choices, usage, ...}`. */
export const openaiFlatAdapter: LogAdapter = {
  name: 'openai-flat',
  description: 'flattened OpenAI chat log: {model, messages, choices, usage, ...}',
  detect: (r) => Array.isArray(r.messages) && (Array.isArray(r.choices) || isObject(r.usage)),
  normalize: (record, ctx) => normalizeChat(record, record, record, '', '', ctx, 'openai-flat'),
};

/** pnyx's own shape: the canonical field names (README, "Canonical request"). */
export const canonicalAdapter: LogAdapter = {
  name: 'canonical',
  description: "pnyx's canonical record: {request_id, timestamp, feature, model, messages|prompt, prompt_tokens, ...}",
  detect: (r) =>
    (typeof r.model === 'string' || typeof r.requested_model === 'string' || typeof r.served_model === 'string') &&
    (Array.isArray(r.messages) || typeof r.prompt === 'string' || 'prompt_tokens' in r || 'request_id' in r),
  normalize: (record, ctx) => normalizeChat(record, record, record, '', '', ctx, 'canonical'),
};
