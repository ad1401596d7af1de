import { PnyxDb } from '../db/database.js';
import type { GlobalOptions } from './context.js';

/** Opens the database named by --db / PNYX_DB. */
export function openDb(g: GlobalOptions, opts: { readOnly?: boolean; mustExist?: boolean } = {}): Promise<PnyxDb> {
  return PnyxDb.open(g.db, { readOnly: opts.readOnly, mustExist: opts.mustExist, memoryLimit: g.memoryLimit });
}
