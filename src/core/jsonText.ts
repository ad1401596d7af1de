/**
 * Pieces of JSON text, byte for byte what `JSON.stringify` writes, built without re-escaping long
 * strings: on Node 20, JSON.stringify spends ~4 ns per character of a string even when nothing
 * needs escaping, and ingest writes every prompt into JSON twice (the content hash and the
 * `messages` column). A regex test that proves no character needs escaping is ~4x cheaper.
 */

/** Any character JSON.stringify escapes (`"`, `\`, controls) or may escape (surrogates: lone ones are escaped). */
const MAY_NEED_ESCAPE = /[^\u0020-\u0021\u0023-\u005b\u005d-\ud7ff\ue000-\uffff]/;

/** Below this length a loop over the characters beats the regex test (and a JSON.stringify call). */
const SHORT = 24;

/** True when JSON.stringify(s) escapes something in s (a quote, a backslash, a control character, a lone surrogate). */
export function needsEscape(s: string): boolean {
  if (s.length >= SHORT) return MAY_NEED_ESCAPE.test(s);
  // A loop over a few characters costs a fraction of a regex or JSON.stringify call (~120 ns).
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/**
 * The last few long strings checked, with their JSON when it needed escapes (null: nothing to
 * escape): a record's prompt texts are written twice (content hash, then the messages column),
 * and `===` finds the same string at once (different lengths differ at once too). Any hit is
 * exact: equal strings have equal JSON.
 */
const RECENT = 8;
const recentText: string[] = new Array<string>(RECENT).fill('');
const recentJson: (string | null)[] = new Array<string | null>(RECENT).fill(null);
let recentNext = 0;

/** `JSON.stringify(s)` when it escapes something in s, else null (the JSON is s between quotes). */
function escapedJson(s: string): string | null {
  if (s.length < SHORT) return needsEscape(s) ? JSON.stringify(s) : null;
  for (let i = 0; i < RECENT; i++) if (recentText[i] === s) return recentJson[i]!;
  const json = MAY_NEED_ESCAPE.test(s) ? JSON.stringify(s) : null;
  recentText[recentNext] = s;
  recentJson[recentNext] = json;
  recentNext = (recentNext + 1) % RECENT;
  return json;
}

/** `JSON.stringify(s)`. */
export function jsonString(s: string): string {
  return escapedJson(s) ?? `"${s}"`;
}

/**
 * A JSON text written piece by piece, reused record after record. The pieces are concatenated
 * as they come (V8 links long pieces into a tree instead of copying them; whoever reads the text
 * flattens it once): faster here than collecting them in an array for one join.
 */
export class JsonPieces {
  private text = '';

  add(piece: string): void {
    this.text += piece;
  }

  /** The text, and an empty writer for the next one. */
  join(): string {
    const text = this.text;
    this.text = '';
    return text;
  }
}

/**
 * Adds `JSON.stringify(s)`: the string itself between two quote pieces when nothing in it needs
 * escaping, so no quoted copy of a long prompt text is made.
 */
export function writeJsonString(out: JsonPieces, s: string): void {
  const json = escapedJson(s);
  if (json === null) {
    out.add('"');
    out.add(s);
    out.add('"');
  } else out.add(json);
}

/** Adds `JSON.stringify(v)`; false (nothing added) for what JSON.stringify leaves out of an object. */
export function writeJsonValue(out: JsonPieces, v: unknown): boolean {
  if (typeof v === 'string') {
    writeJsonString(out, v);
    return true;
  }
  const json = jsonValue(v);
  if (json === undefined) return false;
  out.add(json);
  return true;
}

/**
 * `String(v)` for a finite number. Whole numbers from 1e9 to 1e15 (epoch milliseconds) are
 * written as two halves of at most six and nine digits: V8 formats each half quickly and caches
 * small ones, while String() of a large double runs the general shortest-digits algorithm
 * (~2x slower). Both are the plain decimal digits below 1e21.
 */
export function numberText(v: number): string {
  if (v >= 1e9 && v < 1e15 && Number.isInteger(v)) {
    const high = Math.floor(v / 1e6);
    const low = String(v - high * 1e6);
    return `${high}${ZEROS[low.length]!}${low}`;
  }
  return String(v);
}
/** Zeros that pad a number of n digits to six. */
const ZEROS = ['', '00000', '0000', '000', '00', '0', ''];

/**
 * `JSON.stringify(v)` for a value inside an array or object: `undefined` for what JSON.stringify
 * leaves out of an object (undefined, functions, symbols; inside an array the caller writes `null`).
 * Objects go to JSON.stringify itself.
 */
export function jsonValue(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'number':
      return Number.isFinite(v) ? numberText(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      return v === null ? 'null' : JSON.stringify(v);
  }
}

/**
 * Adds `JSON.stringify({ ...obj, [key]: replacement })` to the pieces when `replacement` is
 * given, else `JSON.stringify(obj)`, for a flat object of plain values (a chat message): the
 * replaced value keeps its key's place, or comes last when the key is new.
 */
export function writeObjectWith(out: JsonPieces, obj: object, key: string, replacement?: string): void {
  out.add('{');
  let first = true;
  let replaced = replacement === undefined;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    let v: unknown;
    if (!replaced && k === key) {
      v = replacement;
      replaced = true;
    } else {
      v = (obj as Record<string, unknown>)[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    }
    if (!first) out.add(',');
    first = false;
    writeJsonString(out, k);
    out.add(':');
    writeJsonValue(out, v);
  }
  if (!replaced) {
    if (!first) out.add(',');
    writeJsonString(out, key);
    out.add(':');
    writeJsonString(out, replacement!);
  }
  out.add('}');
}

/** writeObjectWith as one string. */
export function jsonObjectWith(obj: object, key: string, replacement?: string): string {
  const out = new JsonPieces();
  writeObjectWith(out, obj, key, replacement);
  return out.join();
}

/**
 * A lone surrogate's escape (`\udXXX` not part of an escaped pair), or an escaped backslash
 * (matched so that `\\ud800`, a backslash followed by the letters, is left alone).
 */
const SURROGATE_ESCAPE = /\\(?:\\|u(?:d[89ab][0-9a-f]{2}(?:\\ud[c-f][0-9a-f]{2})?|d[c-f][0-9a-f]{2}))/gi;

/**
 * JSON text as a JSON column can hold it: every lone surrogate's escape (`"\ud800"`, which
 * JSON.stringify writes for a lone surrogate and a log line may contain) becomes `\ufffd`, the
 * character DuckDB stores for a lone surrogate in a VARCHAR. DuckDB's JSON functions reject a
 * lone surrogate ("no low surrogate in string"): stored as it came, one such prompt made every
 * later JSON read of its row fail. Escaped pairs (`\ud83d\ude00`) are kept. Text without a
 * backslash is returned at once (no escape at all).
 */
export function storableJson(json: string): string {
  if (!json.includes('\\u')) return json;
  return json.replace(SURROGATE_ESCAPE, (m) => (m.length === 6 ? '\\ufffd' : m));
}
