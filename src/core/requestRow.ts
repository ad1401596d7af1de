import { effectiveModel, type CanonicalRequest } from './request.js';
import type { StoreTextMode, TextForStorage } from './storeText.js';

/**
 * A stored request as a flat tuple of plain values, in the column order of the ingest staging
 * table (the `requests` columns that vary per row; `source_file` and `ingested_at` are the same
 * for a whole file and are added when the rows move into place). Parse workers build these so
 * the main thread only appends; they cross thread boundaries cheaply (no nested objects).
 */
export type ColumnKind = 'varchar' | 'bigint' | 'integer' | 'double' | 'boolean' | 'timestamp_ms';

export const REQUEST_ROW_COLUMNS: readonly (readonly [name: string, kind: ColumnKind])[] = [
  ['request_id', 'varchar'],
  ['ts', 'timestamp_ms'],
  ['feature', 'varchar'],
  ['tenant_id', 'varchar'],
  ['user_id', 'varchar'],
  ['requested_model', 'varchar'],
  ['served_model', 'varchar'],
  ['model', 'varchar'],
  ['provider', 'varchar'],
  ['system_prompt', 'varchar'],
  ['messages', 'varchar'],
  ['has_prompt_text', 'boolean'],
  ['tools', 'varchar'],
  ['tool_count', 'integer'],
  ['response_format', 'varchar'],
  ['max_tokens', 'bigint'],
  ['temperature', 'double'],
  ['stream', 'boolean'],
  ['prompt_tokens', 'bigint'],
  ['completion_tokens', 'bigint'],
  ['reasoning_tokens', 'bigint'],
  ['cached_tokens', 'bigint'],
  ['cost_usd', 'double'],
  ['latency_ms', 'double'],
  ['ttft_ms', 'double'],
  ['finish_reason', 'varchar'],
  ['status', 'varchar'],
  ['error', 'varchar'],
  ['metadata', 'varchar'],
  ['source_format', 'varchar'],
  ['source_line', 'bigint'],
  ['content_sha256', 'varchar'],
  ['raw', 'varchar'],
  // Written explicitly: migration 6's rebuilt table has no column defaults.
  ['store_text', 'varchar'],
];

export type RowValue = string | number | boolean | null;
export type RequestRow = RowValue[];

/** Index of `source_line` in a RequestRow (workers fill it relative to their batch). */
export const ROW_SOURCE_LINE = REQUEST_ROW_COLUMNS.findIndex(([n]) => n === 'source_line');

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/** The text columns as stored (masked per --store-text; see core/storeText.ts). */
export type StoredText = TextForStorage;

export function toRequestRow(r: CanonicalRequest, line: number, contentHash: string, text: StoredText, storeText: StoreTextMode): RequestRow {
  return [
    r.request_id,
    r.timestamp ? r.timestamp.getTime() : null,
    r.feature,
    r.tenant_id,
    r.user_id,
    r.requested_model,
    r.served_model,
    effectiveModel(r) ?? 'unknown',
    r.provider,
    text.system_prompt,
    text.messages,
    r.has_prompt_text,
    json(r.tools),
    r.tools?.length ?? 0,
    json(r.response_format),
    r.max_tokens,
    r.temperature,
    r.stream,
    r.prompt_tokens,
    r.completion_tokens,
    r.reasoning_tokens,
    r.cached_tokens,
    r.cost_usd,
    r.latency_ms,
    r.ttft_ms,
    r.finish_reason,
    r.status,
    text.error,
    text.metadata,
    r.source_format,
    line,
    contentHash,
    text.raw,
    storeText,
  ];
}
