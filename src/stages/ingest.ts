import { createHash } from 'node:crypto';
import { PnyxError } from '../core/errors.js';
import { readRecord, type RecordOutcome, type RecordReaderOptions } from '../core/ingestRecord.js';
import type { IdHasher } from '../core/idHashSet.js';
import { tallyRename, type FeatureRenameTally, type JoinedRequest } from '../core/join.js';
import { DEFAULT_STORE_TEXT, type StoreTextMode } from '../core/storeText.js';
import type { PnyxDb } from '../db/database.js';
import { RequestWriter, StoredIdCache, duckdbHashAgrees, ingestedPrefixes, ingestedWith, recordIngestedFile, recordIngestRun } from '../db/requests.js';
import type { DeriverName } from './derivers.js';
import { decodeText, makeLinesAbsolute, REJECT_RAW_MAX_CHARS, type ParseOptions, type ParseResult } from './parseBatch.js';
import { createBatchParser, defaultWorkerCount } from './parsePool.js';
import { appendedTo, BATCH_BYTES, describeSource, fileSha256, readBatches, type SourceInfo, type SourceRecord } from './sources.js';

export { REJECT_RAW_MAX_CHARS };

/**
 * Something that stores more per request in the same transaction (e.g. capability profiles).
 * Parsing runs in worker threads, so an observer does not see the CanonicalRequest: it names a
 * pure deriver (src/stages/derivers.ts) that the parse workers run on every valid request, and
 * receives its result with the request id. `add` is called for every valid record in file order,
 * duplicates included, with `stored`: true when the record's row went straight into `requests`
 * (its id is new to the database and to this run; nothing else of this run has that id before
 * it), false when the row went to the repeats side table (a repeat of a stored id or of an
 * earlier line, or, rarely, a new id whose fingerprint collided: its first row is stored at the
 * requests' commit). `commit` runs after the rows are in `requests` (side table settled), in the
 * same transaction.
 */
export interface IngestObserver {
  readonly derive: DeriverName;
  begin(db: PnyxDb): Promise<void>;
  add(requestId: string, derived: unknown, stored: boolean): void;
  commit(db: PnyxDb): Promise<void>;
  abort(): void;
}

export interface IngestProgress {
  file: string;
  records: number;
  /** Bytes of the file read so far, and its size (compressed bytes for .gz). */
  bytes: number;
  totalBytes: number;
}

export interface IngestOptions extends RecordReaderOptions {
  /** Observers' derivers see the original request; only storage sees masked text. */
  observers?: IngestObserver[];
  onProgress?: (p: IngestProgress) => void;
  /** Keep only this fraction of requests, chosen by request-id hash (default 1). */
  sampleRate?: number;
  /** Parse worker threads; 0 parses on the main thread (default: none for files under 4 MB, else PNYX_WORKERS or one per core). */
  workers?: number;
  /** Bytes of JSONL per parse job (default BATCH_BYTES). */
  batchBytes?: number;
  /** Request-log records by join key (`pnyx analyze --join`): fill in prompts of metadata-only records. */
  join?: ReadonlyMap<string, JoinedRequest>;
  /** How much prompt text is kept (default `redacted`). */
  storeText?: StoreTextMode;
  /** Keep each stored request's original record (masked like the rest) in `requests.raw`. */
  storeRaw?: boolean;
  /** Read files even when the same content was ingested before with the same options. */
  reingest?: boolean;
  /** pnyx's version, part of the options a file is recorded with (a new version reads files again). */
  version?: string;
  /** How request ids are fingerprinted to spot repeats (tests force collisions with it; default: DuckDB's hash(), see storedIds in src/db/requests.ts). */
  idHasher?: IdHasher;
}

export interface RejectSample {
  line: number;
  field: string;
  /** Never quotes log text. */
  reason: string;
  /** A quote of the offending text value, for --show-text only. */
  excerpt?: string;
}

export interface FileIngestResult {
  path: string;
  kind: string;
  read: number;
  stored: number;
  duplicates: number;
  rejected: number;
  /** Valid records left out by --sample. */
  sampledOut: number;
  /** Records without prompt text that a joined request log supplied it for. */
  joined: number;
  /** How joins renamed features (gateway name → request-log name → records). */
  featureRenames: FeatureRenameTally;
  /** The first few rejects, for the terminal; all of them are in the `rejects` table. */
  rejectSamples: RejectSample[];
  /** Not read: the same content was ingested before with the same options (see `ingestOptionsKey`). */
  skipped: boolean;
  /** The file grew since an earlier run: only the lines after this one were read. */
  resumedAfterLine?: number;
}

/** How many rejects per file are echoed to the terminal. */
export const REJECT_SAMPLES_SHOWN = 5;
/** Files smaller than this are parsed inline: starting workers costs more than it saves. */
const INLINE_BELOW_BYTES = 4 << 20;
/** Parse jobs in flight per worker: enough to keep workers busy, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 2;

/**
 * Everything that decides what a file's records become, as recorded in `ingested_files.options`:
 * a file whose content (sha256) and options match a recorded run would store nothing new, so
 * it is not read again. Joined ingests are never skipped (the join logs may have changed).
 */
export function ingestOptionsKey(opts: IngestOptions): string {
  return JSON.stringify({
    pnyx: opts.version ?? null,
    format: opts.format ?? 'auto',
    mapping: opts.mapping,
    overrides: opts.overrides ?? null,
    featureNames: opts.featureNames ?? null,
    sampleRate: opts.sampleRate ?? 1,
    storeText: opts.storeText ?? DEFAULT_STORE_TEXT,
    storeRaw: opts.storeRaw ?? false,
  });
}

/** Turns one record of a source into a canonical request or a reject reason. */
export function decodeRecord(info: SourceInfo, rec: SourceRecord, opts: RecordReaderOptions): RecordOutcome {
  if (rec.reject) return { ok: false, ...rec.reject };
  if (rec.value !== undefined) return readRecord(rec.value, opts);
  return decodeText(info.kind, rec.text, opts);
}

/**
 * Ingests one file in one transaction: either every record of it is accounted for in the
 * database (stored, duplicate, rejected or sampled out), or nothing of it is.
 * The main thread reads bytes and appends rows; parse workers split, parse, normalize and hash.
 * `storedIds` carries the stored ids' fingerprints over from the previous file of a batch.
 */
export async function ingestFile(db: PnyxDb, path: string, opts: IngestOptions, storedIds?: StoredIdCache): Promise<FileIngestResult> {
  const info: SourceInfo = describeSource(path);
  const optionsKey = ingestOptionsKey(opts);
  // A file seen before with the same size and options is hashed first: if its content is the
  // same too, reading it would store nothing new.
  const reuse = !opts.reingest && !opts.join;
  const candidates = reuse ? await ingestedWith(db, info.size, optionsKey) : new Set<string>();
  // JSONL is hashed as it is read; other kinds are read by DuckDB or whole, so hash first.
  const hashInline = info.kind === 'jsonl' && candidates.size === 0;
  const preSha = hashInline ? undefined : await fileSha256(path);
  if (preSha !== undefined && candidates.has(preSha)) {
    return { path, kind: info.kind, read: 0, stored: 0, duplicates: 0, rejected: 0, sampledOut: 0, joined: 0, featureRenames: new Map(), rejectSamples: [], skipped: true };
  }
  // A plain JSONL log that grew since an earlier run is read from where that run ended: its old
  // records are neither parsed nor classified again.
  let resume: Awaited<ReturnType<typeof appendedTo>>;
  if (hashInline && !info.gzip && reuse) {
    for (const prior of await ingestedPrefixes(db, path, info.size, optionsKey)) {
      resume = await appendedTo(path, prior.size, prior.sha);
      if (resume) break;
    }
  }
  const hash = resume?.hash ?? createHash('sha256');
  const observers = opts.observers ?? [];
  const nowMicros = BigInt(Date.now()) * 1000n;
  const samples: RejectSample[] = [];
  const parseOpts: ParseOptions = {
    mapping: opts.mapping,
    overrides: opts.overrides,
    featureNames: opts.featureNames,
    format: opts.format,
    file: path,
    kind: info.kind,
    sampleRate: opts.sampleRate ?? 1,
    derive: observers.map((o) => o.derive),
    join: opts.join,
    storeText: opts.storeText ?? DEFAULT_STORE_TEXT,
    storeRaw: opts.storeRaw ?? false,
  };
  // The join index lives on this thread (it can be large): joined ingests parse inline.
  const workers = opts.join ? 0 : (opts.workers ?? (info.size < INLINE_BELOW_BYTES ? 0 : defaultWorkerCount()));
  let read = 0;
  let sampledOut = 0;
  let joined = 0;
  const featureRenames: FeatureRenameTally = new Map();
  let bytes = resume?.offset ?? 0;
  let lineOffset = resume?.lines ?? 0;
  let nextProgress = 0;

  // Whether DuckDB's hash() can fingerprint the stored ids is checked here, outside the file's
  // transaction (once per process): a check query that failed inside it would abort the transaction.
  if (!opts.idHasher) await duckdbHashAgrees(db);
  return db.transaction(async () => {
    const writer = await RequestWriter.open(db, path, nowMicros, { hasher: opts.idHasher, cache: storedIds });
    for (const o of observers) await o.begin(db);
    const parser = createBatchParser(parseOpts, workers);
    const store = (res: ParseResult) => {
      makeLinesAbsolute(res, lineOffset);
      lineOffset += res.lineCount;
      read += res.read;
      sampledOut += res.sampledOut;
      joined += res.joined;
      for (const [from, to] of res.renames) tallyRename(featureRenames, from, to);
      const rows = res.rows;
      for (let i = 0; i < rows.count; i++) {
        const stored = writer.appendRow(rows, i);
        if (observers.length > 0) {
          const d = res.derived[i]!;
          for (let k = 0; k < observers.length; k++) observers[k]!.add(rows.ids[i]!, d[k], stored);
        }
      }
      writer.settle();
      parser.recycle(rows);
      for (const [line, field, reason, stored, raw, excerpt] of res.rejects) {
        writer.addReject(line, field, stored, raw);
        if (samples.length < REJECT_SAMPLES_SHOWN) samples.push(excerpt === null ? { line, field, reason } : { line, field, reason, excerpt });
      }
      if (opts.onProgress && read >= nextProgress) {
        nextProgress = read + 5_000;
        opts.onProgress({ file: path, records: read, bytes, totalBytes: info.size });
      }
    };
    // Results are taken in submission order, at most a few batches ahead of the writer.
    const queue: Promise<ParseResult>[] = [];
    try {
      const limit = Math.max(1, parser.workers * IN_FLIGHT_PER_WORKER);
      // A file hashed up front (a repeat candidate that turned out different) is not hashed again.
      const onBytes = (b: Buffer) => {
        bytes += b.length;
        if (preSha === undefined) hash.update(b);
      };
      // The oldest result, once the writer has room for it.
      const storeNext = async () => {
        const res = await queue.shift()!;
        await writer.room();
        store(res);
      };
      for await (const job of readBatches(info, db, opts.batchBytes ?? BATCH_BYTES, onBytes, resume?.offset ?? 0)) {
        queue.push(parser.submit(job));
        while (queue.length >= limit) await storeNext();
      }
      while (queue.length > 0) await storeNext();
    } catch (err) {
      for (const q of queue) q.catch(() => undefined);
      writer.abort();
      for (const o of observers) o.abort();
      throw err;
    } finally {
      await parser.close();
    }
    const sha = preSha ?? hash.digest('hex');
    let settled: Awaited<ReturnType<RequestWriter['commit']>>;
    try {
      settled = await writer.commit(sha);
      for (const o of observers) await o.commit(db);
    } catch (err) {
      // Close every Appender inside this (failing) transaction: one left open would flush its
      // rows into whatever transaction is current when it is garbage-collected.
      writer.abort();
      for (const o of observers) o.abort();
      throw err;
    }
    const { conflictSamples, ...counts } = settled;
    await recordIngestedFile(db, { sha256: sha, path, size: info.size, format: info.kind + (info.gzip ? '.gz' : ''), read, ...counts, options: optionsKey });
    const shown = [...samples, ...conflictSamples].sort((a, b) => a.line - b.line).slice(0, REJECT_SAMPLES_SHOWN);
    await recordIngestRun(db, writer.runMark, { sha256: sha, path, sampleRate: parseOpts.sampleRate, read, ...counts, sampledOut });
    return { path, kind: info.kind, read, stored: counts.stored, duplicates: counts.duplicates, rejected: counts.rejected, sampledOut, joined, featureRenames, rejectSamples: shown, skipped: false, ...(resume ? { resumedAfterLine: resume.lines } : {}) };
  });
}

export interface IngestSummary {
  files: FileIngestResult[];
  read: number;
  stored: number;
  duplicates: number;
  rejected: number;
  sampledOut: number;
  joined: number;
  featureRenames: FeatureRenameTally;
  /** Files not read: ingested before with the same content and options. */
  skipped: string[];
}

export async function ingestFiles(db: PnyxDb, paths: string[], opts: IngestOptions): Promise<IngestSummary> {
  if (paths.length === 0) throw new PnyxError('usage', 'no input files');
  // Missing, unreadable or unknown files stop the run before any file is ingested.
  for (const p of paths) describeSource(p);
  const files: FileIngestResult[] = [];
  // The stored ids' fingerprints are read from the database once, then kept up to date file by file.
  const storedIds = new StoredIdCache();
  for (const p of paths) files.push(await ingestFile(db, p, opts, storedIds));
  const sum = (k: 'read' | 'stored' | 'duplicates' | 'rejected' | 'sampledOut' | 'joined') => files.reduce((s, f) => s + f[k], 0);
  const featureRenames: FeatureRenameTally = new Map();
  for (const f of files) for (const [from, tos] of f.featureRenames) for (const [to, n] of tos) for (let i = 0; i < n; i++) tallyRename(featureRenames, from, to);
  return { files, featureRenames, skipped: files.filter((f) => f.skipped).map((f) => f.path), read: sum('read'), stored: sum('stored'), duplicates: sum('duplicates'), rejected: sum('rejected'), sampledOut: sum('sampledOut'), joined: sum('joined') };
}
