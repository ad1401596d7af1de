import { RecordError } from '../errors.js';
import type { ChatMessage } from '../request.js';

/** Field readers shared by the log adapters: each coerces leniently and rejects precisely. */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `a.b.c` from an object; an array segment may be an index. */
export function getPath(obj: unknown, path: string): unknown {
  const segs = splitPath(path);
  let cur: unknown = obj;
  for (let i = 0; i < segs.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const seg = segs[i]!;
    if (Array.isArray(cur)) {
      if (seg.index === undefined) return undefined;
      cur = cur[seg.index];
    } else cur = (cur as JsonObject)[seg.key];
  }
  return cur;
}

interface PathSegment {
  key: string;
  /** The segment as an array index, when it is all digits. */
  index: number | undefined;
}

/** Paths are a small fixed set (adapter and mapping paths): split each once. */
const SPLIT_PATHS = new Map<string, PathSegment[]>();

function splitPath(path: string): PathSegment[] {
  let segs = SPLIT_PATHS.get(path);
  if (!segs) {
    segs = path.split('.').map((key) => ({ key, index: /^\d+$/.test(key) ? Number(key) : undefined }));
    if (SPLIT_PATHS.size < 10_000) SPLIT_PATHS.set(path, segs);
  }
  return segs;
}

/** The value firstIndex found (read right after the call). */
let foundValue: unknown;

/**
 * Index of the first path whose value is not null/undefined/empty string (its value in
 * `foundValue`), or -1. The readers below use it instead of firstPresent: no result object per
 * lookup, and a record has dozens of lookups.
 */
function firstIndex(obj: unknown, paths: readonly string[]): number {
  for (let i = 0; i < paths.length; i++) {
    const v = getPath(obj, paths[i]!);
    if (v !== undefined && v !== null && v !== '') {
      foundValue = v;
      return i;
    }
  }
  return -1;
}

/** First value among paths that is not null/undefined/empty string. */
export function firstPresent(obj: unknown, paths: readonly string[]): { path: string; value: unknown } | undefined {
  const i = firstIndex(obj, paths);
  return i < 0 ? undefined : { path: paths[i]!, value: foundValue };
}

export function optString(obj: unknown, paths: readonly string[]): string | null {
  const i = firstIndex(obj, paths);
  if (i < 0) return null;
  const v = foundValue;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new RecordError(paths[i]!, `expected a string, got ${describe(v)}`);
}

/** Upper bounds that no real request reaches: larger values are input errors, not data. */
export const MAX_TOKENS_PER_REQUEST = 100_000_000;
export const MAX_COST_PER_REQUEST_USD = 100_000;
export const MAX_LATENCY_MS = 24 * 3600 * 1000;

export function optNumber(
  obj: unknown,
  paths: readonly string[],
  opts: { integer?: boolean; max?: number; min?: number } = {},
): number | null {
  const i = firstIndex(obj, paths);
  if (i < 0) return null;
  const found = foundValue;
  let v = found;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
      throw new RecordError(paths[i]!, `expected a number, got ${describe(v)}`, excerptOf(v));
    }
    v = Number(s);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RecordError(paths[i]!, `expected a number, got ${describe(found)}`);
  }
  const min = opts.min ?? 0;
  if (v < min) throw new RecordError(paths[i]!, `must be >= ${min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new RecordError(paths[i]!, `implausibly large: ${v}`);
  if (opts.integer) {
    if (!Number.isInteger(v)) throw new RecordError(paths[i]!, `expected a whole number, got ${v}`);
  }
  return v;
}

const TOKENS = { integer: true, max: MAX_TOKENS_PER_REQUEST };

export function optTokens(obj: unknown, paths: readonly string[]): number | null {
  return optNumber(obj, paths, TOKENS);
}

export function optBoolean(obj: unknown, paths: readonly string[]): boolean | null {
  const i = firstIndex(obj, paths);
  if (i < 0) return null;
  const v = foundValue;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1 || v === '1') return true;
  if (v === 'false' || v === 0 || v === '0') return false;
  throw new RecordError(paths[i]!, `expected true/false, got ${describe(v)}`, excerptOf(v));
}

const EPOCH_MS_MIN = Date.UTC(2000, 0, 1);
const EPOCH_MS_MAX = Date.UTC(2100, 0, 1);

/**
 * Timestamps as logs write them: ISO 8601 (with or without zone; no zone = UTC),
 * `YYYY-MM-DD HH:MM:SS[.fff]`, epoch seconds, epoch milliseconds (number or numeric string),
 * and RFC 2822 (`Tue, 18 Nov 2025 09:12:00 GMT`).
 */
export function parseTimestamp(v: unknown, field: string): Date {
  let ms: number;
  if (typeof v === 'string' && isIsoUtcMillis(v)) {
    // The common form `2026-10-01T00:00:30.173Z`: the general branch below would reach
    // Date.parse(v) unchanged for it, through three regexes and three replaces.
    ms = isoUtcMillis(v);
  } else if (typeof v === 'number' || (typeof v === 'string' && /^\d{9,13}(\.\d+)?$/.test(v.trim()))) {
    const n = typeof v === 'number' ? v : Number(v);
    ms = n < 1e11 ? n * 1000 : n;
  } else if (typeof v === 'string') {
    let s = v.trim();
    if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z';
    else if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(s)) s = s.replace(' ', 'T').replace(/ ?([+-]\d{2}):?(\d{2})$/, '$1:$2').replace(/ ?UTC$/, 'Z');
    else if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
    ms = Date.parse(s);
  } else {
    throw new RecordError(field, `expected a timestamp, got ${describe(v)}`);
  }
  if (!Number.isFinite(ms)) throw new RecordError(field, `unreadable timestamp (${describe(v)})`, excerptOf(v));
  if (ms < EPOCH_MS_MIN || ms > EPOCH_MS_MAX) {
    throw new RecordError(field, `timestamp out of range (${typeof v === 'number' ? v : 'before 2000 or after 2100'})`, excerptOf(v));
  }
  return new Date(ms);
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` exactly (what toISOString writes). */
function isIsoUtcMillis(s: string): boolean {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 /* Z */ || s.charCodeAt(10) !== 84 /* T */) return false;
  for (let i = 0; i < 23; i++) {
    const c = s.charCodeAt(i);
    const want = ISO_SHAPE.charCodeAt(i);
    if (want === 100 /* d */ ? c < 48 || c > 57 : c !== want) return false;
  }
  return true;
}
const ISO_SHAPE = 'dddd-dd-ddTdd:dd:dd.ddd';

/**
 * Date.parse of a string of ISO_SHAPE + `Z`, by arithmetic when every field is in the range where
 * Date.parse and Date.UTC agree (V8 takes any day 1-31 in any month and rolls it over, as
 * Date.UTC does; it rejects months 0 and 13+, minutes and seconds 60+, and reads hour 24 only as
 * 24:00:00.000); anything else goes to Date.parse itself. Years below 100 too: Date.UTC reads
 * them as 19xx.
 */
function isoUtcMillis(s: string): number {
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return Date.parse(s);
  return Date.UTC(year, month - 1, day, hour, minute, second, digits(s, 20, 3));
}

/** The number written by `count` ASCII digits of s from `start` (already checked to be digits). */
function digits(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

export function optTimestamp(obj: unknown, paths: readonly string[]): Date | null {
  const i = firstIndex(obj, paths);
  return i < 0 ? null : parseTimestamp(foundValue, paths[i]!);
}

/** Message content: a string, or OpenAI/Anthropic multi-part content. */
export function readContent(content: unknown, field: string): { text: string; attachments: number } {
  if (content === null || content === undefined) return { text: '', attachments: 0 };
  if (typeof content === 'string') return { text: content, attachments: 0 };
  if (Array.isArray(content)) {
    const texts: string[] = [];
    let attachments = 0;
    content.forEach((part, i) => {
      if (typeof part === 'string') texts.push(part);
      else if (isObject(part)) {
        if (typeof part.text === 'string') texts.push(part.text);
        else if (isObject(part.text) && typeof part.text.value === 'string') texts.push(part.text.value);
        else if (part.type === 'text' && typeof part.content === 'string') texts.push(part.content);
        else attachments += 1;
      } else {
        throw new RecordError(`${field}[${i}]`, `unreadable content part ${describe(part)}`);
      }
    });
    return { text: texts.join('\n'), attachments };
  }
  if (isObject(content) && typeof content.text === 'string') return { text: content.text, attachments: 0 };
  throw new RecordError(field, `expected text or content parts, got ${describe(content)}`, excerptOf(content));
}

export function readMessages(v: unknown, field: string): ChatMessage[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new RecordError(field, `expected an array of messages, got ${describe(v)}`, excerptOf(v));
  const out: ChatMessage[] = [];
  for (let i = 0; i < v.length; i++) {
    const m: unknown = v[i];
    if (!isObject(m)) throw new RecordError(`${field}[${i}]`, `expected a message object, got ${describe(m)}`);
    const role = typeof m.role === 'string' ? m.role : 'user';
    const content = m.content;
    // Plain text (most messages) needs neither readContent nor the field name it would report.
    if (typeof content === 'string') out.push({ role, content, attachments: 0 });
    else {
      const { text, attachments } = readContent(content, `${field}[${i}].content`);
      out.push({ role, content: text, attachments });
    }
  }
  return out;
}

/** The kind of a value, for reject reasons. Never quotes text from the log (see excerptOf). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return v.length === 0 ? 'an empty string' : `a string of ${v.length} characters`;
  return `${typeof v} ${String(v)}`;
}

/**
 * A value that may hold JSON as text (CSV cells, Langfuse's `input`/`model_parameters`, LiteLLM's
 * `metadata` from some exports). Also reads JSON whose quotes were doubled once too often, as
 * the `@helicone/export` CSV writer does for object cells. Anything else comes back unchanged.
 */
export function parseJsonish(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (!(s.startsWith('{') || s.startsWith('['))) return v;
  try {
    return JSON.parse(s);
  } catch {
    if (!s.includes('""')) return v;
    try {
      return JSON.parse(s.replace(/""/g, '"'));
    } catch {
      return v;
    }
  }
}

/** Milliseconds from one timestamp field to another, or null when either is absent. */
export function msBetween(obj: unknown, fromPaths: readonly string[], toPaths: readonly string[]): number | null {
  const from = optTimestamp(obj, fromPaths);
  const to = optTimestamp(obj, toPaths);
  if (!from || !to) return null;
  const ms = to.getTime() - from.getTime();
  if (ms < 0) throw new RecordError(toPaths[0] ?? '(time)', `ends ${-ms} ms before it starts`);
  if (ms > MAX_LATENCY_MS) throw new RecordError(toPaths[0] ?? '(time)', `implausibly long: ${ms} ms`);
  return ms;
}

/** A number that may be absent or unreadable without making the record unreadable (e.g. "Infinity" max_tokens). */
export function lenientTokens(obj: unknown, paths: readonly string[]): number | null {
  try {
    return optTokens(obj, paths);
  } catch (err) {
    if (err instanceof RecordError) return null;
    throw err;
  }
}

/** Copy of an object with every key also present in lower case (header-derived property names). */
export function withLowercaseKeys(v: unknown): JsonObject | undefined {
  if (!isObject(v)) return undefined;
  const out: JsonObject = { ...v };
  for (const [k, val] of Object.entries(v)) if (!(k.toLowerCase() in out)) out[k.toLowerCase()] = val;
  return out;
}

/** A short quote of a text value, kept beside a reject's reason and shown only with --show-text. */
export function excerptOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
}

/** Gateway adapters check their own shape, so `--format` never misreads another tool's records. */
export function requireShape(ok: boolean, record: JsonObject, what: string): void {
  if (!ok) throw new RecordError('(record)', `not ${what}; fields: ${Object.keys(record).slice(0, 8).join(', ') || 'none'}`);
}
