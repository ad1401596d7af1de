import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

/**
 * The measuring tools of README › Performance (scripts/perf/*.sh) run the build on the bundled
 * sample. They read /proc and need GNU time, so they run on Linux only.
 */
const SAMPLE = join(REPO, 'fixtures/crm-sample.jsonl');
const usable = process.platform === 'linux' && existsSync('/usr/bin/time') && existsSync(join(REPO, 'dist/main.js'));
if (!usable) console.warn('perf.test: skipped (needs Linux, /usr/bin/time and a build in dist/)');

function run(script: string, ...args: string[]) {
  return spawnSync('bash', [join(REPO, 'scripts/perf', script), ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe.runIf(usable)('scripts/perf', () => {
  it('ab.sh runs each variant once per round, in order, with its own environment', () => {
    const r = run('ab.sh', '2', `one|${SAMPLE}|`, `two|${SAMPLE}|PNYX_WORKERS=0`);
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => /^round (\d)  (\S+) +wall +([\d.]+) s  cpu +([\d.]+) s \(sys +[\d.]+\)  rss +(\d+) MiB  faults +(\d+)  cores ([\d.]+)$/.exec(l));
    expect(rows.map((m) => m && `${m[1]} ${m[2]}`)).toEqual(['1 one', '1 two', '2 one', '2 two']);
    for (const m of rows) {
      const [wall, cpu, rss, faults, cores] = [m![3], m![4], m![5], m![6], m![7]].map(Number);
      expect(wall).toBeGreaterThan(0);
      expect(cores).toBeCloseTo(cpu! / wall!, 1);
      // A DuckDB database and node: tens of MB at least, and a page fault per 4 KB of it.
      expect(rss).toBeGreaterThan(50);
      expect(faults).toBeGreaterThan(rss! * 100);
    }
  });

  it('ab.sh stops at a failing run and shows why', () => {
    // The environment reaches pnyx: an invalid memory limit is a usage error.
    const r = run('ab.sh', '1', `bad|${SAMPLE}|PNYX_MEMORY_LIMIT=lots`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ab.sh: bad failed:');
    expect(r.stderr).toMatch(/pnyx: .*memory/i);
    expect(r.stdout).toBe('');
  });

  it('threads.sh gives the main thread and a total that adds up', () => {
    const r = run('threads.sh', SAMPLE);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const secs = (l: string) => Number(/([\d.]+) s$/.exec(l)![1]);
    const threads = lines.slice(0, -1);
    expect(threads.filter((l) => l.includes('(main)'))).toHaveLength(1);
    expect(threads.length).toBeGreaterThan(3);
    expect(lines.at(-1)).toMatch(/^total +[\d.]+ s$/);
    const sum = threads.reduce((s, l) => s + secs(l), 0);
    expect(secs(lines.at(-1)!)).toBeCloseTo(sum, 1);
    expect(secs(threads.find((l) => l.includes('(main)'))!)).toBeGreaterThan(0);
  });

  it('util.sh samples the cores busy over the run', () => {
    const r = run('util.sh', SAMPLE);
    expect(r.status, r.stderr).toBe(0);
    const [head, samples] = r.stdout.trim().split('\n');
    expect(head).toMatch(/^wall [\d.]+ s, cpu [\d.]+ s \(at the last sample\)$/);
    const busy = samples!.replace('cores busy per sample:', '').trim().split(' ').map(Number);
    expect(busy.length).toBeGreaterThan(0);
    // Never more than every core at once (a little over for the timing of the samples).
    const cores = availableParallelism();
    for (const b of busy) {
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(cores * 1.5);
    }
  });

  it('each tool fails with pnyx’s message when the file is missing', () => {
    for (const tool of ['threads.sh', 'util.sh']) {
      const r = run(tool, '/nonexistent/x.jsonl');
      expect(r.status, tool).toBe(1);
      expect(r.stderr).toContain(`${tool}: pnyx analyze failed:`);
      expect(r.stderr).toContain('pnyx: /nonexistent/x.jsonl: no such file');
    }
  });
});
