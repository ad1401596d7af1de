import { readJsonLine, readRecord, type RecordOutcome, type RecordReaderOptions } from '../core/ingestRecord.js';
import { enrichFromJoin, type JoinedRequest } from '../core/join.js';
import { ROW_SOURCE_LINE, toRequestRow, type RequestRow } from '../core/requestRow.js';
import { isSampled } from '../core/sample.js';
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
}

/** A batch: whole JSONL lines as bytes (lines numbered from 1 within the batch), or split records. */
export type ParseJob =
  | { bytes: Uint8Array; firstBatch: boolean }
  | { texts: string[]; lines: number[] };

/** [line, field, reason, raw] */
export type RejectRow = [number, string, string, string];

export interface ParseResult {
  rows: RequestRow[];
  /** Per row, the derived values in the order of ParseOptions.derive. */
  derived: unknown[][];
  rejects: RejectRow[];
  /** Records seen (non-blank lines). */
  read: number;
  /** Valid records dropped by --sample. */
  sampledOut: number;
  /** Records without prompt text that a joined request log supplied it for. */
  joined: number;
  /** Lines the batch spanned (byte batches): the next batch's lines continue after these. */
  lineCount: number;
  /** Whether line numbers are relative to the batch (byte batches) or already absolute. */
  relativeLines: boolean;
}

/** Line breaks as node:readline sees them (CRLF, LF, lone CR). */
const LINE_BREAK = /\r?\n|\r(?!\n)/;
const decoder = new TextDecoder('utf-8');

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

/** Turns one record's text (a JSONL line, or a CSV/Parquet/JSON record as JSON) into a request or a reject. */
export function decodeText(kind: ParseOptions['kind'], text: string, opts: RecordReaderOptions): RecordOutcome {
  if (kind !== 'csv') return readJsonLine(text, opts);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return readRecord(expandCells(parsed), opts);
}

export function parseBatch(job: ParseJob, opts: ParseOptions): ParseResult {
  const out: ParseResult = { rows: [], derived: [], rejects: [], read: 0, sampledOut: 0, joined: 0, lineCount: 0, relativeLines: 'bytes' in job };
  const derivers = opts.derive.map((name) => DERIVERS[name]);
  const take = (text: string, line: number) => {
    out.read += 1;
    const outcome = decodeText(opts.kind, text, opts);
    if (!outcome.ok) {
      out.rejects.push([line, outcome.field, outcome.reason, text.slice(0, REJECT_RAW_MAX_CHARS)]);
      return;
    }
    let r = outcome.request;
    if (opts.join && !r.has_prompt_text) {
      const hit = opts.join.get(r.request_id);
      if (hit) {
        r = enrichFromJoin(r, hit);
        out.joined += 1;
      }
    }
    if (opts.sampleRate < 1 && !isSampled(r.request_id, opts.sampleRate)) {
      out.sampledOut += 1;
      return;
    }
    out.rows.push(toRequestRow(r, line, outcome.contentHash, { system_prompt: r.system_prompt, messages: JSON.stringify(r.messages), raw: text }));
    if (derivers.length > 0) out.derived.push(derivers.map((d) => d(r)));
  };
  if ('bytes' in job) {
    const lines = decoder.decode(job.bytes).split(LINE_BREAK);
    let n = lines.length;
    if (n > 0 && lines[n - 1] === '') n -= 1; // the batch ends with a line break
    if (job.firstBatch && n > 0) lines[0] = lines[0]!.replace(/^\uFEFF/, '');
    for (let i = 0; i < n; i++) {
      const text = lines[i]!;
      if (text.trim().length === 0) continue;
      take(text, i + 1);
    }
    out.lineCount = n;
  } else {
    for (let i = 0; i < job.texts.length; i++) take(job.texts[i]!, job.lines[i]!);
  }
  return out;
}

/** Shifts a byte batch's relative line numbers by the lines of the batches before it. */
export function makeLinesAbsolute(res: ParseResult, lineOffset: number): void {
  if (!res.relativeLines || lineOffset === 0) return;
  for (const row of res.rows) row[ROW_SOURCE_LINE] = (row[ROW_SOURCE_LINE] as number) + lineOffset;
  for (const rej of res.rejects) rej[0] += lineOffset;
}
