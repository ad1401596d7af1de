import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { RecordError } from './errors.js';
import { effectiveMapping } from './adapters/attribution.js';
import { adapterByName, detectAdapter, type FieldMapping, type LogAdapter, type MappingOverride } from './adapters/index.js';
import { isObject, type JsonObject } from './adapters/fields.js';
import { jsonString, jsonValue, needsEscape } from './jsonText.js';
import type { CanonicalRequest } from './request.js';

export type RecordOutcome =
  | { ok: true; request: CanonicalRequest; contentHash: string; raw: JsonObject }
  | RecordReject;

/**
 * Why a record could not be read. `reason` never quotes text from the log; `excerpt` (when the
 * offending value is text) does, and is shown only with --show-text.
 */
export interface RecordReject {
  ok: false;
  field: string;
  reason: string;
  excerpt?: string;
}

/** Records nested deeper than this are rejected: real logs stay far below it, and every
 *  later step (hashing, redaction, JSON output) may then recurse safely. */
export const MAX_NESTING = 500;

/** True when a JSON value nests deeper than `max` arrays/objects. Iterative: any depth is safe. */
export function exceedsNesting(value: unknown, max: number = MAX_NESTING): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(v) ? v : Object.values(v as object);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return false;
}

/**
 * True when JSON text cannot nest deeper than `max`: each level opens with a `{` or `[`, so a
 * text with at most `max` of them (counted anywhere, strings included) is shallow enough.
 * A few memchr searches instead of walking the parsed value.
 */
export function shallowJsonText(text: string, max: number = MAX_NESTING): boolean {
  let n = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++n > max) return false;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++n > max) return false;
  return true;
}

export interface RecordReaderOptions {
  /** Attribution paths for formats without defaults of their own (openai, openai-flat, canonical). */
  mapping: FieldMapping;
  /**
   * User overrides (`--feature-field`, config `ingest.fields`, `ingest.formats.<name>`): each given
   * list replaces the format's default; per-format overrides win over global ones.
   */
  overrides?: { all?: MappingOverride; formats?: Record<string, MappingOverride> };
  /** Resolved feature name → the name to store (config `ingest.feature_names`). */
  featureNames?: Readonly<Record<string, string>>;
  /** Force one adapter by name instead of detecting per record. */
  format?: string;
}

/**
 * The value without the object fields whose value is null, at any depth (array elements stay as
 * they are, nulls included). A Parquet file has one schema for all its rows: a key that some rows'
 * objects lack is NULL in theirs, and DuckDB's `to_json` writes it as `"key":null`. Without them,
 * a request read from the Parquet export of a JSONL log is the request of the log (the same
 * stored JSON, the same content hash). The value is returned as it is when it holds no such
 * field; otherwise the objects on the way to one are copied (key order kept), never changed.
 * The caller has checked the nesting depth (MAX_NESTING).
 */
export function withoutNullFields(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i];
      const y = withoutNullFields(x);
      if (y === x) continue;
      out ??= value.slice();
      out[i] = y;
    }
    return out ?? value;
  }
  // for-in, not Object.keys: most objects hold no null and are only read, with no key array made.
  // (A parsed object has no inherited enumerable keys; a "__proto__" key is its own.)
  const o = value as JsonObject;
  let out: JsonObject | undefined;
  for (const k in o) {
    const x = o[k];
    const y = x === null ? undefined : typeof x === 'object' ? withoutNullFields(x) : x;
    if (out === undefined) {
      if (y === x) continue;
      out = {};
      for (const j in o) {
        if (j === k) break;
        setOwn(out, j, o[j]);
      }
    }
    if (y !== undefined) setOwn(out, k, y);
  }
  return out ?? o;
}

/** out[k] = v as an own data property, also for `__proto__` (a key JSON.parse gives as its own). */
function setOwn(out: JsonObject, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v as JsonObject[string];
}

/** One-shot hashing (Node >= 20.12): no Hash object per call, which matters once per record. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** Hex SHA-256 of the text's UTF-8 bytes. */
export function sha256(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}

/**
 * A fingerprint of a request's content, independent of file format and key order: the SHA-256
 * of a JSON array of the canonical fields in a fixed order (objects from the log, such as
 * metadata and tools, with their keys sorted). Neither request_id nor source_format is part of it.
 */
export function canonicalHash(r: CanonicalRequest): string {
  // JSON.stringify of the fields below, written piece by piece (jsonText.ts) so the prompt texts
  // are not escaped character by character when nothing in them needs escaping, concatenated as
  // they come (V8 links long pieces instead of copying them) and flattened once by the hash.
  let s =
    '[' + (r.timestamp ? val(r.timestamp.getTime()) : 'null') + ',' + val(r.feature) + ',' + val(r.tenant_id) + ',' + val(r.user_id) + ',' +
    val(r.requested_model) + ',' + val(r.served_model) + ',' + val(r.provider) + ',' + val(r.system_prompt) + ',[';
  const messages = r.messages;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    s += (i === 0 ? '[' : ',[') + val(m.role) + ',' + val(m.content) + ',' + val(m.attachments) + ']';
  }
  s +=
    '],' + val(r.has_prompt_text) + ',' + stableElement(r.tools) + ',' + stableElement(r.response_format) + ',' +
    val(r.max_tokens) + ',' + val(r.temperature) + ',' + val(r.stream) + ',' + val(r.prompt_tokens) + ',' + val(r.completion_tokens) + ',' +
    val(r.reasoning_tokens) + ',' + val(r.cached_tokens) + ',' + val(r.cost_usd) + ',' + val(r.latency_ms) + ',' + val(r.ttft_ms) + ',' +
    val(r.finish_reason) + ',' + val(r.status) + ',' + val(r.error) + ',' + stableElement(r.metadata) + ']';
  return sha256(s);
}

/** A value's JSON as an array element (`null` for what JSON.stringify leaves out). */
function val(v: unknown): string {
  return jsonValue(v) ?? 'null';
}

/** The JSON string of stableJson(v) as an array element (`null` when v is null or has no JSON). */
function stableElement(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  const inString = stableJsonText(v, true);
  return inString === undefined ? 'null' : `"${inString}"`;
}

/**
 * `JSON.stringify` of the value with every object's keys sorted, byte for byte what
 * `JSON.stringify(sortKeys(v))` gives (where integer-like keys come first, in numeric order,
 * as JavaScript orders them), without building the sorted copy.
 */
export function stableJson(v: unknown): string | undefined {
  return stableJsonText(v, false);
}

/**
 * stableJson, or with `inString` the same text as it appears inside a JSON string: what
 * `JSON.stringify(stableJson(v))` writes between its outer quotes (every `"` and `\` escaped),
 * written directly instead of escaping the whole text again (the content hash quotes the
 * metadata and tools JSON).
 */
function stableJsonText(v: unknown, inString: boolean): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return inString ? stringInString(v) : jsonString(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      return JSON.stringify(v); // throws, as JSON.stringify does
    default:
      return undefined;
  }
  if (v instanceof Date) {
    const iso = v.toISOString();
    return inString ? stringInString(iso) : JSON.stringify(iso);
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + (stableJsonText(v[i], inString) ?? 'null');
    return out + ']';
  }
  const obj = v as Record<string, unknown>;
  const order = keyOrder(Object.keys(obj));
  const prefixes = inString ? order.prefixesInString : order.prefixes;
  let out = '{';
  for (let i = 0; i < order.keys.length; i++) {
    const s = stableJsonText(obj[order.keys[i]!], inString);
    if (s === undefined) continue;
    out += (out.length === 1 ? '' : ',') + prefixes[i]! + s;
  }
  return out + '}';
}

/** `JSON.stringify(JSON.stringify(s))` without its outer quotes. */
function stringInString(s: string): string {
  return needsEscape(s) ? JSON.stringify(JSON.stringify(s)).slice(1, -1) : `\\"${s}\\"`;
}

/** An object's keys in stableJson's order, each with its JSON and a colon (`"key":`), also as inside a JSON string. */
interface KeyOrder {
  keys: string[];
  prefixes: string[];
  prefixesInString: string[];
}

/**
 * The last few key lists seen, with their order: records of one log share a few object shapes
 * (metadata, tool schemas), so the sort and the quoting of the keys run once per shape. Keys
 * from JSON.parse are internalized strings, so comparing them is a pointer comparison.
 */
const RECENT_SHAPES = 8;
const recentKeys: string[][] = [];
const recentOrders: KeyOrder[] = [];
let recentShape = 0;

function keyOrder(keys: string[]): KeyOrder {
  for (let j = 0; j < recentKeys.length; j++) {
    const seen = recentKeys[j]!;
    if (seen.length !== keys.length) continue;
    let same = true;
    for (let i = 0; i < keys.length && same; i++) same = seen[i] === keys[i];
    if (same) return recentOrders[j]!;
  }
  const sorted = [...keys].sort();
  const ordered = sorted.some(isIndexKey) ? orderLikeObject(sorted) : sorted;
  const order = { keys: ordered, prefixes: ordered.map((k) => `${jsonString(k)}:`), prefixesInString: ordered.map((k) => `${stringInString(k)}:`) };
  recentKeys[recentShape] = keys;
  recentOrders[recentShape] = order;
  recentShape = (recentShape + 1) % RECENT_SHAPES;
  return order;
}

const INDEX_KEY = /^(0|[1-9]\d*)$/;

/** An array-index key (`0`, `7`, ... below 2^32 - 1), ordered first by JavaScript objects. */
function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && INDEX_KEY.test(k) && Number(k) < 4294967295;
}

/** The key order an object built from these (sorted) keys has: array-index keys first, numerically. */
function orderLikeObject(sorted: string[]): string[] {
  const idx = sorted.filter(isIndexKey).sort((a, b) => Number(a) - Number(b));
  return [...idx, ...sorted.filter((k) => !isIndexKey(k))];
}

/**
 * Turns one raw log record (already parsed JSON) into a canonical request, or says precisely
 * which field made it unreadable. Pure: no I/O.
 */
export function readRecord(record: unknown, opts: RecordReaderOptions): RecordOutcome {
  return readParsed(record, opts, true);
}

/**
 * readRecord; `checkNesting` false when the record's text already proved it shallow;
 * `dropNullFields`: read the record without its null object fields (withoutNullFields).
 */
function readParsed(parsed: unknown, opts: RecordReaderOptions, checkNesting: boolean, dropNullFields = false): RecordOutcome {
  if (!isObject(parsed)) {
    return { ok: false, field: '(record)', reason: `expected a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}` };
  }
  if (checkNesting && exceedsNesting(parsed)) return { ok: false, field: '(record)', reason: `nested deeper than ${MAX_NESTING} levels` };
  const record = dropNullFields ? (withoutNullFields(parsed) as JsonObject) : parsed;
  try {
    let adapter: LogAdapter | undefined;
    if (opts.format && opts.format !== 'auto') {
      adapter = adapterByName(opts.format);
      if (!adapter) return { ok: false, field: '(format)', reason: `unknown format ${opts.format}` };
    } else {
      adapter = detectAdapter(record);
    }
    const mapping = effectiveMapping(adapter.defaultMapping ?? opts.mapping, opts.overrides?.all, opts.overrides?.formats?.[adapter.name]);
    const request = adapter.normalize(record, { mapping, contentHash: '' });
    const renamed = opts.featureNames?.[request.feature];
    if (renamed !== undefined) request.feature = renamed;
    // The same request read from JSONL, CSV or Parquet must hash the same: hash what was
    // understood, not the bytes. A record without an id is identified by this hash.
    const contentHash = canonicalHash(request);
    if (request.request_id === '') request.request_id = contentHash;
    // raw: the record as read (a Parquet row with its null fields, as --store-raw keeps it).
    return { ok: true, request, contentHash, raw: parsed };
  } catch (err) {
    if (err instanceof RecordError) {
      return err.excerpt === undefined ? { ok: false, field: err.field, reason: err.message } : { ok: false, field: err.field, reason: err.message, excerpt: err.excerpt };
    }
    // A record too big or too deep for the JS engine is the record's problem, not a crash.
    if (err instanceof RangeError) return { ok: false, field: '(record)', reason: `too large or too deeply nested to read (${err.message})` };
    throw err;
  }
}

/**
 * Parses one line of JSONL; a syntax error becomes a reject naming the position.
 * `dropNullFields`: the line is a Parquet row's `to_json` (see withoutNullFields).
 */
export function readJsonLine(line: string, opts: RecordReaderOptions, dropNullFields = false): RecordOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    return { ok: false, field: '(json)', reason: jsonErrorReason(err, line.length) };
  }
  return readParsed(parsed, opts, !shallowJsonText(line), dropNullFields);
}

/**
 * A JSON syntax error as a reason that says where, never what: V8's own messages may quote
 * the text of the line.
 */
export function jsonErrorReason(err: unknown, textLength: number): string {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /position (\d+)/.exec(msg);
  const truncated = /Unexpected end of JSON input|Unterminated string/i.test(msg) || (m !== null && Number(m[1]) >= textLength);
  if (truncated) return 'invalid JSON: the record ends early (truncated line?)';
  if (m) return `invalid JSON at character ${Number(m[1]) + 1}`;
  if (err instanceof RangeError) return 'invalid JSON: too large or too deeply nested';
  return 'invalid JSON: not a JSON value';
}
