import { createHash } from 'node:crypto';
import { RecordError } from './errors.js';
import { effectiveMapping } from './adapters/attribution.js';
import { adapterByName, detectAdapter, type FieldMapping, type LogAdapter, type MappingOverride } from './adapters/index.js';
import { isObject, type JsonObject } from './adapters/fields.js';
import type { CanonicalRequest } from './request.js';

export type RecordOutcome =
  | { ok: true; request: CanonicalRequest; contentHash: string; raw: JsonObject }
  | { ok: false; field: string; reason: string };

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

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A fingerprint of a request's content, independent of file format and key order. */
export function canonicalHash(r: CanonicalRequest): string {
  const { request_id: _id, source_format: _fmt, ...content } = r;
  return sha256(JSON.stringify(sortKeys(content)));
}

function sortKeys(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/**
 * Turns one raw log record (already parsed JSON) into a canonical request, or says precisely
 * which field made it unreadable. Pure: no I/O.
 */
export function readRecord(record: unknown, opts: RecordReaderOptions): RecordOutcome {
  if (!isObject(record)) {
    return { ok: false, field: '(record)', reason: `expected a JSON object, got ${Array.isArray(record) ? 'an array' : typeof record}` };
  }
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
    return { ok: true, request, contentHash, raw: record };
  } catch (err) {
    if (err instanceof RecordError) return { ok: false, field: err.field, reason: err.message };
    throw err;
  }
}

/** Parses one line of JSONL; a syntax error becomes a reject naming the position. */
export function readJsonLine(line: string, opts: RecordReaderOptions): RecordOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    return { ok: false, field: '(json)', reason: m ? `invalid JSON at character ${Number(m[1]) + 1}` : 'invalid JSON' };
  }
  return readRecord(parsed, opts);
}
