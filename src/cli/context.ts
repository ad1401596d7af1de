import { DEFAULT_DB_PATH } from '../db/database.js';

/** Options every command shares, parsed once from the root program. */
export interface GlobalOptions {
  db: string;
  quiet: boolean;
  debug: boolean;
  color: boolean;
}

export function resolveGlobalOptions(raw: { db?: string; quiet?: boolean; debug?: boolean; color?: boolean }): GlobalOptions {
  const noColorEnv = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    db: raw.db ?? process.env.PNYX_DB ?? DEFAULT_DB_PATH,
    quiet: Boolean(raw.quiet),
    debug: Boolean(raw.debug) || process.env.PNYX_DEBUG === '1',
    color: raw.color !== false && !noColorEnv && Boolean(process.stdout.isTTY),
  };
}

/** Removes terminal control sequences and other control characters from log-derived text. */
export function sanitizeForTerminal(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)?|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
