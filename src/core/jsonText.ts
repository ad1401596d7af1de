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
 * The last few long strings quoted, with their JSON: a record's prompt texts are quoted twice
 * (content hash, then the messages column), and `===` finds the same string at once (different
 * lengths differ at once too). Any hit is exact: equal strings have equal JSON.
 */
const RECENT = 8;
const recentText: string[] = new Array<string>(RECENT).fill('');
const recentJson: string[] = new Array<string>(RECENT).fill('""');
let recentNext = 0;

/** `JSON.stringify(s)`. */
export function jsonString(s: string): string {
  if (s.length < SHORT) return needsEscape(s) ? JSON.stringify(s) : `"${s}"`;
  for (let i = 0; i < RECENT; i++) if (recentText[i] === s) return recentJson[i]!;
  const json = needsEscape(s) ? JSON.stringify(s) : `"${s}"`;
  recentText[recentNext] = s;
  recentJson[recentNext] = json;
  recentNext = (recentNext + 1) % RECENT;
  return json;
}

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
      return Number.isFinite(v) ? String(v) : 'null';
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
 * `JSON.stringify({ ...obj, [key]: replacement })` when `replacementJson` (the JSON of the
 * replacement) is given, else `JSON.stringify(obj)`, for a flat object of plain values
 * (a chat message): the replaced value keeps its key's place, or comes last when the key is new.
 */
export function jsonObjectWith(obj: object, key: string, replacementJson?: string): string {
  let out = '{';
  let replaced = replacementJson === undefined;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    let piece: string | undefined;
    if (!replaced && k === key) {
      piece = replacementJson;
      replaced = true;
    } else piece = jsonValue((obj as Record<string, unknown>)[k]);
    if (piece === undefined) continue;
    out += (out.length === 1 ? '' : ',') + jsonString(k) + ':' + piece;
  }
  if (!replaced) out += (out.length === 1 ? '' : ',') + jsonString(key) + ':' + replacementJson;
  return out + '}';
}
