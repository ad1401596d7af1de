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
  const p = bodyPaths(reqPath);
  const rawMessages = getPath(top, p.messages);
  let messages: ChatMessage[] = readMessages(rawMessages, p.messages);
  let hasText = Array.isArray(rawMessages);
  const prompt = getPath(top, p.prompt);
  if (prompt !== undefined && prompt !== null) {
    const { text, attachments } = readContent(prompt, p.prompt);
    messages = [...messages, { role: 'user', content: text, attachments }];
    hasText = true;
  }
  // Anthropic's `system` may be a list of content blocks (e.g. with cache_control) rather than text.
  const systemHit = firstPresent(top, p.system);
  let system = systemHit === undefined ? null : typeof systemHit.value === 'string' ? systemHit.value : readContent(systemHit.value, systemHit.path).text;
  // A leading system message is the system prompt.
  if (system === null && messages[0]?.role === 'system') {
    system = messages[0].content;
    messages = messages.slice(1);
  }
  if (system !== null) hasText = true;

  const tools = getPath(top, p.tools) ?? getPath(top, p.functions);
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) throw new RecordError(p.tools, 'expected an array of tools');
  const responseFormat = getPath(top, p.responseFormat) ?? getPath(top, p.textFormat) ?? null;
  if (responseFormat !== null && !isObject(responseFormat) && typeof responseFormat !== 'string') {
    throw new RecordError(p.responseFormat, 'expected an object');
  }
  return {
    system_prompt: system,
    messages,
    has_prompt_text: hasText,
    tools: Array.isArray(tools) ? tools : null,
    response_format: responseFormat,
    max_tokens: optTokens(top, p.maxTokens),
    temperature: optNumber(top, p.temperature, TEMPERATURE),
    stream: optBoolean(top, p.stream),
  };
}

const TEMPERATURE = { max: 10 };
const COST = { max: MAX_COST_PER_REQUEST_USD };
const LATENCY = { max: MAX_LATENCY_MS };

/** Where a request body's fields are, under `reqPath`: built once per prefix, not per record. */
interface BodyPaths {
  messages: string;
  prompt: string;
  system: string[];
  tools: string;
  functions: string;
  responseFormat: string;
  textFormat: string;
  maxTokens: string[];
  temperature: string[];
  stream: string[];
  model: string[];
  metadata: string;
}

const BODY_PATHS = new Map<string, BodyPaths>();

function bodyPaths(reqPath: string): BodyPaths {
  let p = BODY_PATHS.get(reqPath);
  if (p) return p;
  const inReq = (...names: string[]) => prefixedPaths(reqPath, names);
  p = {
    messages: inReq('messages')[0]!,
    prompt: inReq('prompt')[0]!,
    system: inReq('system', 'system_prompt', 'instructions'),
    tools: inReq('tools')[0]!,
    functions: inReq('functions')[0]!,
    responseFormat: inReq('response_format')[0]!,
    textFormat: inReq('text.format')[0]!,
    maxTokens: inReq('max_tokens', 'max_completion_tokens', 'max_output_tokens'),
    temperature: inReq('temperature'),
    stream: inReq('stream'),
    model: inReq('model', 'requested_model'),
    metadata: inReq('metadata')[0]!,
  };
  BODY_PATHS.set(reqPath, p);
  return p;
}

/** Where the envelope and response fields are, with the response under `resPath`. */
interface EnvelopePaths {
  served: string[];
  finishReason: string[];
  error: string;
  requestId: string[];
  timestamp: string[];
  provider: string[];
  promptTokens: string[];
  completionTokens: string[];
  reasoningTokens: string[];
  cachedTokens: string[];
  cost: string[];
  status: string[];
}

const ENVELOPE_PATHS = new Map<string, EnvelopePaths>();

function envelopePaths(resPath: string): EnvelopePaths {
  let p = ENVELOPE_PATHS.get(resPath);
  if (p) return p;
  const inRes = (...names: string[]) => prefixedPaths(resPath, names);
  p = {
    // In flat shapes `model` is the requested model; only a nested response names the served one.
    served: [...(resPath ? inRes('model') : []), 'served_model', 'response_model'],
    finishReason: [prefixedPaths(resPath, ['choices.0.finish_reason'])[0]!, 'finish_reason'],
    error: inRes('error')[0]!,
    requestId: ['request_id', 'id', ...inRes('id')],
    timestamp: ['timestamp', 'created_at', 'time', 'start_time', 'startTime', ...inRes('created')],
    provider: ['provider', 'provider_name', ...inRes('provider')],
    promptTokens: [...inRes('usage.prompt_tokens', 'usage.input_tokens'), 'prompt_tokens', 'tokens_prompt'],
    completionTokens: [...inRes('usage.completion_tokens', 'usage.output_tokens'), 'completion_tokens', 'tokens_completion'],
    reasoningTokens: [...inRes('usage.completion_tokens_details.reasoning_tokens', 'usage.output_tokens_details.reasoning_tokens'), 'reasoning_tokens'],
    cachedTokens: [...inRes('usage.prompt_tokens_details.cached_tokens', 'usage.input_tokens_details.cached_tokens'), 'cached_tokens'],
    cost: ['cost_usd', 'cost', 'total_cost', ...inRes('usage.cost')],
    status: ['status', 'status_code', ...inRes('status')],
  };
  ENVELOPE_PATHS.set(resPath, p);
  return p;
}

const LATENCY_PATHS = ['latency_ms', 'duration_ms', 'response_time_ms'];
const TTFT_PATHS = ['ttft_ms', 'time_to_first_token_ms'];

function normalizeChat(top: JsonObject, reqPath: string, resPath: string, ctx: AdapterContext, format: string): CanonicalRequest {
  const body = readChatBody(top, reqPath);
  const b = bodyPaths(reqPath);
  const e = envelopePaths(resPath);

  const requested = optString(top, b.model);
  const served = optString(top, e.served);
  if (requested === null && served === null) throw new RecordError(b.model[0]!, 'missing model');

  const errorValue = getPath(top, 'error') ?? getPath(top, e.error);
  const error = errorValue === undefined || errorValue === null ? null : typeof errorValue === 'string' ? errorValue : JSON.stringify(errorValue);
  const metadata = getPath(top, 'metadata') ?? getPath(top, b.metadata);

  const request_id = optString(top, e.requestId) ?? ctx.contentHash;
  const timestamp = optTimestamp(top, e.timestamp);
  const { feature, tenant_id, user_id } = resolveAttribution(top, ctx.mapping);
  // Written out rather than spread (same keys, same order): a spread in the middle of a literal
  // copies property by property at run time.
  return {
    request_id,
    timestamp,
    feature,
    tenant_id,
    user_id,
    requested_model: requested,
    served_model: served,
    provider: optString(top, e.provider),
    system_prompt: body.system_prompt,
    messages: body.messages,
    has_prompt_text: body.has_prompt_text,
    tools: body.tools,
    response_format: body.response_format,
    max_tokens: body.max_tokens,
    temperature: body.temperature,
    stream: body.stream,
    prompt_tokens: optTokens(top, e.promptTokens),
    completion_tokens: optTokens(top, e.completionTokens),
    reasoning_tokens: optTokens(top, e.reasoningTokens),
    cached_tokens: optTokens(top, e.cachedTokens),
    cost_usd: optNumber(top, e.cost, COST),
    latency_ms: optNumber(top, LATENCY_PATHS, LATENCY),
    ttft_ms: optNumber(top, TTFT_PATHS, LATENCY),
    finish_reason: optString(top, e.finishReason),
    status: optString(top, e.status),
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
    return normalizeChat(record, 'request', 'response', ctx, 'openai');
  },
};

/** Request and response fields side by side at the top level: `{model, messages, choices, usage, ...}`. */
export const openaiFlatAdapter: LogAdapter = {
  name: 'openai-flat',
  description: 'flattened OpenAI chat log: {model, messages, choices, usage, ...}',
  detect: (r) => Array.isArray(r.messages) && (Array.isArray(r.choices) || isObject(r.usage)),
  normalize: (record, ctx) => normalizeChat(record, '', '', ctx, 'openai-flat'),
};

/** pnyx's own shape: the canonical field names (README, "Canonical request"). */
export const canonicalAdapter: LogAdapter = {
  name: 'canonical',
  description: "pnyx's canonical record: {request_id, timestamp, feature, model, messages|prompt, prompt_tokens, ...}",
  detect: (r) =>
    (typeof r.model === 'string' || typeof r.requested_model === 'string' || typeof r.served_model === 'string') &&
    (Array.isArray(r.messages) || typeof r.prompt === 'string' || 'prompt_tokens' in r || 'request_id' in r),
  normalize: (record, ctx) => normalizeChat(record, '', '', ctx, 'canonical'),
};
