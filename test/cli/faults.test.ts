import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PnyxDb } from '../../src/db/database.js';
import { BIN, REPO, runCli, tempDir } from '../helpers/cli.js';
import { countsLine, query } from '../helpers/ingest.js';

/**
 * Faults: a killed run, a read-only location, a locked, corrupted or full database. Each must
 * give one clear line and a distinct non-zero exit code, and leave existing data as it was.
 */
const t = tempDir('pnyx-faults-');
afterAll(t.cleanup);

/** mulberry32: a tiny seeded PRNG, so the kill points are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function logLines(prefix: string, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      JSON.stringify({
        id: `${prefix}-${i}`,
        timestamp: new Date(Date.UTC(2026, 7, 10) + i * 1000).toISOString(),
        metadata: { feature: ['email_draft', 'lead_scoring', 'support_reply'][i % 3] },
        request: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `Write a short reply to ticket ${prefix}-${i} about the renewal.` }] },
        response: { usage: { prompt_tokens: 100 + (i % 50), completion_tokens: 30 } },
      }),
    );
  }
  return out.join('\n') + '\n';
}

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** True when this process may mount a tmpfs (root in a container with CAP_SYS_ADMIN). */
function canMount(dir: string): boolean {
  if (process.getuid?.() !== 0) return false;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  if (r.status !== 0) return false;
  spawnSync('umount', [dir]);
  return true;
}

describe('SIGKILL during ingest of several files', () => {
  // A small first file commits early, so kills land both between and inside file transactions.
  const SIZES = [2000, 9500, 9500];
  const TOTAL = SIZES.reduce((a, b) => a + b, 0);
  const files = ['a', 'b', 'c'].map((p) => join(t.path, `kill-${p}.jsonl`));
  beforeAll(() => {
    files.forEach((f, k) => writeFileSync(f, logLines(`f${k}`, SIZES[k]!)));
  });

  /**
   * Starts a run and SIGKILLs it `ms` after its write-ahead log shows a file's rows committed
   * (> 200 KB; machine speed then matters less), or after `ms` from the start if the log never
   * grows that far before the kill is due.
   */
  async function killAfterCommit(db: string, ms: number): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'analyze', ...files, '--db', db, '-q'], { cwd: REPO, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => (exited = true));
    const started = Date.now();
    const walBig = () => existsSync(`${db}.wal`) && statSync(`${db}.wal`).size > 200_000;
    while (!exited && !walBig() && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, ms));
    if (!exited) child.kill('SIGKILL');
    if (!exited) await new Promise((r) => child.once('exit', r));
  }

  /** Opens the database as pnyx would (replaying its log) and checks each file is whole or absent. */
  async function filesPresent(db: string): Promise<number> {
    if (!existsSync(db)) return 0;
    if (existsSync(`${db}.wal`)) expect(statSync(`${db}.wal`).mode & 0o777).toBe(0o600);
    const h = await PnyxDb.open(db);
    let present = 0;
    try {
      for (const f of files) {
        const row = await h.one<{ read_count: number; stored: number }>('SELECT read_count, stored FROM ingested_files WHERE path = $1', [f]);
        const n = (await h.one<{ n: number }>('SELECT count(*) AS n FROM requests WHERE source_file = $1', [f]))!.n;
        if (row) {
          const lines = SIZES[files.indexOf(f)]!;
          expect({ read: row.read_count, rows: n }).toEqual({ read: lines, rows: lines });
          present += 1;
        } else expect(n).toBe(0);
      }
      expect((await h.one<{ n: number }>('SELECT count(*) AS n FROM rejects'))!.n).toBe(0);
    } finally {
      h.close();
    }
    return present;
  }

  it('leaves each file all-or-nothing, and a re-run completes with correct totals and no duplicates', { timeout: 300_000 }, async () => {
    // Kill points from a fixed seed; rounds build on the same database, so later kills land in
    // later files. How far each run got depends on the machine: the invariants do not.
    const rand = prng(20261125);
    const db = join(t.path, 'kill.duckdb');
    const outcomes: string[] = [];
    for (let round = 0; round < 3; round++) {
      const delay = Math.floor(rand() * 4000);
      await killAfterCommit(db, delay);
      const present = await filesPresent(db);
      outcomes.push(`killed ${delay} ms after a commit: ${present} of ${files.length} files in`);
      if (present === files.length) break;
    }
    const before = (await query<{ n: number }>(db, 'SELECT count(*) AS n FROM requests'))[0]!.n;
    const presentBefore = await filesPresent(db);
    const r = runCli(['analyze', ...files, '--db', db, '-q']);
    expect(r.code).toBe(0);
    // Files that landed whole are skipped (same content, same options); the rest are read.
    expect(r.stderr.match(/: skipped, ingested before with the same content and options/g) ?? []).toHaveLength(presentBefore);
    expect(countsLine(r.stderr)).toEqual({ read: TOTAL - before, stored: TOTAL - before, duplicates: 0, rejected: 0 });
    expect(await query(db, 'SELECT count(*) AS n, count(DISTINCT request_id) AS d FROM requests')).toEqual([{ n: TOTAL, d: TOTAL }]);
    expect(await query(db, 'SELECT count(*) AS n, sum(read_count)::INTEGER AS r FROM ingested_files')).toEqual([{ n: 3, r: TOTAL }]);
    expect(await filesPresent(db)).toBe(3);
    process.stderr.write(`SIGKILL rounds: ${outcomes.join('; ')}\n`);
  });
});

describe('database locked by another process', () => {
  it('says so with exit 5, and the other process is unharmed', async () => {
    const db = join(t.path, 'locked.duckdb');
    const log = join(t.path, 'locked.jsonl');
    writeFileSync(log, logLines('lk', 20));
    expect(runCli(['analyze', log, '--db', db, '-q']).code).toBe(0);
    // A small node script holds the database open until told to count and quit.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const i = await DuckDBInstance.create(${JSON.stringify(db)}); const c = await i.connect();
         process.stdout.write('held\\n');
         process.stdin.once('data', async () => {
           const r = await c.runAndReadAll('SELECT count(*)::INTEGER AS n FROM requests');
           process.stdout.write('count ' + r.getRows()[0][0] + '\\n'); c.closeSync(); i.closeSync(); process.exit(0);
         });`,
      ],
      { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let out = '';
    holder.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (out.includes('held')) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    const other = join(t.path, 'locked-2.jsonl');
    writeFileSync(other, logLines('lk2', 5));
    const r = runCli(['analyze', other, '--db', db]);
    expect(r.code).toBe(5);
    expect(r.stderr.trim()).toBe(`pnyx: database ${db} is in use by another process (another pnyx running?); try again when it finishes`);
    expect(holder.exitCode).toBeNull();
    holder.stdin!.write('go\n');
    const code = await new Promise((resolve) => holder.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('count 20');
  });
});

describe('corrupted database file', () => {
  const log = join(t.path, 'c.jsonl');
  beforeAll(() => writeFileSync(log, logLines('co', 10)));

  function expectRefusedUntouched(db: string) {
    const before = sha256(db);
    for (const args of [['analyze', log], ['db', 'stats']]) {
      const r = runCli([...args, '--db', db]);
      expect(r.code).toBe(6);
      expect(r.stderr.trim()).toBe(
        `pnyx: database ${db} is not a readable pnyx/DuckDB database (corrupted, truncated or another kind of file); it was left untouched: move it aside or pass --db`,
      );
    }
    expect(sha256(db)).toBe(before);
    expect(existsSync(`${db}.wal`)).toBe(false);
  }

  it('random bytes: exit 6, file unchanged', () => {
    const db = join(t.path, 'random.duckdb');
    const rand = prng(7);
    writeFileSync(db, Buffer.from(Array.from({ length: 300_000 }, () => Math.floor(rand() * 256))));
    expectRefusedUntouched(db);
  });

  it('a truncated real database: exit 6, file unchanged', () => {
    const good = join(t.path, 'real.duckdb');
    expect(runCli(['analyze', log, '--db', good, '-q']).code).toBe(0);
    const db = join(t.path, 'truncated.duckdb');
    writeFileSync(db, readFileSync(good).subarray(0, 5000));
    expectRefusedUntouched(db);
  });

  it('a text file in its place: exit 6, file unchanged', () => {
    const db = join(t.path, 'notes.duckdb');
    writeFileSync(db, 'these are my notes\n');
    expectRefusedUntouched(db);
  });
});

describe('read-only location', () => {
  const isRoot = process.getuid?.() === 0;
  const mnt = join(t.path, 'ro-mount');
  const mountable = isRoot && canMount(mnt);
  if (isRoot && !mountable) process.stderr.write('NOTICE: read-only location test skipped: running as root without permission to mount a tmpfs\n');

  it.skipIf(isRoot && !mountable)('a new or existing database in a read-only folder: exit 7, one clear line, existing data intact', async () => {
    const log = join(t.path, 'ro.jsonl');
    writeFileSync(log, logLines('ro', 30));
    let dir: string;
    if (mountable) {
      spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
      dir = mnt;
    } else {
      dir = join(t.path, 'ro-dir');
      mkdirSync(dir);
    }
    const db = join(dir, 'x.duckdb');
    try {
      expect(runCli(['analyze', log, '--db', db, '-q']).code).toBe(0);
      if (mountable) spawnSync('mount', ['-o', 'remount,ro', mnt]);
      else {
        chmodSync(db, 0o400);
        chmodSync(dir, 0o500);
      }
      const more = join(t.path, 'ro-2.jsonl');
      writeFileSync(more, logLines('ro2', 5));
      const r = runCli(['analyze', more, '--db', db]);
      expect(r.code).toBe(7);
      expect(r.stderr.trim()).toBe(`pnyx: cannot write database ${db}: permission denied or read-only location (use --db to put it elsewhere)`);
      const fresh = runCli(['analyze', more, '--db', join(dir, 'new.duckdb')]);
      expect(fresh.code).toBe(7);
      expect(fresh.stderr).toContain('permission denied or read-only location');
      expect(await query(db, 'SELECT count(*) AS n FROM requests')).toEqual([{ n: 30 }]);
    } finally {
      if (mountable) spawnSync('umount', [mnt]);
      else chmodSync(dir, 0o700);
    }
  });
});

describe('disk full', () => {
  const mnt = join(t.path, 'full-mount');
  const mountable = canMount(mnt);
  if (!mountable) process.stderr.write('NOTICE: disk-full test skipped: cannot mount a small tmpfs here (needs root with mount permission)\n');

  it.skipIf(!mountable)('a run that fills the disk: exit 7, "disk full", earlier data intact and usable', async () => {
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]);
    try {
      const db = join(mnt, 'x.duckdb');
      const small = join(t.path, 'small.jsonl');
      writeFileSync(small, logLines('sm', 200));
      expect(runCli(['analyze', small, '--db', db, '-q']).code).toBe(0);
      const big = join(t.path, 'big.jsonl');
      writeFileSync(big, logLines('bg', 20_000));
      const r = runCli(['analyze', big, '--db', db]);
      expect(r.code).toBe(7);
      expect(r.stderr).not.toContain('    at ');
      expect(r.stderr.trim().split('\n').pop()).toBe(
        `pnyx: disk full while writing database ${db}: the work in progress was rolled back and earlier data is intact; free some space and run again`,
      );
      expect(await query(db, 'SELECT count(*) AS n FROM requests')).toEqual([{ n: 200 }]);
      // On the still full disk a run may fit or not, but never crashes. (DuckDB 1.5.6 aborted the
      // process undoing a failed COMMIT that had deleted and re-inserted a key: see recordIngestedFile.)
      const stillFull = runCli(['analyze', small, '--db', db, '--reingest']);
      expect(stillFull.stderr).not.toContain('    at ');
      if (stillFull.code !== 0) {
        expect(stillFull.code).toBe(7);
        expect(stillFull.stderr.trim().split('\n').pop()).toMatch(/^pnyx: disk full while writing database .*: the work in progress was rolled back and earlier data is intact/);
      }
      expect(await query(db, 'SELECT count(*) AS n FROM requests')).toEqual([{ n: 200 }]);
      // With space freed, as the message says, the run completes on the intact data.
      spawnSync('mount', ['-o', 'remount,size=64m', mnt]);
      const again = runCli(['analyze', small, '--db', db, '--reingest']);
      expect(again.code).toBe(0);
      expect(countsLine(again.stderr)).toEqual({ read: 200, stored: 0, duplicates: 200, rejected: 0 });
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

describe('DuckDB memory limit reached', () => {
  it('says so in one line with exit 7; earlier data intact, a run with more memory completes', async () => {
    const db = join(t.path, 'mem.duckdb');
    const small = join(t.path, 'mem-small.jsonl');
    writeFileSync(small, logLines('mm', 50));
    expect(runCli(['analyze', small, '--db', db, '-q']).code).toBe(0);
    const sample = join(REPO, 'fixtures/crm-sample.jsonl');
    const r = runCli(['analyze', sample, '--db', db, '--memory-limit', '2MB']);
    expect(r.code).toBe(7);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr.trim().split('\n').pop()).toBe(
      `pnyx: DuckDB reached its memory limit while working on database ${db}: the work in progress was rolled back and earlier data is intact; run again with a larger --memory-limit (default 1GB)`,
    );
    expect(await query(db, 'SELECT count(*) AS n FROM requests')).toEqual([{ n: 50 }]);
    const again = runCli(['analyze', sample, '--db', db, '-q']);
    expect(again.code).toBe(0);
    expect(countsLine(again.stderr)).toEqual({ read: 3500, stored: 3500, duplicates: 0, rejected: 0 });
  });
});
