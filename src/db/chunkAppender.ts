import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, DuckDBTypeId, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import type { ChunkPump, ChunkSink } from './chunkPump.js';

/** Rows per DataChunk: DuckDB's vector size, the most a chunk holds. */
export const CHUNK_ROWS = 2048;
/**
 * Rows an Appender buffers before handing them to the table. Unflushed rows sit in the
 * Appender's own memory, outside DuckDB's memory_limit (measured: ~5 KB per chat request, 1 GB
 * at 200k rows); flushed rows go to the transaction's storage, which the limit governs and
 * DuckDB writes out as row groups fill.
 */
export const APPENDER_FLUSH_ROWS = 8192;

const TWO_32 = 4294967296;

interface Column {
  /** Bytes per value in the vector's data (0: strings, written into the vector as they come). */
  readonly width: number;
  readonly list: boolean;
  /** Fixed-width values of the current chunk (lists: offset and length, 16 bytes per row). */
  readonly data: ArrayBuffer;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly u8: Uint8Array;
  /** One bit per row, 1 = valid (DuckDB's layout). */
  readonly validity: Uint8Array;
  hasNull: boolean;
  /** Set once for every row (constant) instead of per row. */
  constant: boolean;
  /** A string every row holds (see constantString). */
  constantText: Uint8Array | undefined;
  /**
   * Strings (of a VARCHAR column, or of a list's child vector) that do not fit inline in their
   * 16-byte entry: assigned to the vector once the entries are copied in, by row (child index).
   */
  longAt: number[];
  longValue: (Uint8Array | string)[];
  /**
   * Long strings that repeat within the chunk are assigned once: a repeat gets a copy of the
   * first one's entry (which points at the same bytes in the chunk's string heap). The first
   * row (child index) of each text, keyed by its string, or by its start in `sharedText`.
   */
  firstOf: Map<string | number, number>;
  sharedText: Uint8Array | undefined;
  copyFrom: number[];
  copyTo: number[];
  /** Lists: the child vector's entries, and how many there are so far. */
  childData: Uint8Array;
  listSize: number;
  /** Entries (rows, or list items) already written into the vector (see `settle`). */
  settled: number;
}

/**
 * Appends rows to one table as DataChunks that it fills in place, column by column: numbers go
 * into typed arrays and NULLs into validity bitmasks, copied into the chunk's vectors once per
 * chunk; a string of up to 12 bytes is written into its 16-byte entry here and copied with its
 * column; a longer one is handed to DuckDB (one native call, from UTF-8 bytes or a JS string),
 * once per chunk when it repeats. A row Appender makes one or more native calls per value, and
 * node-api's DataChunk vectors keep every value in JS arrays first. Every row must set every
 * column that is not constant (a string cell left unset reads as ''). A full chunk goes to its
 * sink: the Appender (flushed on this thread) or, given a ChunkPump, a queue of the pump's
 * (inserted from DuckDB's threads); see `forTable`.
 */
export class ChunkAppender {
  private readonly columns: Column[];
  private chunk: DuckDBDataChunk;
  /** Which columns of the current chunk may hold NULLs. */
  private readonly nullable: boolean[];
  /** The current row's index in the chunk. */
  private row = 0;
  /** Rows appended in all. */
  count = 0;

  constructor(
    private readonly sink: ChunkSink,
    types: readonly DuckDBType[],
    first: DuckDBDataChunk = DuckDBDataChunk.create(types),
  ) {
    this.columns = types.map((t) => column(t));
    this.nullable = types.map(() => false);
    this.chunk = first;
  }

  /**
   * For every column of the Appender's table, with the table's own types (JSON included). Chunks
   * go through the Appender, or, with `via`, to that table (`via.table`, as SQL names it) through
   * the pump, from DuckDB's threads (see ChunkPump); the Appender is then only asked for its types.
   */
  static forTable(appender: DuckDBAppender, via?: { pump: ChunkPump; table: string }): ChunkAppender {
    const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    if (!via) return new ChunkAppender(new AppenderSink(appender), types);
    appender.closeSync();
    const queue = via.pump.queue(via.table, types);
    return new ChunkAppender(queue, types, queue.fresh());
  }

  /** A string cell from the UTF-8 bytes utf8[start, end). */
  bytes(col: number, utf8: Uint8Array, start = 0, end = utf8.length): void {
    const c = this.columns[col]!;
    if (!inlineBytes(c.u8, this.row, utf8, start, end)) {
      c.longAt.push(this.row);
      c.longValue.push(utf8.subarray(start, end));
    }
  }

  /**
   * `bytes` for a range of `text` that an earlier cell had too, where ranges of one `text` that
   * start at the same place hold the same bytes (EncodedRows' shared cells): the first of them in
   * this chunk and column is copied into the chunk, the others reuse that copy.
   */
  repeatedTextRange(col: number, text: Uint8Array, start: number, end: number): void {
    const c = this.columns[col]!;
    if (inlineBytes(c.u8, this.row, text, start, end)) return;
    if (c.sharedText !== text) {
      c.sharedText = text;
      c.firstOf.clear();
    }
    this.longOrRepeat(c, this.row, start, text, start, end);
  }

  string(col: number, s: string): void {
    const c = this.columns[col]!;
    if (!inlineAscii(c.u8, this.row, s)) {
      c.longAt.push(this.row);
      c.longValue.push(s);
    }
  }

  /** A string cell of a column with few distinct values: each long one is copied into the chunk once. */
  sharedString(col: number, s: string): void {
    const c = this.columns[col]!;
    if (!inlineAscii(c.u8, this.row, s)) this.longOrRepeat(c, this.row, s, s);
  }

  /** `value` (a string, or text[start, end)) at entry `at`: assigned if it is the first in the chunk, else copied from the first. */
  private longOrRepeat(c: Column, at: number, key: string | number, value: Uint8Array | string, start = 0, end = 0): void {
    const first = c.firstOf.get(key);
    if (first === undefined) {
      c.firstOf.set(key, at);
      c.longAt.push(at);
      c.longValue.push(typeof value === 'string' ? value : value.subarray(start, end));
    } else {
      c.copyFrom.push(first);
      c.copyTo.push(at);
    }
  }

  null(col: number): void {
    const c = this.columns[col]!;
    c.validity[this.row >> 3]! &= ~(1 << (this.row & 7));
    c.hasNull = true;
    if (c.width === 0 && !c.list) c.u8.fill(0, this.row * 16, this.row * 16 + 16);
  }

  double(col: number, v: number): void {
    this.columns[col]!.f64[this.row] = v;
  }

  integer(col: number, v: number): void {
    this.columns[col]!.i32[this.row] = v;
  }

  /** A BIGINT (or TIMESTAMP, in microseconds) from a number: whole numbers are exact up to 2^53. */
  int64(col: number, v: number): void {
    setInt64(this.columns[col]!.i32, this.row, v);
  }

  boolean(col: number, v: boolean): void {
    this.columns[col]!.u8[this.row] = v ? 1 : 0;
  }

  /** A LIST(VARCHAR) cell. */
  stringList(col: number, items: readonly string[]): void {
    const c = this.columns[col]!;
    const at = c.listSize;
    if ((at + items.length) * 16 > c.childData.length) {
      const next = new Uint8Array(Math.max(c.childData.length * 2, (at + items.length) * 16));
      next.set(c.childData);
      c.childData = next;
    }
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (!inlineAscii(c.childData, at + k, item)) this.longOrRepeat(c, at + k, item, item);
    }
    c.listSize = at + items.length;
    const e = this.row * 4;
    c.i32[e] = at;
    c.i32[e + 1] = 0;
    c.i32[e + 2] = items.length;
    c.i32[e + 3] = 0;
  }

  /** Every row of a column gets this 64-bit value (a BIGINT or TIMESTAMP constant), or NULL. */
  constantInt64(col: number, v: number | null): void {
    const c = this.columns[col]!;
    c.constant = true;
    if (v === null) {
      c.validity.fill(0);
      c.hasNull = true;
    } else for (let r = 0; r < CHUNK_ROWS; r++) setInt64(c.i32, r, v);
  }

  /**
   * Every row of a VARCHAR column holds this string: DuckDB copies it into the chunk once, and
   * each row's entry points at that copy.
   */
  constantString(col: number, s: string): void {
    const c = this.columns[col]!;
    c.constant = true;
    c.constantText = new TextEncoder().encode(s);
  }

  /** Every row of a column is NULL. */
  constantNull(col: number): void {
    const c = this.columns[col]!;
    c.constant = true;
    c.validity.fill(0);
    c.hasNull = true;
  }

  /**
   * Writes the strings of the rows appended since the last call into the chunk's vectors, so that
   * nothing here refers to the byte buffers they came from any more (the caller may reuse them).
   */
  settle(): void {
    const chunk = this.chunk.chunk;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      if (c.list) {
        if (c.listSize === c.settled) continue;
        const v = duckdb.data_chunk_get_vector(chunk, i);
        duckdb.list_vector_reserve(v, c.listSize);
        writeStrings(duckdb.list_vector_get_child(v), c, c.childData, c.listSize);
      } else if (c.width === 0 && c.constantText === undefined && this.row > c.settled) {
        writeStrings(duckdb.data_chunk_get_vector(chunk, i), c, c.u8, this.row);
      }
      if (c.sharedText !== undefined) {
        // Its ranges' first rows (firstOf) name places in a buffer the caller may now refill:
        // a later range at the same start must not be taken for a repeat of this one.
        c.sharedText = undefined;
        c.firstOf.clear();
      }
    }
  }

  endRow(): void {
    this.count++;
    if (++this.row === CHUNK_ROWS) this.appendChunk();
  }

  close(): void {
    if (this.row > 0) this.appendChunk();
    this.sink.close();
  }

  abort(): void {
    this.sink.abort();
  }

  private appendChunk(): void {
    this.settle();
    const n = this.row;
    const chunk = this.chunk.chunk;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      const v = duckdb.data_chunk_get_vector(chunk, i);
      if (c.list) {
        duckdb.list_vector_set_size(v, c.listSize);
        duckdb.copy_data_to_vector(v, 0, c.data, 0, n * 16);
        c.listSize = 0;
      } else if (c.width > 0) duckdb.copy_data_to_vector(v, 0, c.data, 0, n * c.width);
      else if (c.constantText) {
        duckdb.vector_assign_string_element_len(v, 0, c.constantText);
        const entry = duckdb.vector_get_data(v, 16);
        for (let r = 0; r < n; r++) c.u8.set(entry, r * 16);
        duckdb.copy_data_to_vector(v, 0, c.data, 0, n * 16);
      }
      c.settled = 0;
      c.firstOf.clear();
      c.sharedText = undefined;
      this.nullable[i] = c.hasNull;
      if (c.hasNull) {
        duckdb.vector_ensure_validity_writable(v);
        duckdb.copy_data_to_vector_validity(v, 0, c.validity.buffer as ArrayBuffer, 0, Math.ceil(n / 64) * 8);
        if (!c.constant) {
          c.validity.fill(0xff);
          c.hasNull = false;
        }
      }
    }
    duckdb.data_chunk_set_size(chunk, n);
    this.chunk = this.sink.put(this.chunk, this.nullable);
    this.row = 0;
  }
}

/** Chunks through an Appender, flushed every APPENDER_FLUSH_ROWS rows, on the calling thread. */
class AppenderSink implements ChunkSink {
  private sinceFlush = 0;

  constructor(private readonly appender: DuckDBAppender) {}

  put(chunk: DuckDBDataChunk): DuckDBDataChunk {
    const n = duckdb.data_chunk_get_size(chunk.chunk);
    this.appender.appendDataChunk(chunk);
    // The chunk is reused: reset empties its string heap and marks every row valid again.
    duckdb.data_chunk_reset(chunk.chunk);
    // Unflushed rows sit in the Appender's memory, outside DuckDB's memory_limit (see APPENDER_FLUSH_ROWS).
    this.sinceFlush += n;
    if (this.sinceFlush >= APPENDER_FLUSH_ROWS) this.flush();
    return chunk;
  }

  flush(): void {
    this.appender.flushSync();
    this.sinceFlush = 0;
  }

  close(): void {
    this.flush();
    this.appender.closeSync();
  }

  abort(): void {
    try {
      this.appender.closeSync();
    } catch {
      /* already closed */
    }
  }
}

/**
 * DuckDB's string entry (string_t) is 16 bytes: a uint32 length, then up to 12 bytes inline
 * (zero-padded) or a 4-byte prefix and a pointer. A string of at most 12 bytes is written inline
 * here, in JS, and reaches the vector with the rest of its column in one copy; a longer one is
 * assigned by DuckDB (which copies it into the vector's string heap). Returns false for those.
 */
const INLINE_BYTES = 12;

function inlineBytes(entries: Uint8Array, row: number, src: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  if (len > INLINE_BYTES) return false;
  const o = row * 16;
  writeLength(entries, o, len);
  for (let k = 0; k < len; k++) entries[o + 4 + k] = src[start + k]!;
  entries.fill(0, o + 4 + len, o + 16);
  return true;
}

/** inlineBytes for a JS string that is short and ASCII (its UTF-16 units are its bytes). */
function inlineAscii(entries: Uint8Array, row: number, s: string): boolean {
  const len = s.length;
  if (len > INLINE_BYTES) return false;
  const o = row * 16;
  for (let k = 0; k < len; k++) {
    const u = s.charCodeAt(k);
    if (u > 0x7f) return false;
    entries[o + 4 + k] = u;
  }
  writeLength(entries, o, len);
  entries.fill(0, o + 4 + len, o + 16);
  return true;
}

function writeLength(entries: Uint8Array, o: number, len: number): void {
  entries[o] = len;
  entries[o + 1] = 0;
  entries[o + 2] = 0;
  entries[o + 3] = 0;
}

/**
 * Writes entries [c.settled, to) of a string vector: the inline ones from `entries`, then the long
 * strings (DuckDB copies them into the chunk), then each repeat gets its first copy's entry.
 */
function writeStrings(v: duckdb.Vector, c: Column, entries: Uint8Array, to: number): void {
  const from = c.settled;
  duckdb.copy_data_to_vector(v, from * 16, entries.buffer as ArrayBuffer, entries.byteOffset + from * 16, (to - from) * 16);
  for (let k = 0; k < c.longAt.length; k++) {
    const value = c.longValue[k]!;
    if (typeof value === 'string') duckdb.vector_assign_string_element(v, c.longAt[k]!, value);
    else duckdb.vector_assign_string_element_len(v, c.longAt[k]!, value);
  }
  if (c.copyTo.length > 0) {
    // The vector's entries as they are now (the long ones point into its string heap): copy the
    // first one's entry to each repeat and put them back.
    const all = duckdb.vector_get_data(v, to * 16);
    for (let k = 0; k < c.copyTo.length; k++) all.copyWithin(c.copyTo[k]! * 16, c.copyFrom[k]! * 16, c.copyFrom[k]! * 16 + 16);
    duckdb.copy_data_to_vector(v, from * 16, all.buffer as ArrayBuffer, all.byteOffset + from * 16, (to - from) * 16);
  }
  c.longAt.length = 0;
  c.longValue.length = 0;
  c.copyFrom.length = 0;
  c.copyTo.length = 0;
  c.settled = to;
}

function setInt64(i32: Int32Array, row: number, v: number): void {
  const whole = Math.trunc(v);
  const hi = Math.floor(whole / TWO_32);
  i32[row * 2] = whole - hi * TWO_32; // stored as the low 32 bits
  i32[row * 2 + 1] = hi;
}

const WIDTH: Partial<Record<DuckDBTypeId, number>> = {
  [DuckDBTypeId.BOOLEAN]: 1,
  [DuckDBTypeId.INTEGER]: 4,
  [DuckDBTypeId.BIGINT]: 8,
  [DuckDBTypeId.DOUBLE]: 8,
  [DuckDBTypeId.TIMESTAMP]: 8,
  [DuckDBTypeId.VARCHAR]: 0,
  [DuckDBTypeId.LIST]: 0,
};

/** Bytes per row of a vector of type `t`: a fixed-width value, or a 16-byte string or list entry. */
export function entryBytes(t: DuckDBType): number {
  const width = WIDTH[t.typeId];
  if (width === undefined) throw new Error(`ChunkAppender: no column of type ${t.toString()}`);
  return width === 0 ? 16 : width;
}

function column(t: DuckDBType): Column {
  // Strings: their 16-byte entries; lists: offset and length (16 bytes) per row.
  const data = new ArrayBuffer(CHUNK_ROWS * entryBytes(t));
  const width = WIDTH[t.typeId]!;
  const list = t.typeId === DuckDBTypeId.LIST;
  return {
    width,
    list,
    data,
    i32: new Int32Array(data),
    f64: new Float64Array(data),
    u8: new Uint8Array(data),
    validity: new Uint8Array(CHUNK_ROWS / 8).fill(0xff),
    hasNull: false,
    constant: false,
    constantText: undefined,
    longAt: [],
    longValue: [],
    firstOf: new Map(),
    sharedText: undefined,
    copyFrom: [],
    copyTo: [],
    childData: new Uint8Array(list ? CHUNK_ROWS * 16 : 0),
    listSize: 0,
    settled: 0,
  };
}
