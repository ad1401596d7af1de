import { RecordError } from '../errors.js';
import { canonicalAdapter, openaiAdapter, openaiFlatAdapter } from './chat.js';
import type { LogAdapter } from './types.js';
import type { JsonObject } from './fields.js';

/** Every known log format, most specific first: detection takes the first that matches. */
export const ADAPTERS: readonly LogAdapter[] = [openaiAdapter, openaiFlatAdapter, canonicalAdapter];

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

export type { LogAdapter, AdapterContext, FieldMapping } from './types.js';
