import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { showsProgress } from '../../src/cli/context.js';
import { BIN, FIXTURES, tempDir } from '../helpers/cli.js';

const t = tempDir('pnyx-progress-');
afterAll(t.cleanup);

/** util-linux `script` gives the CLI a pseudo-terminal (BSD's takes other flags: those hosts skip). */
const HAS_SCRIPT = /util-linux/.test(spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout ?? '');
if (!HAS_SCRIPT) console.warn('progress.test.ts: util-linux `script` not found; the pseudo-terminal tests are skipped');

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** `pnyx analyze` of the bundled sample on a pseudo-terminal, after `setup` (shell) ran on it. */
function analyzeOnPty(name: string, setup: string): { code: number | null; out: string; bytes: number } {
  const cmd = `${setup}${quote(process.execPath)} ${quote(BIN)} --db ${quote(join(t.path, `${name}.duckdb`))} analyze ${quote(join(FIXTURES, 'crm-sample.jsonl'))}`;
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: t.path, TERM: 'xterm' },
    timeout: 90_000,
    // What a hung spinner writes overflows this and fails the run at once.
    maxBuffer: 4 * 1024 * 1024,
  });
  return { code: r.status, out: r.stdout ?? '', bytes: Buffer.byteLength(r.stdout ?? '') };
}

describe('analyze progress on a terminal', () => {
  it('shows progress only on a terminal that knows its width, and not with --quiet', () => {
    expect(showsProgress({ isTTY: true, columns: 120 }, false)).toBe(true);
    expect(showsProgress({ isTTY: true, columns: 120 }, true)).toBe(false);
    expect(showsProgress({ isTTY: true, columns: 0 }, false)).toBe(false);
    expect(showsProgress({ isTTY: true }, false)).toBe(false);
    expect(showsProgress({ isTTY: false, columns: 120 }, false)).toBe(false);
    expect(showsProgress({}, false)).toBe(false);
  });

  // The old build wrote 94 MB of escape codes in 60 s on this and had not finished.
  it.skipIf(!HAS_SCRIPT)('finishes with a plain summary on a pseudo-terminal of 0 columns', () => {
    const r = analyzeOnPty('zero', 'stty cols 0 rows 0; ');
    expect(r.code).toBe(0);
    expect(r.out).toContain('3500 read, 3500 stored, 0 duplicates, 0 rejected');
    expect(r.out).not.toContain('reading logs');
    expect(r.bytes).toBeLessThan(64 * 1024);
  });

  it.skipIf(!HAS_SCRIPT)('draws the progress line on a terminal of 120 columns', () => {
    const r = analyzeOnPty('wide', 'stty cols 120 rows 40; ');
    expect(r.code).toBe(0);
    expect(r.out).toContain('3500 read, 3500 stored, 0 duplicates, 0 rejected');
    expect(r.out).toContain('reading logs');
    expect(r.bytes).toBeLessThan(256 * 1024);
  });
});
