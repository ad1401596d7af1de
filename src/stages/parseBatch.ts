import { isAscii, isUtf8 } from 'node:buffer';
import { readJsonLine, readRecord, type RecordOutcome, type RecordReaderOptions } from '../core/ingestRecord.js';
import { enrichFromJoin, type JoinedRequest } from '../core/join.js';
import { firstInvalidUtf8, invalidUtf8Reason, MAX_RECORD_BYTES, OVERLONG_KEPT_BYTES, overlongReason, startsWithBom } from '../core/jsonlLine.js';
import type { CanonicalRequest } from '../core/request.js';
import { RowEncoder, shiftSourceLines, toRequestRow, type EncodedRows, type RowBuffers } from '../core/requestRow.js';
import { isSampled } from '../core/sample.js';
import { DEFAULT_STORE_TEXT, maskText, textForStorage, type StoreTextMode } from '../core/storeText.js';
import { DERIVERS, type DeriverName } from './derivers.js';

/**
 * Turning raw records into stored rows, one batch at a time. Pure (no I/O, no DuckDB), so the
 * same function runs inline on the main thread and inside the parse workers, and both give the
 * same rows, rejects and lines.
 */

/** Raw text of a rejected record is kept up to this many characters. */
export const REJECT_RAW_MAX_CHARS = 64 * 1024;

export interface ParseOptions extends RecordReaderOptions {
  /** Shown in `source_file`. */
  file: string;
  kind: 'jsonl' | 'json' | 'csv' | 'parquet';
  /** Keep only requests whose id hashes below this rate (1 = keep all). */
  sampleRate: number;
  /** Per-request values observers asked for, computed here (see derivers.ts). */
  derive: DeriverName[];
  /** Request-log records by join key (`--join`): prompts for metadata-only records. Inline parsing only. */
  join?: ReadonlyMap<string, JoinedRequest>;
  /** How much prompt text is stored (default `redacted`). Derivers always see the original. */
  storeText?: StoreTextMode;
  /** Keep each stored request's original record in `raw` (default: no, see textForStorage). */
  storeRaw?: boolean;
}

/**
 * A batch: whole JSONL lines as bytes (lines numbered from 1 within the batch), or split
 * records (with the reader's own reject per record, if any). `overlongBytes`: the bytes are
 * the start of one line of that many bytes, too long to read (rejected whole).
 */
export type ParseJob =
  | { bytes: Uint8Array; firstBatch: boolean; overlongBytes?: number }
  | { texts: string[]; lines: number[]; rejects?: ({ field: string; reason: string } | null)[] };

/**
 * [line, field, reason, stored reason, stored raw, excerpt]: `reason` never quotes log text;
 * `stored reason` (for the rejects table) adds the offending value masked like the raw text;
 * `excerpt` is that value unmasked, for the terminal with --show-text only.
 */
export type RejectRow = [number, string, string, string, string | null, string | null];

export interface ParseResult {
  /** The stored rows, encoded for the writer (text as UTF-8 bytes: see EncodedRows). */
  rows: EncodedRows;
  /** Per row, the derived values in the order of ParseOptions.derive. */
  derived: unknown[][];
  rejects: RejectRow[];
  /** Records seen (non-blank lines). */
  read: number;
  /** Valid records dropped by --sample. */
  sampledOut: number;
  /** Records without prompt text that a joined request log supplied it for. */
  joined: number;
  /** Feature renames by joins, [gateway name, request-log name] per joined record that changed it. */
  renames: [string, string][];
  /** Lines the batch spanned (byte batches): the next batch's lines continue after these. */
  lineCount: number;
  /** Whether line numbers are relative to the batch (byte batches) or already absolute. */
  relativeLines: boolean;
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Parses JSON-looking CSV cells (messages, metadata) so the adapters see structures. */
export function expandCells(record: unknown): unknown {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return record;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (typeof v === 'string' && (v.startsWith('{') || v.startsWith('['))) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        /* a plain string that starts with a brace */
      }
    }
    out[k] = v;
  }
  return out;
}

/**
 * Turns one record's text (a JSONL line, or a CSV/Parquet/JSON record as JSON) into a request or
 * a reject. A Parquet row is read without the null object fields its file's schema gave it (see
 * withoutNullFields).
 */
export function decodeText(kind: ParseOptions['kind'], text: string, opts: RecordReaderOptions): RecordOutcome {
  if (kind !== 'csv') return readJsonLine(text, opts, kind === 'parquet');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return readRecord(expandCells(parsed), opts);
}

/** `spare`: the buffers of a spent batch for the rows (see rowBuffers). */
export function parseBatch(job: ParseJob, opts: ParseOptions, spare?: RowBuffers): ParseResult {
  // Stored text is about as long as the records it comes from: room for a bit more, so the buffer rarely grows.
  const encoder = new RowEncoder('bytes' in job ? job.bytes.length + (job.bytes.length >> 2) : 1 << 16, 256, spare);
  const out: Omit<ParseResult, 'rows'> = { derived: [], rejects: [], read: 0, sampledOut: 0, joined: 0, renames: [], lineCount: 0, relativeLines: 'bytes' in job };
  const derivers = opts.derive.map((name) => DERIVERS[name]);
  /** Requests of the rows, in order, for the derivers (run once the batch is parsed, see the end). */
  const toDerive: CanonicalRequest[] = [];
  const storeText = opts.storeText ?? DEFAULT_STORE_TEXT;
  const reject = (line: number, text: string, field: string, reason: string, excerpt?: string) => {
    // The table keeps the quote of the offending value (masked like the raw text); the terminal
    // gets it only with --show-text.
    const quoted = excerpt === undefined ? null : maskText(excerpt, storeText === 'hash' ? 'none' : storeText);
    const stored = quoted === null ? reason : `${reason}: ${quoted}`;
    out.rejects.push([line, field, reason, stored, maskText(text.slice(0, REJECT_RAW_MAX_CHARS), storeText), excerpt ?? null]);
  };
  const take = (text: string, line: number) => {
    out.read += 1;
    const outcome = decodeText(opts.kind, text, opts);
    if (!outcome.ok) {
      reject(line, text, outcome.field, outcome.reason, outcome.excerpt);
      return;
    }
    let r = outcome.request;
    if (opts.join && !r.has_prompt_text) {
      const hit = opts.join.get(r.request_id);
      if (hit) {
        const before = r.feature;
        r = enrichFromJoin(r, hit);
        if (r.feature !== before) out.renames.push([before, r.feature]);
        out.joined += 1;
      }
    }
    if (opts.sampleRate < 1 && !isSampled(r.request_id, opts.sampleRate)) {
      out.sampledOut += 1;
      return;
    }
    // Derivers (profiles) see the original request; only the stored columns are masked.
    encoder.add(toRequestRow(r, line, outcome.contentHash, textForStorage(r, outcome.raw, text, storeText, opts.storeRaw ?? false), storeText));
    if (derivers.length > 0) toDerive.push(r);
  };
  if ('bytes' in job) {
    const bytes = job.firstBatch && startsWithBom(job.bytes) ? job.bytes.subarray(3) : job.bytes;
    if (job.overlongBytes !== undefined) {
      out.read += 1;
      reject(1, decoder.decode(bytes.subarray(0, OVERLONG_KEPT_BYTES)), '(record)', overlongReason(job.overlongBytes));
      out.lineCount = 1;
      return { ...out, rows: encoder.finish() };
    }
    // Lines end at LF (a CR before it is dropped), as in readSource. Each line is decoded on its
    // own: an ASCII line as Latin-1 (a one-byte string, ~10x cheaper than UTF-8 decoding, which
    // here costs ~7 ms per 2 MB block even when every byte is ASCII), any other valid line as
    // UTF-8 — so one emoji no longer makes every line of its block a two-byte string, which
    // hashing and parsing handle 3-4x slower — and an invalid line is rejected naming its byte.
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    let n = 0;
    let start = 0;
    while (start < buf.length) {
      const nl = buf.indexOf(10, start);
      const end = nl < 0 ? buf.length : nl;
      const stop = end > start && buf[end - 1] === 0x0d ? end - 1 : end;
      const b = buf.subarray(start, stop);
      n += 1;
      const ascii = isAscii(b);
      if (!ascii && !isUtf8(b)) {
        out.read += 1;
        reject(n, decoder.decode(b), '(encoding)', invalidUtf8Reason(firstInvalidUtf8(b)));
      } else if (b.length > MAX_RECORD_BYTES) {
        out.read += 1;
        reject(n, decoder.decode(b.subarray(0, OVERLONG_KEPT_BYTES)), '(record)', overlongReason(b.length));
      } else {
        const text = buf.toString(ascii ? 'latin1' : 'utf8', start, stop);
        if (text.trim().length > 0) take(text, n);
      }
      start = end + 1;
    }
    out.lineCount = n;
  } else {
    for (let i = 0; i < job.texts.length; i++) {
      const pre = job.rejects?.[i];
      if (pre) {
        out.read += 1;
        reject(job.lines[i]!, job.texts[i]!, pre.field, pre.reason);
      } else take(job.texts[i]!, job.lines[i]!);
    }
  }
  // Derived values (profiles) are computed after the whole batch is parsed, not between records:
  // run between two records' parse work, the classifier found its tables (weight rows, tokenizer
  // bitsets) evicted from the cache every time (measured ~10 µs more per row, scripts/bench-derive.ts).
  for (const r of toDerive) out.derived.push(derivers.map((d) => d(r)));
  return { ...out, rows: encoder.finish() };
}

/** Shifts a byte batch's relative line numbers by the lines of the batches before it. */
export function makeLinesAbsolute(res: ParseResult, lineOffset: number): void {
  if (!res.relativeLines || lineOffset === 0) return;
  shiftSourceLines(res.rows, lineOffset);
  for (const rej of res.rejects) rej[0] += lineOffset;
}
