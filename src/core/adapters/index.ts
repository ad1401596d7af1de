import { RecordError } from '../errors.js';
import { canonicalAdapter, openaiAdapter, openaiFlatAdapter } from './chat.js';
import { heliconeAdapter } from './helicone.js';
import { langfuseAdapter } from './langfuse.js';
import { litellmAdapter } from './litellm.js';
import { openrouterAdapter } from './openrouter.js';
import type { LogAdapter } from './types.js';
import type { JsonObject } from './fields.js';

/**
 * Every known log format, most specific first: detection takes the first that matches.
 * The gateway formats come first: each needs fields no chat log has (`call_type`, an observation
 * `type` with a `trace_id`, `request_created_at`, `tokens_prompt`), while `canonical` accepts
 * almost any record with a model, so it stays last.
 */
export const ADAPTERS: readonly LogAdapter[] = [
  litellmAdapter,
  langfuseAdapter,
  heliconeAdapter,
  openrouterAdapter,
  openaiAdapter,
  openaiFlatAdapter,
  canonicalAdapter,
];

export function adapterByName(name: string): LogAdapter | undefined {
  return ADAPTERS.find((a) => a.name === name);
}

export function detectAdapter(record: JsonObject): LogAdapter {
  const hit = ADAPTERS.find((a) => a.detect(record));
  if (hit) return hit;
  // Chat-like but incomplete (e.g. no model): let the canonical reader name the missing field.
  if (CHAT_HINTS.some((k) => record[k] !== undefined && record[k] !== null)) return canonicalAdapter;
  throw new RecordError('(record)', `unknown log format (fields: ${Object.keys(record).slice(0, 8).join(', ') || 'none'})`);
}

const CHAT_HINTS = ['messages', 'prompt', 'model', 'requested_model', 'request_id'] as const;

export type { LogAdapter, AdapterContext, FieldMapping, MappingOverride } from './types.js';

/** What to tell a user whose logs lack prompt bodies, once per format that had such records. */
export const GENERIC_BODIES_HINT =
  'Log the request messages (and system prompt) beside each request, or join a request log that has them with `--join`.';

export function bodiesHints(formats: readonly string[]): { format: string; hint: string }[] {
  const seen = new Set<string>();
  const out: { format: string; hint: string }[] = [];
  for (const f of formats) {
    const hint = adapterByName(f)?.bodiesHint ?? GENERIC_BODIES_HINT;
    if (seen.has(hint)) continue;
    seen.add(hint);
    out.push({ format: f, hint });
  }
  return out;
}
