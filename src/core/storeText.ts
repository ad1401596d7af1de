import { createHash } from 'node:crypto';
import { isObject, type JsonObject } from './adapters/fields.js';
import { redactText } from './redact.js';
import type { CanonicalRequest } from './request.js';

/**
 * How much of the log's text pnyx keeps in its database (`pnyx analyze --store-text`):
 * - `full`: everything as logged;
 * - `redacted` (default): personal data and secrets masked (`[EMAIL]`, `[CARD]`, ... see redact.ts);
 * - `hash`: prompt and response texts replaced by their fingerprint `sha256:<hex>`, other
 *   strings redacted;
 * - `none`: no prompt or response text at all, other strings redacted.
 * Profiles are computed from the original request before any of this (ingest observers see it).
 */
export const STORE_TEXT_MODES = ['full', 'redacted', 'hash', 'none'] as const;
export type StoreTextMode = (typeof STORE_TEXT_MODES)[number];
export const DEFAULT_STORE_TEXT: StoreTextMode = 'redacted';

/** The text-bearing columns of one stored request, as they go into the database. */
export interface TextForStorage {
  system_prompt: string | null;
  /** JSON of `[{role, content, attachments}]`. */
  messages: string | null;
  /** The original record as JSON. */
  raw: string | null;
  /** JSON of the free metadata object. */
  metadata: string;
  error: string | null;
}

/** Keys whose string values are prompt or response text in the log formats pnyx reads. */
const TEXT_KEYS = new Set([
  'content',
  'text',
  'prompt',
  'system',
  'system_prompt',
  'instructions',
  'input',
  'output',
  'completion',
  'arguments',
  'url',
  'data',
  'b64_json',
  'refusal',
]);

export function fingerprint(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * What replaces a prompt/response text in the given mode. Also used for the raw text of a
 * rejected record (which may not even be JSON) and for quotes of offending values.
 */
export function maskText(text: string, mode: StoreTextMode): string | null {
  switch (mode) {
    case 'full':
      return text;
    case 'redacted':
      return redactText(text);
    case 'hash':
      return fingerprint(text);
    case 'none':
      return null;
  }
}

/**
 * Rewrites a JSON value for storage: prompt/response strings (under TEXT_KEYS) per mode, every
 * other string redacted. Returns the same object when nothing changed, so the original text can
 * be kept byte for byte. Records reach here already checked for nesting depth.
 */
function maskValue(v: unknown, mode: StoreTextMode, textual: boolean): unknown {
  if (typeof v === 'string') {
    if (textual) return maskText(v, mode);
    return redactText(v);
  }
  if (Array.isArray(v)) {
    let changed = false;
    const out = v.map((x) => {
      const y = maskValue(x, mode, textual);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? out : v;
  }
  if (isObject(v)) {
    let changed = false;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const y = maskValue(x, mode, TEXT_KEYS.has(k));
      if (y !== x) changed = true;
      out[k] = y;
    }
    return changed ? out : v;
  }
  return v;
}

/**
 * The text columns of a request as they are stored under `mode`. `record` is the parsed log
 * record and `rawText` its original text (kept as is when nothing needs masking).
 */
export function textForStorage(request: CanonicalRequest, record: JsonObject, rawText: string, mode: StoreTextMode): TextForStorage {
  const metadata = mode === 'full' ? request.metadata : (maskValue(request.metadata, mode, false) as JsonObject);
  const error = request.error === null || mode === 'full' ? request.error : redactText(request.error);
  if (mode === 'full') {
    return { system_prompt: request.system_prompt, messages: JSON.stringify(request.messages), raw: rawText, metadata: JSON.stringify(metadata), error };
  }
  const system = request.system_prompt === null ? null : maskText(request.system_prompt, mode);
  const messages = request.messages.map((m) => ({ ...m, content: maskText(m.content, mode) ?? '' }));
  const raw = maskValue(record, mode, false);
  return {
    system_prompt: system,
    messages: JSON.stringify(messages),
    raw: raw === record ? rawText : JSON.stringify(raw),
    metadata: JSON.stringify(metadata),
    error,
  };
}
