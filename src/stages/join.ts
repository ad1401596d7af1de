import { PnyxError } from '../core/errors.js';
import type { RecordReaderOptions } from '../core/ingestRecord.js';
import { joinKeys, toJoined, type JoinedRequest } from '../core/join.js';
import type { PnyxDb } from '../db/database.js';
import { decodeRecord } from './ingest.js';
import { describeSource, readSource } from './sources.js';

export interface JoinIndex {
  byKey: Map<string, JoinedRequest>;
  /** Records read from the request logs, and how many of them had prompt text to offer. */
  read: number;
  usable: number;
  unreadable: number;
}

/**
 * Reads request logs (any format pnyx ingests) into memory, keyed by every id a record can be
 * joined on. Only records with prompt text are kept; the first record for a key wins. The logs
 * themselves are not stored: they only lend their prompts to the records being analyzed.
 */
export async function loadJoinIndex(db: PnyxDb, paths: string[], opts: RecordReaderOptions): Promise<JoinIndex> {
  const byKey = new Map<string, JoinedRequest>();
  let read = 0;
  let usable = 0;
  let unreadable = 0;
  for (const path of paths) {
    const info = describeSource(path);
    for await (const rec of readSource(info, db)) {
      read += 1;
      const outcome = decodeRecord(info, rec, { ...opts, format: undefined });
      if (!outcome.ok) {
        unreadable += 1;
        continue;
      }
      if (!outcome.request.has_prompt_text) continue;
      usable += 1;
      const joined = toJoined(outcome.request, `${path}:${rec.line}`);
      for (const k of joinKeys(outcome.raw, outcome.request)) if (!byKey.has(k)) byKey.set(k, joined);
    }
  }
  if (read > 0 && usable === 0) {
    throw new PnyxError('input', `--join ${paths.join(', ')}: no record with prompt text (${read} read, ${unreadable} unreadable)`);
  }
  return { byKey, read, usable, unreadable };
}
