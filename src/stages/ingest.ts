import { PnyxError } from '../core/errors.js';
import { readJsonLine, readRecord, type RecordOutcome, type RecordReaderOptions } from '../core/ingestRecord.js';
import { enrichFromJoin, tallyRename, type FeatureRenameTally, type JoinedRequest } from '../core/join.js';
import type { CanonicalRequest } from '../core/request.js';
import { DEFAULT_STORE_TEXT, maskText, textForStorage, type StoreTextMode } from '../core/storeText.js';
import type { PnyxDb } from '../db/database.js';
import { RequestWriter, recordIngestedFile, type RecordSource } from '../db/requests.js';
import { describeSource, fileSha256, readSource, type SourceInfo, type SourceRecord } from './sources.js';

/** Something that stores more per request in the same transaction (e.g. capability profiles). */
export interface IngestObserver {
  begin(db: PnyxDb): Promise<void>;
  add(request: CanonicalRequest): void;
  commit(db: PnyxDb): Promise<void>;
  abort(): void;
}

export interface IngestOptions extends RecordReaderOptions {
  /** Observers receive the original request; only storage sees masked text. */
  observers?: IngestObserver[];
  /** Request-log records by join key (`pnyx analyze --join`): fill in prompts of metadata-only records. */
  join?: ReadonlyMap<string, JoinedRequest>;
  /** How much prompt text is kept (default `redacted`). */
  storeText?: StoreTextMode;
  onProgress?: (p: { file: string; records: number }) => void;
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
  /** Records without prompt text that a joined request log supplied it for. */
  joined: number;
  /** How joins renamed features (gateway name → request-log name → records). */
  featureRenames: FeatureRenameTally;
  /** The first few rejects, for the terminal; all of them are in the `rejects` table. */
  rejectSamples: RejectSample[];
}

/** How many rejects per file are echoed to the terminal. */
export const REJECT_SAMPLES_SHOWN = 5;
/** Raw text of a rejected record is kept up to this many characters. */
export const REJECT_RAW_MAX_CHARS = 64 * 1024;

/** Parses JSON-looking CSV cells (messages, metadata) so the adapters see structures. */
function expandCells(record: unknown): unknown {
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

/** Turns one record of a source into a canonical request or a reject reason. */
export function decodeRecord(info: SourceInfo, rec: SourceRecord, opts: RecordReaderOptions): RecordOutcome {
  if (rec.value !== undefined) return readRecord(rec.value, opts);
  if (info.kind === 'csv') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rec.text);
    } catch {
      parsed = undefined;
    }
    return readRecord(expandCells(parsed), opts);
  }
  return readJsonLine(rec.text, opts);
}

/**
 * Ingests one file in one transaction: either every record of it is accounted for in the
 * database (stored, duplicate or rejected), or nothing of it is.
 */
export async function ingestFile(db: PnyxDb, path: string, opts: IngestOptions): Promise<FileIngestResult> {
  const info: SourceInfo = describeSource(path);
  const sha = await fileSha256(path);
  const observers = opts.observers ?? [];
  const nowMicros = BigInt(Date.now()) * 1000n;
  const storeText = opts.storeText ?? DEFAULT_STORE_TEXT;
  const samples: RejectSample[] = [];
  let read = 0;
  let joined = 0;
  const featureRenames: FeatureRenameTally = new Map();

  return db.transaction(async () => {
    const writer = await RequestWriter.open(db);
    for (const o of observers) await o.begin(db);
    try {
      for await (const rec of readSource(info, db)) {
        read += 1;
        const source: RecordSource = { file: path, fileSha256: sha, line: rec.line };
        const outcome: RecordOutcome = rec.reject ? { ok: false, ...rec.reject } : decodeRecord(info, rec, opts);
        if (outcome.ok && opts.join && !outcome.request.has_prompt_text) {
          const hit = opts.join.get(outcome.request.request_id);
          if (hit) {
            const before = outcome.request.feature;
            outcome.request = enrichFromJoin(outcome.request, hit);
            tallyRename(featureRenames, before, outcome.request.feature);
            joined += 1;
          }
        }
        if (outcome.ok) {
          const text = textForStorage(outcome.request, outcome.raw, rec.text, storeText);
          writer.addRequest(outcome.request, source, outcome.contentHash, text, storeText, nowMicros);
          for (const o of observers) o.add(outcome.request);
        } else {
          // The table keeps the quote of the offending value (masked like the raw text); the terminal
          // gets it only with --show-text.
          const quoted = outcome.excerpt === undefined ? null : maskText(outcome.excerpt, storeText === 'hash' ? 'none' : storeText);
          const reason = quoted === null ? outcome.reason : `${outcome.reason}: ${quoted}`;
          const raw = maskText(rec.text.slice(0, REJECT_RAW_MAX_CHARS), storeText);
          writer.addReject(source, outcome.field, reason, raw, nowMicros);
          if (samples.length < REJECT_SAMPLES_SHOWN) {
            samples.push(outcome.excerpt === undefined ? { line: rec.line, field: outcome.field, reason: outcome.reason } : { line: rec.line, field: outcome.field, reason: outcome.reason, excerpt: outcome.excerpt });
          }
        }
        if (opts.onProgress && read % 10_000 === 0) opts.onProgress({ file: path, records: read });
      }
    } catch (err) {
      writer.abort();
      for (const o of observers) o.abort();
      throw err;
    }
    const { conflictSamples, ...counts } = await writer.commit(sha);
    for (const o of observers) await o.commit(db);
    await recordIngestedFile(db, { sha256: sha, path, size: info.size, format: info.kind + (info.gzip ? '.gz' : ''), read, ...counts });
    const shown = [...samples, ...conflictSamples].sort((a, b) => a.line - b.line).slice(0, REJECT_SAMPLES_SHOWN);
    return { path, kind: info.kind, read, stored: counts.stored, duplicates: counts.duplicates, rejected: counts.rejected, joined, featureRenames, rejectSamples: shown };
  });
}

export interface IngestSummary {
  files: FileIngestResult[];
  read: number;
  stored: number;
  duplicates: number;
  rejected: number;
  joined: number;
  featureRenames: FeatureRenameTally;
}

export async function ingestFiles(db: PnyxDb, paths: string[], opts: IngestOptions): Promise<IngestSummary> {
  if (paths.length === 0) throw new PnyxError('usage', 'no input files');
  // Missing, unreadable or unknown files stop the run before any file is ingested.
  for (const p of paths) describeSource(p);
  const files: FileIngestResult[] = [];
  for (const p of paths) files.push(await ingestFile(db, p, opts));
  const sum = (k: 'read' | 'stored' | 'duplicates' | 'rejected' | 'joined') => files.reduce((s, f) => s + f[k], 0);
  const featureRenames: FeatureRenameTally = new Map();
  for (const f of files) for (const [from, tos] of f.featureRenames) for (const [to, n] of tos) for (let i = 0; i < n; i++) tallyRename(featureRenames, from, to);
  return { files, read: sum('read'), stored: sum('stored'), duplicates: sum('duplicates'), rejected: sum('rejected'), joined: sum('joined'), featureRenames };
}
