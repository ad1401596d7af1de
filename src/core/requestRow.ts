import { effectiveModel, type CanonicalRequest } from './request.js';
import { storableJson } from './jsonText.js';
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

/** JSON text as a JSON column holds it (see storableJson: a lone surrogate's escape becomes \ufffd). */
const stored = (json: string | null): string | null => (json === null ? null : storableJson(json));
const json = (v: unknown): string | null => (v === null || v === undefined ? null : stored(JSON.stringify(v)));

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
    stored(text.messages),
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
    stored(text.metadata),
    r.source_format,
    line,
    contentHash,
    stored(text.raw),
    storeText,
  ];
}

/**
 * A batch of request rows in columns, as parse workers hand them to the main thread: the text
 * cells (every `varchar` column) as UTF-8 bytes in one buffer, the other cells as numbers.
 * Its buffers are transferred between threads (no copy, no string rebuilt on the way), and the
 * writer hands byte ranges to DuckDB as they are: nothing is converted per cell on the main
 * thread. `ids` (the request ids as strings) is what the main thread needs as strings (repeat
 * detection, observers).
 */
export interface EncodedRows {
  count: number;
  ids: string[];
  /** UTF-8 of the text cells. */
  text: Uint8Array;
  /**
   * Per row and text column, cell c = row * TEXT_COLUMNS.length + k: its bytes are
   * text[cells[2c], cells[2c + 1]); a NULL cell has start -1. Short cells with the same text in
   * one batch (model names, features, ...) share one range, so a range's start identifies its
   * text within the batch (see SHARED_MAX_CHARS); a cell whose range an earlier cell wrote has
   * its start stored as `-2 - start` (see cellStart).
   */
  cells: Int32Array;
  /** Per row and value column (row * VALUE_COLUMNS.length + k): numbers; booleans as 0/1, timestamps as epoch ms. */
  values: Float64Array;
  /** 1 where a value cell is NULL (same indexing as `values`). */
  nulls: Uint8Array;
}

const indexesOf = (kinds: (k: ColumnKind) => boolean): number[] =>
  REQUEST_ROW_COLUMNS.flatMap(([, kind], i) => (kinds(kind) ? [i] : []));
/** The RequestRow indexes of the text columns, and of the others (value columns), in table order. */
export const TEXT_COLUMNS: readonly number[] = indexesOf((k) => k === 'varchar');
export const VALUE_COLUMNS: readonly number[] = indexesOf((k) => k !== 'varchar');
/** Where `source_line` sits among the value columns. */
const SOURCE_LINE_VALUE = VALUE_COLUMNS.indexOf(ROW_SOURCE_LINE);

const utf8 = new TextEncoder();
/** Text cells up to this many UTF-16 units are written once per batch and shared by every cell with that text. */
export const SHARED_MAX_CHARS = 256;
/**
 * The text columns whose values repeat across requests (1), in TEXT_COLUMNS order: ids, content
 * hashes, prompts and per-request metadata do not, and are not looked up.
 */
const SHARED = Uint8Array.from(TEXT_COLUMNS, (c) =>
  ['request_id', 'messages', 'metadata', 'content_sha256', 'raw'].includes(REQUEST_ROW_COLUMNS[c]![0]) ? 0 : 1,
);

/**
 * Builds an EncodedRows batch row by row. Text is encoded once, here (in the parse worker):
 * TextEncoder writes a lone surrogate as U+FFFD, as DuckDB's string appends do, and keeps NUL
 * characters.
 */
export class RowEncoder {
  private text: Uint8Array;
  private pos = 0;
  private cells: Int32Array;
  private values: Float64Array;
  private nulls: Uint8Array;
  private readonly ids: string[] = [];
  /** The first cell (its index in `cells`) of each short text written so far. */
  private readonly shared = new Map<string, number>();

  /**
   * `textBytes`: a first guess of the text size (the buffers grow as needed). `spare`: the
   * buffers of a spent batch to write into instead of new ones (see rowBuffers).
   */
  constructor(textBytes = 1 << 16, rows = 256, spare?: RowBuffers) {
    this.text = spare && spare.text.byteLength >= textBytes ? new Uint8Array(spare.text) : new Uint8Array(Math.max(textBytes, 1024));
    this.cells = spare ? new Int32Array(spare.cells) : new Int32Array(rows * TEXT_COLUMNS.length * 2);
    this.values = spare ? new Float64Array(spare.values) : new Float64Array(rows * VALUE_COLUMNS.length);
    this.nulls = spare ? new Uint8Array(spare.nulls) : new Uint8Array(rows * VALUE_COLUMNS.length);
  }

  get count(): number {
    return this.ids.length;
  }

  add(row: RequestRow): void {
    const r = this.ids.length;
    if ((r + 1) * TEXT_COLUMNS.length * 2 > this.cells.length) this.growRows();
    this.ids.push(row[TEXT_COLUMNS[0]!] as string);
    let e = r * TEXT_COLUMNS.length * 2;
    for (let k = 0; k < TEXT_COLUMNS.length; k++) {
      const v = row[TEXT_COLUMNS[k]!];
      if (v === null || v === undefined) {
        this.cells[e++] = -1;
        this.cells[e++] = -1;
        continue;
      }
      const s = v as string;
      // Only texts that repeat and are too long to be stored inline (more than 12 bytes) are worth a lookup.
      const share = SHARED[k] === 1 && s.length > 12 && s.length <= SHARED_MAX_CHARS;
      const at = share ? this.shared.get(s) : undefined;
      if (at !== undefined) {
        this.cells[e++] = -2 - this.cells[at]!;
        this.cells[e++] = this.cells[at + 1]!;
        continue;
      }
      // At most 3 bytes per UTF-16 unit.
      if (this.pos + s.length * 3 > this.text.length) this.growText(s.length * 3);
      const start = this.pos;
      this.pos = s.length <= 64 ? this.writeShort(s, start) : start + utf8.encodeInto(s, this.text.subarray(start)).written;
      this.cells[e++] = start;
      this.cells[e++] = this.pos;
      if (share) this.shared.set(s, e - 2);
    }
    let k = r * VALUE_COLUMNS.length;
    for (const c of VALUE_COLUMNS) {
      const v = row[c];
      if (v === null || v === undefined) {
        this.nulls[k] = 1;
        this.values[k++] = 0;
      } else {
        this.nulls[k] = 0;
        this.values[k++] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
      }
    }
  }

  /** Writes a short string at `at` (ASCII byte by byte, anything else through TextEncoder); returns where it ends. */
  private writeShort(s: string, at: number): number {
    const t = this.text;
    for (let i = 0; i < s.length; i++) {
      const u = s.charCodeAt(i);
      if (u > 0x7f) return at + utf8.encodeInto(s, t.subarray(at)).written;
      t[at + i] = u;
    }
    return at + s.length;
  }

  /** The batch (the encoder is spent). */
  finish(): EncodedRows {
    const n = this.ids.length;
    return {
      count: n,
      ids: this.ids,
      text: this.text.subarray(0, this.pos),
      cells: this.cells.subarray(0, n * TEXT_COLUMNS.length * 2),
      values: this.values.subarray(0, n * VALUE_COLUMNS.length),
      nulls: this.nulls.subarray(0, n * VALUE_COLUMNS.length),
    };
  }

  private growText(need: number): void {
    const next = new Uint8Array(Math.max(this.text.length * 2, this.pos + need));
    next.set(this.text.subarray(0, this.pos));
    this.text = next;
  }

  private growRows(): void {
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const next = make(a.length * 2);
      next.set(a);
      return next;
    };
    this.cells = grow(this.cells, (n) => new Int32Array(n));
    this.values = grow(this.values, (n) => new Float64Array(n));
    this.nulls = grow(this.nulls, (n) => new Uint8Array(n));
  }
}

/** Where a text cell's bytes start (given its stored start, -1 for NULL: see EncodedRows.cells). */
export function cellStart(stored: number): number {
  return stored < -1 ? -2 - stored : stored;
}

/**
 * The buffers of a batch. Once the writer is done with a batch it hands them back to be written
 * into again (parsePool's `recycle`): the main thread then holds no spent batch, which its garbage
 * collector, seeing little garbage of its own, would otherwise free only rarely (measured: ~1 KB
 * per row kept at 200k rows).
 */
export interface RowBuffers {
  text: ArrayBuffer;
  cells: ArrayBuffer;
  values: ArrayBuffer;
  nulls: ArrayBuffer;
}

export function rowBuffers(rows: EncodedRows): RowBuffers {
  return { text: rows.text.buffer as ArrayBuffer, cells: rows.cells.buffer as ArrayBuffer, values: rows.values.buffer as ArrayBuffer, nulls: rows.nulls.buffer as ArrayBuffer };
}

/** The buffers of a batch, for a transfer list. */
export function encodedBuffers(b: RowBuffers): ArrayBuffer[] {
  return [b.text, b.cells, b.values, b.nulls];
}

/** Row `i`'s source line. */
export function encodedSourceLine(rows: EncodedRows, i: number): number {
  return rows.values[i * VALUE_COLUMNS.length + SOURCE_LINE_VALUE]!;
}

/** Adds `offset` to every row's source line (byte batches number their lines from 1). */
export function shiftSourceLines(rows: EncodedRows, offset: number): void {
  const w = VALUE_COLUMNS.length;
  for (let i = 0; i < rows.count; i++) rows.values[i * w + SOURCE_LINE_VALUE]! += offset;
}

/** Row `i` back as a RequestRow (tests, and anything that wants plain values). */
export function decodeRow(rows: EncodedRows, i: number): RequestRow {
  const row: RequestRow = new Array<RowValue>(REQUEST_ROW_COLUMNS.length);
  const dec = new TextDecoder();
  TEXT_COLUMNS.forEach((c, k) => {
    const at = (i * TEXT_COLUMNS.length + k) * 2;
    const start = rows.cells[at]!;
    row[c] = start === -1 ? null : dec.decode(rows.text.subarray(cellStart(start), rows.cells[at + 1]!));
  });
  VALUE_COLUMNS.forEach((c, k) => {
    const at = i * VALUE_COLUMNS.length + k;
    const v = rows.values[at]!;
    row[c] = rows.nulls[at] ? null : REQUEST_ROW_COLUMNS[c]![1] === 'boolean' ? v === 1 : v;
  });
  return row;
}

/** Every row of a batch as RequestRows. */
export function decodeRows(rows: EncodedRows): RequestRow[] {
  return Array.from({ length: rows.count }, (_, i) => decodeRow(rows, i));
}
