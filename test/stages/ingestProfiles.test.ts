import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import type { IdHasher } from '../../src/core/idHashSet.js';
import { CLASSIFIER_VERSION } from '../../src/core/classifier/index.js';
import { PnyxDb } from '../../src/db/database.js';
import { countStaleProfiles, profilesMatchRequests } from '../../src/db/profiles.js';
import { ProfileObserver, reclassifyStale } from '../../src/stages/classify.js';
import { ingestFile, type IngestObserver, type IngestOptions } from '../../src/stages/ingest.js';
import { tempDir } from '../helpers/cli.js';
import { spyStatements } from '../helpers/ingest.js';

/**
 * Profiles at ingest: a row stored straight into `requests` has its profile appended straight
 * into `profiles`; rows of the repeats side table have theirs staged and settled at commit. Either
 * way every stored request ends up with exactly one profile, made from its first copy.
 */
const t = tempDir('pnyx-ingest-profiles-');
afterAll(t.cleanup);

/** One record; a `fenced` copy carries a code block, which its profile's signals show (`code:2 fences`). */
function rec(id: string, fenced = false): string {
  const content = `Reply to ticket ${id} about the renewal.` + (fenced ? '\n```\nx = 1\n```' : '');
  return JSON.stringify({
    id,
    timestamp: '2026-08-10T08:00:00.000Z',
    metadata: { feature: 'support_reply', tenant_id: 't1' },
    request: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }] },
    response: { usage: { prompt_tokens: 100, completion_tokens: 20 } },
  });
}

let files = 0;
function file(lines: string[]): string {
  const f = join(t.path, `f${files++}.jsonl`);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

interface Profile {
  request_id: string;
  fenced: boolean;
  row: string;
}

/** Every profile row (classified_at left out), with whether it shows a code fence. */
async function profiles(db: PnyxDb): Promise<Profile[]> {
  return db.all<Profile & Record<string, unknown>>(
    `SELECT p.request_id, len(list_filter(p.signals, s -> s LIKE 'code:%')) > 0 AS fenced, CAST(p AS VARCHAR) AS row
     FROM (SELECT * EXCLUDE (classified_at) FROM profiles) p ORDER BY p.request_id, row`,
  );
}

/** Counts the searches for profiles whose request is not stored. */
function orphanSearches(db: PnyxDb): () => number {
  const one = vi.spyOn(db, 'one');
  return () => one.mock.calls.filter(([sql]) => /FROM profiles ANTI JOIN requests/.test(sql)).length;
}

const options = (extra: Partial<IngestOptions> = {}): IngestOptions => ({ mapping: DEFAULT_MAPPING, workers: 0, observers: [new ProfileObserver()], ...extra });

// a, b and c repeat; their later copies are fenced (conflicts), so a first copy's profile is unfenced.
const REPEATS = [rec('a'), rec('b'), rec('a', true), rec('c'), rec('b', true), rec('d', true), rec('c', true), rec('a')];

describe('profiles at ingest', () => {
  let plain: Profile[];

  it('appends the profiles of new rows directly and keeps the first copy of a repeated id', async () => {
    const db = await PnyxDb.open(join(t.path, 'plain.duckdb'));
    try {
      const statements = spyStatements(db);
      const observer = new ProfileObserver();
      await ingestFile(db, file([rec('x'), rec('y', true)]), options({ observers: [observer] }));
      // No repeat: no staged profile to settle.
      expect(statements.filter((q) => /INSERT INTO profiles/.test(q))).toEqual([]);
      expect(observer.written).toBe(2);
      const r = await ingestFile(db, file(REPEATS), options({ observers: [observer] }));
      expect([r.stored, r.duplicates, r.rejected]).toEqual([4, 1, 3]);
      expect(observer.written).toBe(6);
      plain = await profiles(db);
      expect(plain.map(({ request_id, fenced }) => [request_id, fenced])).toEqual([
        ['a', false],
        ['b', false],
        ['c', false],
        ['d', true],
        ['x', false],
        ['y', true],
      ]);
    } finally {
      db.close();
    }
  });

  it('gives the same rows when every id collides (all profiles staged and settled in SQL)', async () => {
    const same: IdHasher = (_id, out) => out.fill(7);
    const db = await PnyxDb.open(join(t.path, 'collide.duckdb'));
    try {
      await ingestFile(db, file([rec('x'), rec('y', true)]), options({ idHasher: same }));
      await ingestFile(db, file(REPEATS), options({ idHasher: same }));
      expect(await profiles(db)).toEqual(plain);
    } finally {
      db.close();
    }
  });

  it('profiles a new id whose fingerprint collided from its first copy', async () => {
    // n collides with m: its rows go to the side table; its first copy is stored at commit.
    const pair: IdHasher = (id, out) => out.set(id === 'm' || id === 'n' ? [1, 2] : [3, 4]);
    const db = await PnyxDb.open(join(t.path, 'pair.duckdb'));
    try {
      const r = await ingestFile(db, file([rec('m', true), rec('n'), rec('n', true), rec('o')]), options({ idHasher: pair }));
      expect([r.stored, r.duplicates, r.rejected]).toEqual([3, 0, 1]);
      expect((await profiles(db)).map(({ request_id, fenced }) => [request_id, fenced])).toEqual([
        ['m', true],
        ['n', false],
        ['o', false],
      ]);
    } finally {
      db.close();
    }
  });

  it('deletes profiles whose request is not stored before appending, so a returning id gets one new profile', async () => {
    const db = await PnyxDb.open(join(t.path, 'orphan.duckdb'));
    try {
      const searches = orphanSearches(db);
      // One observer across the runs, as in a batch: after its own commit it knows there is no orphan.
      const observer = new ProfileObserver();
      await ingestFile(db, file([rec('a'), rec('b')]), options({ observers: [observer] }));
      await ingestFile(db, file([rec('b')]), options({ observers: [observer] }));
      // The first run found one profile per request by counts and id hashes, without a join; the
      // second knew it from the observer's own commit.
      expect(searches()).toBe(0);
      // Orphans, as an edit outside pnyx leaves them: a's request deleted, a profile for an id never stored.
      await db.run("DELETE FROM requests WHERE request_id = 'a'");
      await db.run("INSERT INTO profiles SELECT * REPLACE ('zz' AS request_id) FROM profiles WHERE request_id = 'b'");
      const r = await ingestFile(db, file([rec('a', true), rec('c')]), options({ observers: [observer] }));
      expect(searches()).toBe(1);
      expect([r.stored, r.duplicates]).toEqual([2, 0]);
      // a has one profile, of the copy stored now (fenced); zz is gone; b is as it was.
      expect((await profiles(db)).map(({ request_id, fenced }) => [request_id, fenced])).toEqual([
        ['a', true],
        ['b', false],
        ['c', false],
      ]);
    } finally {
      db.close();
    }
  });

  it('finds a renamed request id (same counts, other ids): its old profile is an orphan, the new id is profiled', async () => {
    const db = await PnyxDb.open(join(t.path, 'renamed.duckdb'));
    try {
      await ingestFile(db, file([rec('a'), rec('b')]), options());
      expect(await profilesMatchRequests(db)).toBe(true);
      expect(await countStaleProfiles(db, CLASSIFIER_VERSION)).toBe(0);
      await db.run("UPDATE requests SET request_id = 'q' WHERE request_id = 'a'");
      expect(await profilesMatchRequests(db)).toBe(false);
      expect(await countStaleProfiles(db, CLASSIFIER_VERSION)).toBe(1);
      const searches = orphanSearches(db);
      const r = await ingestFile(db, file([rec('a', true)]), options());
      expect([searches(), r.stored, r.duplicates]).toEqual([1, 1, 0]);
      expect(await reclassifyStale(db)).toBe(1);
      expect((await profiles(db)).map(({ request_id, fenced }) => [request_id, fenced])).toEqual([
        ['a', true],
        ['b', false],
        ['q', false],
      ]);
      expect(await profilesMatchRequests(db)).toBe(true);
      // Ids that match but profiles of another classifier version: the join counts them.
      await db.run("UPDATE profiles SET classifier_version = 'older' WHERE request_id = 'b'");
      expect(await countStaleProfiles(db, CLASSIFIER_VERSION)).toBe(1);
    } finally {
      db.close();
    }
  });

  it('with --reingest, profiles only stored requests that have none', async () => {
    const db = await PnyxDb.open(join(t.path, 'reingest.duckdb'));
    try {
      const f = file([rec('a'), rec('b'), rec('c')]);
      await ingestFile(db, f, options());
      const before = await profiles(db);
      await db.run("DELETE FROM profiles WHERE request_id = 'b'");
      const observer = new ProfileObserver();
      const r = await ingestFile(db, f, options({ reingest: true, observers: [observer] }));
      expect([r.stored, r.duplicates]).toEqual([0, 3]);
      expect(observer.written).toBe(1);
      expect(await profiles(db)).toEqual(before);
    } finally {
      db.close();
    }
  });

  it('leaves profiles as they were when a run fails mid-way or in its commit step', async () => {
    const db = await PnyxDb.open(join(t.path, 'fail.duckdb'));
    try {
      await ingestFile(db, file([rec('a'), rec('b')]), options());
      const before = await profiles(db);
      // More rows than the Appender holds before handing them to the table (APPENDER_FLUSH_ROWS).
      const big = file(Array.from({ length: 9_100 }, (_, i) => rec(`big-${i}`)).concat(rec('a', true)));
      // Stops at row 9000, after the profile Appender handed rows to the table.
      const stop: IngestObserver = {
        derive: 'feature',
        begin: async () => undefined,
        add: (_id, _feature, stored) => {
          if (stored && ++added === 9000) throw new Error('stopped mid-way');
        },
        commit: async () => undefined,
        abort: () => undefined,
      };
      let added = 0;
      await expect(ingestFile(db, big, options({ observers: [new ProfileObserver(), stop] }))).rejects.toThrow('stopped mid-way');
      expect(added).toBe(9000);
      expect(await profiles(db)).toEqual(before);
      let failAt: RegExp | undefined;
      spyStatements(db, (q) => failAt?.test(q) ?? false);
      // In the requests' commit step (profile Appenders still open), and after the profiles' commit.
      const small = file([rec('s'), rec('a', true)]);
      for (const at of [/^DROP TABLE ingest_repeats/, /^INSERT INTO ingest_runs/]) {
        failAt = at;
        await expect(ingestFile(db, small, options())).rejects.toThrow('injected failure');
        expect(await profiles(db)).toEqual(before);
      }
      failAt = undefined;
      const r = await ingestFile(db, file([rec('c')]), options());
      expect([r.stored, r.duplicates, r.rejected]).toEqual([1, 0, 0]);
      const [n] = await db.all<{ rows: number; ids: number; requests: number }>(
        'SELECT count(*) AS rows, count(DISTINCT request_id) AS ids, (SELECT count(*) FROM requests) AS requests FROM profiles',
      );
      expect(n).toEqual({ rows: 3, ids: 3, requests: 3 });
    } finally {
      db.close();
    }
  });
});
