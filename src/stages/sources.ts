import { createReadStream, openSync, readSync, closeSync, statSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { PnyxError } from '../core/errors.js';
import type { PnyxDb } from '../db/database.js';
import { streamJsonRows } from '../db/readers.js';

/** Input file kinds pnyx reads. */
export type SourceKind = 'jsonl' | 'json' | 'csv' | 'parquet';

export interface SourceInfo {
  path: string;
  kind: SourceKind;
  gzip: boolean;
  size: number;
}

/** One record as read from a file: its position and its text (JSON for every kind). */
export interface SourceRecord {
  /** Line (JSONL), record index (JSON array) or data row (CSV/Parquet), 1-based. */
  line: number;
  text: string;
  /** Already-parsed value, when the reader had to parse to split records. */
  value?: unknown;
}

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

export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function openText(info: SourceInfo): Readable {
  const raw = createReadStream(info.path);
  if (!info.gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** Streams the records of a file. JSON arrays are read whole; everything else streams. */
export async function* readSource(info: SourceInfo, db: PnyxDb): AsyncGenerator<SourceRecord> {
  try {
    if (info.kind === 'jsonl') {
      const rl = createInterface({ input: openText(info), crlfDelay: Infinity });
      let line = 0;
      for await (let text of rl) {
        line += 1;
        if (line === 1) text = text.replace(/^\uFEFF/, '');
        if (text.trim().length === 0) continue;
        yield { line, text };
      }
    } else if (info.kind === 'json') {
      const buf = readFileSync(info.path);
      const text = (info.gzip ? gunzipSync(buf) : buf).toString('utf8').replace(/^\uFEFF/, '');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new PnyxError('input', `${info.path}: not valid JSON (${(err as Error).message.split('\n')[0]}); for one record per line name the file .jsonl`);
      }
      const records = Array.isArray(value) ? value : Array.isArray((value as { data?: unknown })?.data) ? (value as { data: unknown[] }).data : [value];
      for (let i = 0; i < records.length; i++) yield { line: i + 1, text: JSON.stringify(records[i]), value: records[i] };
    } else {
      // CSV: report the file line (the header is line 1); Parquet: the row number.
      let line = info.kind === 'csv' ? 1 : 0;
      for await (const text of streamJsonRows(db, info.kind, info.path)) {
        line += 1;
        yield { line, text };
      }
    }
  } catch (err) {
    if (err instanceof PnyxError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR' || /unexpected end of file|incorrect header check/i.test(e.message)) {
      throw new PnyxError('input', `${info.path}: truncated or corrupt gzip data`);
    }
    throw new PnyxError('input', `${info.path}: cannot read: ${e.message.split('\n')[0]}`, { cause: err });
  }
}
