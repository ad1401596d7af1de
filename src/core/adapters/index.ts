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
  if (!hit) throw new RecordError('(record)', `unknown log format (fields: ${Object.keys(record).slice(0, 8).join(', ') || 'none'})`);
  return hit;
}

export type { LogAdapter, AdapterContext, FieldMapping } from './types.js';
