import { resolve } from 'node:path';
import type { Command } from 'commander';
import { PnyxError, RecordError } from '../../core/errors.js';
import { parseTimestamp } from '../../core/adapters/fields.js';
import { STORAGE_VERSION } from '../../db/database.js';
import { fileSizes, purgeBefore, storageVersion, tableStats } from '../../db/maintenance.js';
import { openDb } from '../db.js';
import { resolveGlobalOptions } from '../context.js';

function parseBefore(v: string): Date {
  try {
    return parseTimestamp(v, '--before');
  } catch (err) {
    if (err instanceof RecordError) throw new PnyxError('usage', `--before ${v}: not a date (use YYYY-MM-DD or an ISO 8601 timestamp)`);
    throw err;
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function register(program: Command): void {
  const db = program.command('db').description('where the database is, what it holds, and deleting old data');

  db.command('path')
    .description('print the resolved database path (from --db, PNYX_DB or the default .pnyx/pnyx.duckdb)')
    .action((_flags: unknown, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      process.stdout.write(`${resolve(g.db)}\n`);
    });

  db.command('stats')
    .description('row counts per table and the size of the database file')
    .action(async (_flags: unknown, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      const h = await openDb(g, { readOnly: true });
      let rows;
      let format;
      try {
        rows = await tableStats(h);
        format = await storageVersion(h);
      } finally {
        h.close();
      }
      const sizes = fileSizes(h.path);
      const width = Math.max(...rows.map((r) => r.table.length), 'format'.length);
      const lines = rows.map((r) => `${r.table.padEnd(width)}  ${r.rows}`);
      lines.push(`${'file'.padEnd(width)}  ${h.path} (${formatBytes(sizes.file)}${sizes.wal ? `, wal ${formatBytes(sizes.wal)}` : ''})`);
      lines.push(`${'format'.padEnd(width)}  DuckDB storage ${format}${currentFormat(format) ? '' : ' (an older pnyx made it: prompt text uncompressed; `pnyx db compact` converts it)'}`);
      process.stdout.write(lines.join('\n') + '\n');
    });

  db.command('compact')
    .description('rewrite the database into a fresh file: drops the space deleted rows left, and converts a file an older pnyx made to the current storage format (prompt text compressed)')
    .action(async (_flags: unknown, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      const h = await openDb(g, { mustExist: true });
      let closed = false;
      try {
        const from = await storageVersion(h);
        const before = fileSizes(h.path);
        await h.rewriteAndClose();
        closed = true;
        const after = fileSizes(h.path);
        process.stdout.write(
          `rewrote ${h.path}: ${formatBytes(before.file + before.wal)} -> ${formatBytes(after.file + after.wal)}, DuckDB storage ${from} -> ${STORAGE_VERSION}+\n`,
        );
      } finally {
        if (!closed) h.close();
      }
    });

  db.command('purge')
    .description('delete requests (and their profiles and other per-request rows) and rejects older than DATE, then rewrite the file so the deleted text is gone from disk')
    .requiredOption('--before <date>', 'cutoff: requests whose log timestamp (or ingestion time when the log had none) is earlier, and rejects recorded earlier, are deleted')
    .action(async (flags: { before: string }, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      const before = parseBefore(flags.before);
      const h = await openDb(g, { mustExist: true });
      let closed = false;
      try {
        const counts = await purgeBefore(h, before);
        const related = Object.entries(counts.related).map(([t, n]) => `${n} ${t}`);
        process.stdout.write(`deleted ${counts.requests} requests, ${[...related, `${counts.rejects} rejects`].join(', ')} (before ${before.toISOString()})\n`);
        await h.rewriteAndClose();
        closed = true;
        process.stderr.write(`rewrote ${h.path}: deleted rows are no longer in the file\n`);
      } finally {
        if (!closed) h.close();
      }
    });
}

/** True for a file in pnyx's storage format or a later one (DuckDB names them `vX.Y.Z+`). */
function currentFormat(format: string): boolean {
  const v = (x: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(x) ?? []).slice(1).map(Number);
  const [a, b] = [v(format), v(STORAGE_VERSION)];
  if (a.length !== 3) return false;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return true;
}
