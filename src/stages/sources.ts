import { createReadStream, openSync, readSync, closeSync, statSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { createGunzip, gunzipSync } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { PnyxError } from '../core/errors.js';
import { exceedsNesting, jsonErrorReason, MAX_NESTING } from '../core/ingestRecord.js';
import { firstInvalidUtf8, invalidUtf8Reason, MAX_RECORD_BYTES, OVERLONG_KEPT_BYTES, overlongReason, startsWithBom } from '../core/jsonlLine.js';
import type { PnyxDb } from '../db/database.js';
import { streamJsonlBlocks, streamJsonRows } from '../db/readers.js';
import type { ParseJob } from './parseBatch.js';

export { firstInvalidUtf8, MAX_RECORD_BYTES };

/** Input file kinds pnyx reads. */
export type SourceKind = 'jsonl' | 'json' | 'csv' | 'parquet';

export interface SourceInfo {
  path: string;
  kind: SourceKind;
  gzip: boolean;
  size: number;
}

/** A record the reader itself found unreadable. */
export interface ReaderReject {
  field: string;
  reason: string;
}

/** One record as read from a file: its position and its text (JSON for every kind). */
export interface SourceRecord {
  /** Line (JSONL), record index (JSON array) or data row (CSV/Parquet), 1-based. */
  line: number;
  text: string;
  /** Already-parsed value, when the reader had to parse to split records. */
  value?: unknown;
  /** Set when the reader itself found the record unreadable (encoding, size, nesting). */
  reject?: ReaderReject;
}

/** JSON arrays are parsed whole; beyond this the JS engine cannot hold the text. */
export const MAX_JSON_ARRAY_BYTES = 400 * 1024 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b];

function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Decides how to read a file: by extension, else by its first bytes. */
export function describeSource(path: string): SourceInfo {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PnyxError('input', code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code})`);
  }
  if (st.isDirectory()) throw new PnyxError('input', `${path}: is a directory (give files or a glob)`);
  const lower = path.toLowerCase();
  const gzipByName = lower.endsWith('.gz');
  const head = readHead(path, 4);
  const isGzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  if (gzipByName && !isGzip && st.size > 0) throw new PnyxError('input', `${path}: named .gz but is not gzip data`);
  const base = gzipByName ? lower.slice(0, -3) : lower;
  let kind: SourceKind | undefined;
  if (base.endsWith('.jsonl') || base.endsWith('.ndjson')) kind = 'jsonl';
  else if (base.endsWith('.json')) kind = 'json';
  else if (base.endsWith('.csv') || base.endsWith('.tsv')) kind = 'csv';
  else if (base.endsWith('.parquet') || base.endsWith('.pq')) kind = 'parquet';
  else if (!isGzip) {
    const first = head.toString('utf8').replace(/^\uFEFF/, '').trimStart()[0];
    if (head.toString('latin1') === 'PAR1') kind = 'parquet';
    else if (first === '[') kind = 'json';
    else if (first === '{') kind = 'jsonl';
  }
  if (!kind) throw new PnyxError('input', `${path}: unknown file type (use .jsonl, .ndjson, .json, .csv, .parquet, optionally .gz)`);
  return { path, kind, gzip: gzipByName || isGzip, size: st.size };
}

/** Bytes read at a time by fileBlocks, unless told otherwise. */
const READ_BYTES = 4 << 20;

interface FileBlocksOptions {
  /** Where to start and stop reading (default: the whole file). */
  start?: number;
  end?: number;
  /** Bytes per read (default READ_BYTES). */
  bytes?: number;
  /** Where each read goes (at least `n` bytes long); default: one buffer that every block reuses. */
  into?: (n: number) => Buffer;
}

/**
 * The bytes of path[start, end) in blocks, each read into `into()`: with the default, a block is
 * valid until the next is asked for. Hashing a 2.2 GB log that way took 1.55-1.69 s (CPU 1.5-1.6 s)
 * against 2.7-3.8 s (CPU 3.7-5.3 s) with a read stream's fresh 64 KB chunks (scripts/bench-hash.ts).
 */
async function* fileBlocks(path: string, opts: FileBlocksOptions = {}): AsyncGenerator<Buffer> {
  const { start = 0, end = Infinity, bytes = READ_BYTES } = opts;
  const file = await open(path, 'r');
  try {
    let reused: Buffer | undefined;
    const into = opts.into ?? ((n: number) => (reused ??= Buffer.allocUnsafeSlow(n)));
    for (let position = start; position < end; ) {
      const buf = into(bytes);
      const { bytesRead } = await file.read(buf, 0, Math.min(bytes, end - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const block of fileBlocks(path)) h.update(block);
  return h.digest('hex');
}

/**
 * Where a plain JSONL file that grew by appending continues: when its first `prefixSize` bytes
 * hash to `prefixSha256` and end with a line break, returns the offset to read on from, the
 * lines before it, and the SHA-256 state of those bytes (to finish the whole file's hash).
 */
export async function appendedTo(path: string, prefixSize: number, prefixSha256: string): Promise<{ offset: number; lines: number; hash: Hash } | undefined> {
  if (prefixSize <= 0) return undefined;
  const h = createHash('sha256');
  let lines = 0;
  let last = -1;
  for await (const b of fileBlocks(path, { end: prefixSize })) {
    h.update(b);
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) lines += 1;
    last = b[b.length - 1]!;
  }
  if (last !== 10 || h.copy().digest('hex') !== prefixSha256) return undefined;
  return { offset: prefixSize, lines, hash: h };
}

function openText(info: SourceInfo): Readable {
  const raw = createReadStream(info.path);
  if (!info.gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** One line of bytes; `overlong` when it passed `maxBytes` and only its start was kept. */
export interface RawLine {
  line: number;
  bytes: Buffer;
  overlong: boolean;
  length: number;
}

/**
 * Splits a byte stream into lines (LF or CRLF) without decoding it, so each line's encoding can
 * be checked on its own. A line longer than `maxBytes` is not accumulated: its first bytes are
 * kept and the rest skipped up to the next newline.
 */
export async function* splitLines(input: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let length = 0;
  let line = 0;
  const keep = (b: Buffer) => {
    const before = length;
    length += b.length;
    if (length <= maxBytes) parts.push(b);
    else if (before <= maxBytes) {
      // Just went over the limit: hold only the first bytes (for the reject's raw text).
      parts = [Buffer.from(Buffer.concat([...parts, b]).subarray(0, OVERLONG_KEPT_BYTES))];
    }
  };
  const take = (): RawLine => {
    let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    line += 1;
    const out = { line, bytes, overlong: length > maxBytes, length };
    parts = [];
    length = 0;
    return out;
  };
  for await (const chunk of input) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        if (start < chunk.length) keep(chunk.subarray(start));
        break;
      }
      keep(chunk.subarray(start, nl));
      yield take();
      start = nl + 1;
    }
  }
  if (length > 0) yield take();
}

/**
 * Policy for invalid UTF-8: a JSONL line with bytes that are not UTF-8 is rejected, naming the
 * byte, and kept in `rejects` with the bad bytes shown as U+FFFD; nothing is silently replaced
 * in stored data. A JSON array with bad bytes is refused whole (it cannot be split safely).
 */
async function* readJsonLines(info: SourceInfo): AsyncGenerator<SourceRecord> {
  for await (const l of splitLines(openText(info) as AsyncIterable<Buffer>, MAX_RECORD_BYTES)) {
    let bytes = l.bytes;
    if (l.line === 1 && startsWithBom(bytes)) bytes = bytes.subarray(3);
    if (l.overlong) {
      yield { line: l.line, text: bytes.toString('utf8'), reject: { field: '(record)', reason: overlongReason(l.length) } };
      continue;
    }
    if (!isUtf8(bytes)) {
      const at = firstInvalidUtf8(bytes);
      yield { line: l.line, text: bytes.toString('utf8'), reject: { field: '(encoding)', reason: invalidUtf8Reason(at) } };
      continue;
    }
    const text = bytes.toString('utf8');
    if (text.trim().length === 0) continue;
    yield { line: l.line, text };
  }
}

function* readJsonArray(info: SourceInfo): Generator<SourceRecord> {
  if (info.size > MAX_JSON_ARRAY_BYTES) throw tooBigForArray(info);
  const file = readFileSync(info.path);
  let buf = info.gzip ? gunzipSync(file) : file;
  if (buf.length > MAX_JSON_ARRAY_BYTES) throw tooBigForArray(info);
  if (startsWithBom(buf)) buf = buf.subarray(3);
  if (!isUtf8(buf)) {
    throw new PnyxError('input', `${info.path}: invalid UTF-8 at byte ${firstInvalidUtf8(buf) + 1}; re-encode the file as UTF-8 (or convert it to JSONL to reject only the bad records)`);
  }
  const text = buf.toString('utf8');
  if (text.trim().length === 0) return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PnyxError('input', `${info.path}: not valid JSON (${jsonErrorReason(err, text.length)}); for one record per line name the file .jsonl`);
  }
  const records = Array.isArray(value) ? value : Array.isArray((value as { data?: unknown })?.data) ? (value as { data: unknown[] }).data : [value];
  for (let i = 0; i < records.length; i++) {
    const v = records[i];
    if (exceedsNesting(v)) yield { line: i + 1, text: '', reject: { field: '(record)', reason: `nested deeper than ${MAX_NESTING} levels` } };
    else yield { line: i + 1, text: JSON.stringify(v) ?? 'null', value: v };
  }
}

function tooBigForArray(info: SourceInfo): PnyxError {
  return new PnyxError('input', `${info.path}: too large to read as one JSON array (over ${MAX_JSON_ARRAY_BYTES / 1024 / 1024} MiB); convert it to JSONL (one record per line)`);
}

/** Streams the records of a file. JSON arrays are read whole; everything else streams. */
export async function* readSource(info: SourceInfo, db: PnyxDb): AsyncGenerator<SourceRecord> {
  // An empty file holds no records, whatever its name says (an empty .gz is not a gzip stream).
  if (info.size === 0) return;
  try {
    if (info.kind === 'jsonl') {
      yield* readJsonLines(info);
    } else if (info.kind === 'json') {
      yield* readJsonArray(info);
    } else {
      // CSV: report the file line (the header is line 1); Parquet: the row number.
      let line = info.kind === 'csv' ? 1 : 0;
      for await (const text of streamJsonRows(db, info.kind, info.path)) {
        line += 1;
        yield { line, text };
      }
    }
  } catch (err) {
    throw readError(info, err);
  }
}

function readError(info: SourceInfo, err: unknown): PnyxError {
  if (err instanceof PnyxError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR' || /unexpected end of file|incorrect header check/i.test(e.message)) {
    return new PnyxError('input', `${info.path}: truncated or corrupt gzip data`);
  }
  return new PnyxError('input', `${info.path}: cannot read: ${e.message.split('\n')[0]}`, { cause: err });
}

/** Bytes of JSONL handed to one parse job (whole lines; a longer line makes a longer job). */
export const BATCH_BYTES = 2 << 20;
/** Records per parse job for formats DuckDB or JSON.parse splits for us. */
export const BATCH_RECORDS = 2000;

/**
 * Streams a file as parse jobs: JSONL as large byte blocks cut at line breaks (no per-line work
 * on this thread), Parquet as blocks of its rows' JSON lines (see streamJsonlBlocks), other kinds
 * as groups of records. For JSONL, `onBytes` sees every byte of
 * the file (compressed, for .gz) as read, so it can be hashed in the same pass.
 */
export async function* readBatches(info: SourceInfo, db: PnyxDb, batchBytes: number, onBytes: (raw: Buffer) => void, start = 0): AsyncGenerator<ParseJob> {
  if (info.kind === 'parquet') {
    // Rows as JSONL blocks (line n = row n), parsed by the workers like a JSONL file's blocks.
    if (info.size === 0) return;
    try {
      for await (const bytes of streamJsonlBlocks(db, info.path, batchBytes, info.size)) yield { bytes, firstBatch: false };
    } catch (err) {
      throw readError(info, err);
    }
    return;
  }
  if (info.kind !== 'jsonl') {
    let texts: string[] = [];
    let lines: number[] = [];
    let rejects: (ReaderReject | null)[] = [];
    for await (const rec of readSource(info, db)) {
      texts.push(rec.text);
      lines.push(rec.line);
      rejects.push(rec.reject ?? null);
      if (texts.length >= BATCH_RECORDS) {
        yield { texts, lines, rejects };
        texts = [];
        lines = [];
        rejects = [];
      }
    }
    if (texts.length > 0) yield { texts, lines, rejects };
    return;
  }
  // An empty file holds no records, whatever its name says (an empty .gz is not a gzip stream).
  if (info.size === 0) return;
  const readBytes = Math.min(1 << 20, Math.max(batchBytes, 1024));
  const blocks = new LineBlocks(batchBytes, readBytes, start === 0);
  try {
    if (!info.gzip) {
      // Read straight into the block that goes to a worker: no copy on this thread but the
      // partial line carried over into the next block. `start` (plain JSONL only) resumes a file
      // that grew, right after a line break.
      for await (const read of fileBlocks(info.path, { start, bytes: readBytes, into: (n) => blocks.space(n) })) {
        onBytes(read);
        yield* blocks.wrote(read.length);
      }
    } else {
      const raw = createReadStream(info.path, { start, highWaterMark: readBytes });
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          onBytes(chunk);
          done(null, chunk);
        },
      });
      const gunzip = createGunzip({ chunkSize: 1 << 20 });
      raw.on('error', (e) => gunzip.destroy(e));
      tap.on('error', (e) => gunzip.destroy(e));
      for await (const read of raw.pipe(tap).pipe(gunzip)) {
        const chunk = read as Buffer;
        chunk.copy(blocks.space(chunk.length));
        yield* blocks.wrote(chunk.length);
      }
    }
    const last = blocks.end();
    if (last) yield last;
  } catch (err) {
    throw readError(info, err);
  }
}

/**
 * Cuts a byte stream into parse jobs of whole lines, at least `batchBytes` each (a longer line
 * makes a longer job). Bytes are written into the block that becomes the job (`space`, then
 * `wrote`); each block is its own ArrayBuffer, so a worker can take it without a copy. A line
 * past MAX_RECORD_BYTES is not held whole: its start is kept and the rest skipped up to its line
 * break; it goes out as a job of its own (one line, rejected by the parser).
 */
class LineBlocks {
  private block: Buffer;
  private size = 0;
  /** Where in the block its last line break is (-1: none yet). */
  private lastBreak = -1;
  /** An overlong line being skipped: its first bytes (in an ArrayBuffer of their own) and its length so far. */
  private overlong: { kept: Uint8Array; length: number } | undefined;

  constructor(
    private readonly batchBytes: number,
    private readonly readBytes: number,
    private first: boolean,
  ) {
    this.block = Buffer.allocUnsafeSlow(batchBytes + readBytes);
  }

  /** Where the next `n` bytes go (the block grows when a line outgrows it). */
  space(n: number): Buffer {
    if (this.block.length - this.size < n) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.block.length * 2, this.size + n));
      this.block.copy(bigger, 0, 0, this.size);
      this.block = bigger;
    }
    return this.block.subarray(this.size);
  }

  /** `n` bytes were written at `space()`: the jobs they complete. */
  *wrote(n: number): Generator<ParseJob> {
    let from = this.size;
    if (this.overlong) {
      // Skipping the rest of an overlong line: nothing is kept (size stays 0) up to its break.
      const nl = this.block.subarray(0, n).indexOf(10);
      if (nl < 0) {
        this.overlong.length += n;
        return;
      }
      this.overlong.length += nl;
      yield this.overlongJob();
      this.block.copyWithin(0, nl + 1, n);
      n -= nl + 1;
      from = 0;
    }
    // Only the new bytes are searched: a long line is read in many pieces.
    const nl = this.block.subarray(from, from + n).lastIndexOf(10);
    if (nl >= 0) this.lastBreak = from + nl;
    this.size = from + n;
    if (this.size < this.batchBytes) return;
    if (this.lastBreak < 0) {
      if (this.size > MAX_RECORD_BYTES) {
        this.overlong = { kept: new Uint8Array(this.block.subarray(0, OVERLONG_KEPT_BYTES)), length: this.size };
        this.size = 0;
      }
      return;
    }
    // The partial line after the cut starts the next block (copied before the block is handed over).
    const done = this.block;
    const cut = this.lastBreak + 1;
    const rest = this.size - cut;
    this.block = Buffer.allocUnsafeSlow(Math.max(this.batchBytes, rest) + this.readBytes);
    done.copy(this.block, 0, cut, this.size);
    this.size = rest;
    this.lastBreak = -1;
    yield { bytes: new Uint8Array(done.buffer, done.byteOffset, cut), firstBatch: this.takeFirst() };
  }

  /** The job the stream's last bytes make, if any. */
  end(): ParseJob | undefined {
    if (this.overlong) return this.overlongJob();
    if (this.size > 0) return { bytes: new Uint8Array(this.block.buffer, this.block.byteOffset, this.size), firstBatch: this.takeFirst() };
    return undefined;
  }

  /** The skipped line's job (one line, rejected by the parser); the skipping ends. */
  private overlongJob(): ParseJob {
    const { kept, length } = this.overlong!;
    this.overlong = undefined;
    return { bytes: kept, firstBatch: this.takeFirst(), overlongBytes: length };
  }

  private takeFirst(): boolean {
    const first = this.first;
    this.first = false;
    return first;
  }
}
