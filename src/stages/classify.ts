import { CLASSIFIER_VERSION, PromptClassifier } from '../core/classifier/index.js';
import { defaultModel } from '../core/classifier/defaultModel.js';
import { toProfileTuple, type ProfileTuple } from '../core/classifier/profileTuple.js';
import type { PnyxDb } from '../db/database.js';
import { pumpEnabled } from '../db/chunkPump.js';
import { ProfileWriter } from '../db/profileWriter.js';
import { countStaleProfiles, staleRequests } from '../db/profiles.js';
import { dataGuard } from '../db/reportCache.js';
import type { IngestObserver } from './ingest.js';

/**
 * Stores the capability profile of every request ingest reads, in the same transaction as the
 * requests. The parse workers classify (deriver `profile`, on the original text, before any
 * storage-time masking); this observer only appends the results: the profile of a row that went
 * straight into `requests` straight into `profiles`, any other (a repeat, or a new id whose
 * fingerprint collided) to a staging table that commit settles (first copy of a stored id wins).
 */
export class ProfileObserver implements IngestObserver {
  readonly derive = 'profile' as const;
  private writer: ProfileWriter | undefined;
  /**
   * The data guard (counts and latest write times of requests and profiles) right after this
   * observer's last commit, when no profile lacked its request. If the next file's run finds the
   * same, nothing changed since (that run committed, and nothing else writes while pnyx holds the
   * database): its writer skips the orphan search. A run that rolled back after deleting orphans
   * or writing profiles leaves other counts or another latest `classified_at`.
   */
  private cleanAt: string | undefined;
  /** Profiles written by the commits so far. */
  written = 0;

  async begin(db: PnyxDb): Promise<void> {
    const noOrphans = this.cleanAt !== undefined && (await dataGuard(db)) === this.cleanAt;
    this.writer = await ProfileWriter.open(db, { version: CLASSIFIER_VERSION, atMicros: BigInt(Date.now()) * 1000n, direct: true, noOrphans, pump: pumpEnabled() });
  }

  add(requestId: string, profile: unknown, stored: boolean): void {
    if (stored) this.writer!.addNew(requestId, profile as ProfileTuple);
    else this.writer!.addStaged(requestId, profile as ProfileTuple);
  }

  async commit(db: PnyxDb): Promise<void> {
    this.written += await this.writer!.commit('insertNew');
    this.writer = undefined;
    this.cleanAt = await dataGuard(db);
  }

  abort(): void {
    this.writer?.abort();
    this.writer = undefined;
  }
}

/**
 * Profiles stored requests that have none, or whose profile came from another classifier
 * version. Works from the stored text: if storage masked (redacted) parts of a prompt, the
 * masked text is what gets re-classified. One transaction; returns how many were (re)profiled.
 */
export async function reclassifyStale(db: PnyxDb, onProgress?: (done: number, total: number) => void): Promise<number> {
  const total = await countStaleProfiles(db, CLASSIFIER_VERSION);
  if (total === 0) return 0;
  const classifier = new PromptClassifier(defaultModel());
  const atMicros = BigInt(Date.now()) * 1000n;
  return db.transaction(async () => {
    // New profiles go to a staging table until the end, so `profiles` (and with it the keyset
    // pages of stale requests) does not change while we page through it.
    const writer = await ProfileWriter.open(db, { version: CLASSIFIER_VERSION, atMicros });
    let done = 0;
    try {
      for await (const page of staleRequests(db, CLASSIFIER_VERSION)) {
        for (const r of page) writer.addStaged(r.request_id, toProfileTuple(classifier.classify(r.input)));
        done += page.length;
        onProgress?.(done, total);
      }
    } catch (err) {
      writer.abort();
      throw err;
    }
    await writer.commit('replace');
    return done;
  });
}
