import { isObject, type JsonObject } from './adapters/fields.js';
import { sha256 } from './ingestRecord.js';
import { redactText } from './redact.js';
import { JsonPieces, writeObjectWith } from './jsonText.js';
import type { CanonicalRequest, ChatMessage } from './request.js';

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
  /** The original record as JSON (masked like the rest), or null when it is not kept (see `keepRaw`). */
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
  return `sha256:${sha256(text)}`;
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

/** maskText (prompt/response text) and redactText (other strings) of one record, each string masked once. */
interface MaskMemo {
  text(s: string): string | null;
  other(s: string): string;
}

function maskMemo(mode: StoreTextMode): MaskMemo {
  const texts = new Map<string, string | null>();
  const others = mode === 'redacted' ? (texts as Map<string, string>) : new Map<string, string>();
  // Short strings are cheaper to mask than to look up.
  return {
    text(s) {
      if (s.length < 32) return maskText(s, mode);
      let out = texts.get(s);
      if (out === undefined) texts.set(s, (out = maskText(s, mode)));
      return out;
    },
    other(s) {
      if (s.length < 32) return redactText(s);
      let out = others.get(s);
      if (out === undefined) others.set(s, (out = redactText(s)));
      return out;
    },
  };
}

function directMask(mode: StoreTextMode): MaskMemo {
  return { text: (s) => maskText(s, mode), other: redactText };
}

/**
 * Rewrites a JSON value for storage: prompt/response strings (under TEXT_KEYS) per mode, every
 * other string redacted. Returns the same object when nothing changed, so the original text can
 * be kept byte for byte. Records reach here already checked for nesting depth.
 */
function maskValue(v: unknown, mode: StoreTextMode, textual: boolean, memo?: MaskMemo): unknown {
  if (typeof v === 'string') {
    if (textual) return memo ? memo.text(v) : maskText(v, mode);
    return memo ? memo.other(v) : redactText(v);
  }
  if (Array.isArray(v)) {
    // Copied only from the first change on: most records change nowhere.
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      const y = typeof x === 'object' || typeof x === 'string' ? maskValue(x, mode, textual, memo) : x;
      if (out === null && y !== x) out = v.slice(0, i);
      if (out !== null) out.push(y);
    }
    return out ?? v;
  }
  if (isObject(v)) {
    let out: JsonObject | null = null;
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      const x = v[k];
      const y = typeof x === 'object' || typeof x === 'string' ? maskValue(x, mode, TEXT_KEYS.has(k), memo) : x;
      if (out === null && y !== x) {
        out = {};
        for (const j in v) {
          if (j === k) break;
          if (Object.hasOwn(v, j)) out[j] = v[j];
        }
      }
      if (out !== null) out[k] = y;
    }
    return out ?? v;
  }
  return v;
}

/** Pieces of one message of the messages column, reused by every call. */
const MESSAGE_PIECES = new JsonPieces();

/**
 * `JSON.stringify(messages)`, or with `mask` `JSON.stringify(messages.map((m) => ({ ...m, content: mask(m.content) })))`,
 * without escaping the (long) contents character by character (see jsonText.ts).
 */
function messagesJson(messages: readonly ChatMessage[], mask?: (content: string) => string): string {
  const parts = new Array<string>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    writeObjectWith(MESSAGE_PIECES, m, 'content', mask ? mask(m.content) : undefined);
    parts[i] = MESSAGE_PIECES.join();
  }
  if (parts.length === 0) return '[]';
  // join writes one flat string: the column is kept until the batch is stored, and a string
  // built by `+=` is a tree of pieces that every garbage collection walks and copies.
  parts[0] = `[${parts[0]!}`;
  parts[parts.length - 1] += ']';
  return parts.join(',');
}

/**
 * The text columns of a request as they are stored under `mode`. `record` is the parsed log
 * record and `rawText` its original text (kept as is when nothing needs masking). The record
 * itself is kept only with `keepRaw` (`pnyx analyze --store-raw`): the columns carry everything
 * pnyx reads, and the raw copy would hold every prompt a second time.
 */
export function textForStorage(request: CanonicalRequest, record: JsonObject, rawText: string, mode: StoreTextMode, keepRaw = true): TextForStorage {
  const metadata = mode === 'full' ? request.metadata : (maskValue(request.metadata, mode, false) as JsonObject);
  const error = request.error === null || mode === 'full' ? request.error : redactText(request.error);
  if (mode === 'full') {
    return { system_prompt: request.system_prompt, messages: messagesJson(request.messages), raw: keepRaw ? rawText : null, metadata: JSON.stringify(metadata), error };
  }
  // With the raw record, the prompt texts appear twice (normalized and in the record): each is
  // masked once. Without it each text is masked once anyway, and a lookup would hash it whole.
  const memo = keepRaw ? maskMemo(mode) : directMask(mode);
  const system = request.system_prompt === null ? null : memo.text(request.system_prompt);
  const messages = messagesJson(request.messages, (content) => memo.text(content) ?? '');
  const raw = keepRaw ? maskValue(record, mode, false, memo) : null;
  return {
    system_prompt: system,
    messages,
    raw: raw === null ? null : raw === record ? rawText : JSON.stringify(raw),
    metadata: JSON.stringify(metadata),
    error,
  };
}
