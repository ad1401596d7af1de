/**
 * Running a benchmark step as a child process: its wall time, CPU time and peak RSS are its own
 * (GNU time when installed, else wall time and /proc VmHWM polling, with CPU unknown).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TIME = '/usr/bin/time';

export interface Measured {
  seconds: number;
  /** User + system CPU seconds (GNU time only, else NaN). */
  cpuSeconds: number;
  /** Peak resident set in MiB (GNU time's maximum resident set, KiB, / 1024). */
  peakRssMb: number;
  /** Size of the database file the step left (MB), when it wrote one. */
  dbMb?: number;
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command, timing it and reading its peak RSS (GNU time, else /proc VmHWM polling). */
export function measure(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const useTime = existsSync(TIME);
  const timeOut = join(tmpdir(), `pnyx-bench-time-${process.pid}-${Date.now()}`);
  const [c, a] = useTime ? [TIME, ['-f', '%e %M %U %S', '-o', timeOut, cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const child = spawn(c, a, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let hwm = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          /* exited */
        }
      }, 50);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      let seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      let cpuSeconds = Number.NaN;
      if (useTime && existsSync(timeOut)) {
        const last = readFileSync(timeOut, 'utf8').trim().split('\n').pop() ?? '';
        const m = /^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$/.exec(last);
        if (m) {
          seconds = Number(m[1]);
          hwm = Number(m[2]);
          cpuSeconds = Number(m[3]) + Number(m[4]);
        }
        rmSync(timeOut, { force: true });
      }
      done({ seconds, cpuSeconds, peakRssMb: hwm / 1024, stdout, stderr, code: code ?? -1 });
    });
  });
}

/** Throws, naming the step and the last lines of its stderr, when it exited non-zero. */
export function check(step: string, m: Measured): Measured {
  if (m.code !== 0) throw new Error(`${step} failed (exit ${m.code}): ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return m;
}
