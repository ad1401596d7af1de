import { PnyxError } from '../core/errors.js';
import { DEFAULT_DB_PATH } from '../db/defaultPath.js';

/** Options every command shares, parsed once from the root program. */
export interface GlobalOptions {
  db: string;
  quiet: boolean;
  debug: boolean;
  color: boolean;
  /** DuckDB memory_limit (--memory-limit / PNYX_MEMORY_LIMIT), e.g. "1GB". */
  memoryLimit: string;
  /** Print prompt text (and quotes of offending log values) where a command would; off by default. */
  showText: boolean;
}

/** DuckDB's own default is 80% of RAM; pnyx caps it so big ingests stay within a CI runner. */
export const DEFAULT_MEMORY_LIMIT = '1GB';
const MEMORY_SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

export function resolveGlobalOptions(raw: { db?: string; quiet?: boolean; debug?: boolean; color?: boolean; memoryLimit?: string; showText?: boolean }): GlobalOptions {
  const noColorEnv = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  const memoryLimit = (raw.memoryLimit ?? process.env.PNYX_MEMORY_LIMIT ?? DEFAULT_MEMORY_LIMIT).trim();
  if (!MEMORY_SIZE.test(memoryLimit)) throw new PnyxError('usage', `--memory-limit ${memoryLimit}: expected a size such as 512MB or 2GB`);
  return {
    memoryLimit,
    db: raw.db ?? process.env.PNYX_DB ?? DEFAULT_DB_PATH,
    quiet: Boolean(raw.quiet),
    debug: Boolean(raw.debug) || process.env.PNYX_DEBUG === '1',
    color: raw.color !== false && !noColorEnv && Boolean(process.stdout.isTTY),
    showText: Boolean(raw.showText),
  };
}

/**
 * Whether a live progress line belongs on `stream`: a terminal that knows its width, and no
 * --quiet. A pseudo-terminal of 0 columns (`script` run without a terminal, some CI wrappers)
 * is a TTY too, but ora 9.4 divides by its width: every frame then "clears" an infinite number
 * of lines, and a 100k-record analyze wrote 185 MB of escape codes to stderr.
 */
export function showsProgress(stream: { isTTY?: boolean; columns?: number }, quiet: boolean): boolean {
  return !quiet && stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0;
}

/**
 * Removes terminal control sequences (CSI, OSC incl. OSC 8 links, DCS/APC/PM strings), other
 * control characters and bidirectional overrides from log-derived text.
 */
export function sanitizeForTerminal(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex
    /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[\]P^_X][^\u0007\u001b]*(\u0007|\u001b\\)?|\u009b[0-9;?]*[ -/]*[@-~]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    '',
  );
}
