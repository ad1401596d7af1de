import { getPath, type JsonObject } from './adapters/fields.js';
import { UNATTRIBUTED_FEATURE, type CanonicalRequest } from './request.js';

/**
 * Joining a metadata-only log (OpenRouter generation records, LiteLLM spend logs without
 * prompts, ...) with the team's own request log that has the prompt bodies. The join key is
 * the request id of the metadata-only record (OpenRouter: the generation id `gen-...`); in the
 * request log it is looked for under these names, besides the record's own request id.
 */
export const JOIN_KEY_PATHS = [
  'generation_id',
  'openrouter_generation_id',
  'metadata.generation_id',
  'metadata.openrouter_generation_id',
  'response.id',
  'id',
  'request_id',
] as const;

/** Every id a request-log record may be joined on. */
export function joinKeys(raw: JsonObject, request: CanonicalRequest): string[] {
  const keys = new Set<string>([request.request_id]);
  for (const p of JOIN_KEY_PATHS) {
    const v = getPath(raw, p);
    if (typeof v === 'string' && v !== '') keys.add(v);
  }
  return [...keys];
}

/** What a joined request-log record contributes: the prompt and the request settings. */
export type JoinedRequest = Pick<
  CanonicalRequest,
  'feature' | 'tenant_id' | 'user_id' | 'system_prompt' | 'messages' | 'has_prompt_text' | 'tools' | 'response_format' | 'max_tokens' | 'temperature' | 'stream'
> & { source: string };

export function toJoined(r: CanonicalRequest, source: string): JoinedRequest {
  const { feature, tenant_id, user_id, system_prompt, messages, has_prompt_text, tools, response_format, max_tokens, temperature, stream } = r;
  return { feature, tenant_id, user_id, system_prompt, messages, has_prompt_text, tools, response_format, max_tokens, temperature, stream, source };
}

/**
 * The metadata-only record with the request log's prompt and settings. Measured values (tokens,
 * cost, latency, models, finish reason) stay the gateway's. The request log's feature wins when
 * it names one: it is the team's own attribution, while a gateway often knows only an app id.
 */
export function enrichFromJoin(r: CanonicalRequest, j: JoinedRequest): CanonicalRequest {
  return {
    ...r,
    feature: j.feature !== UNATTRIBUTED_FEATURE ? j.feature : r.feature,
    tenant_id: r.tenant_id ?? j.tenant_id,
    user_id: r.user_id ?? j.user_id,
    system_prompt: j.system_prompt,
    messages: j.messages,
    has_prompt_text: j.has_prompt_text,
    tools: r.tools ?? j.tools,
    response_format: r.response_format ?? j.response_format,
    max_tokens: r.max_tokens ?? j.max_tokens,
    temperature: r.temperature ?? j.temperature,
    stream: r.stream ?? j.stream,
    metadata: { ...r.metadata, pnyx_joined_from: j.source },
  };
}

/** Gateway feature → request-log feature, counted over the joined records of a run. */
export type FeatureRenameTally = Map<string, Map<string, number>>;

export function tallyRename(tally: FeatureRenameTally, from: string, to: string): void {
  if (from === to) return;
  const m = tally.get(from) ?? new Map<string, number>();
  m.set(to, (m.get(to) ?? 0) + 1);
  tally.set(from, m);
}

/**
 * Gateway feature names that every joined record renamed the same way (e.g. an OpenRouter app id
 * that is one product feature): worth a `feature_names` entry so unjoined records follow.
 */
export function suggestFeatureNames(tally: FeatureRenameTally): { from: string; to: string; joined: number }[] {
  const out: { from: string; to: string; joined: number }[] = [];
  for (const [from, tos] of tally) {
    if (from === UNATTRIBUTED_FEATURE || tos.size !== 1) continue;
    const [[to, joined]] = [...tos] as [[string, number]];
    out.push({ from, to, joined });
  }
  return out.sort((a, b) => a.from.localeCompare(b.from));
}
