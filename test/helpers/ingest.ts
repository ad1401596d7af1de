import { existsSync } from 'node:fs';
import { expect, vi } from 'vitest';
import { PnyxDb } from '../../src/db/database.js';
import type { CliResult } from './cli.js';

export interface Counts {
  read: number;
  stored: number;
  duplicates: number;
  rejected: number;
}

/** The "N read, N stored, N duplicates, N rejected" line of `pnyx analyze`, if printed. */
export function countsLine(stderr: string): Counts | undefined {
  const m = /(\d+) read, (\d+) stored, (\d+) duplicates, (\d+) rejected/.exec(stderr);
  if (!m) return undefined;
  const [read, stored, duplicates, rejected] = m.slice(1).map(Number) as [number, number, number, number];
  return { read, stored, duplicates, rejected };
}

/**
 * Runs `db.run` through a spy that records each statement and fails (rejects with "injected
 * failure") those `fail` picks; returns the recorded statements.
 */
export function spyStatements(db: PnyxDb, fail: (sql: string) => boolean = () => false): string[] {
  const statements: string[] = [];
  const run = db.run.bind(db);
  vi.spyOn(db, 'run').mockImplementation((sql, params) => {
    statements.push(sql);
    return fail(sql) ? Promise.reject(new Error('injected failure')) : run(sql, params);
  });
  return statements;
}

export async function query<T extends Record<string, unknown>>(db: string, sql: string): Promise<T[]> {
  const h = await PnyxDb.open(db, { readOnly: true });
  try {
    return await h.all<T>(sql);
  } finally {
    h.close();
  }
}

// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * What must hold after any `pnyx analyze` run on one fresh database, whatever the input:
 * no stack trace, no control sequence on the terminal, and read = stored + duplicates +
 * rejected both as printed and in the tables (requests, rejects, ingested_files).
 * Returns the printed counts (undefined when the run stopped before counting).
 */
export async function expectAccountedFor(r: CliResult, db: string): Promise<Counts | undefined> {
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr).not.toContain('internal error');
  expect(TERMINAL_CONTROL.test(r.stdout.replace(/\n/g, ''))).toBe(false);
  expect(TERMINAL_CONTROL.test(r.stderr.replace(/\n/g, ''))).toBe(false);
  const printed = countsLine(r.stderr);
  if (!existsSync(db)) {
    expect(printed).toBeUndefined();
    return undefined;
  }
  const [t] = await query<{ requests: number; rejects: number; files: number; f_read: number | null; f_stored: number | null; f_dup: number | null; f_rej: number | null }>(
    db,
    `SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM rejects) AS rejects,
            (SELECT count(*) FROM ingested_files) AS files,
            (SELECT sum(read_count)::BIGINT FROM ingested_files) AS f_read, (SELECT sum(stored)::BIGINT FROM ingested_files) AS f_stored,
            (SELECT sum(duplicates)::BIGINT FROM ingested_files) AS f_dup, (SELECT sum(rejected)::BIGINT FROM ingested_files) AS f_rej`,
  );
  if (!printed) {
    // Stopped before counting (a file-level error): nothing of the file may have landed.
    expect(t).toEqual({ requests: 0, rejects: 0, files: 0, f_read: null, f_stored: null, f_dup: null, f_rej: null });
    return undefined;
  }
  expect(printed.read).toBe(printed.stored + printed.duplicates + printed.rejected);
  expect({ requests: t!.requests, rejects: t!.rejects }).toEqual({ requests: printed.stored, rejects: printed.rejected });
  expect({ read: t!.f_read ?? 0, stored: t!.f_stored ?? 0, duplicates: t!.f_dup ?? 0, rejected: t!.f_rej ?? 0 }).toEqual(printed);
  return printed;
}
