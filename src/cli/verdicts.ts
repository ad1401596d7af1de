import type { PnyxDb } from '../db/database.js';
import { renderVerdictTable } from '../render/reportTable.js';
import { loadConfig } from '../stages/config.js';
import { reportFromDatabase } from '../stages/report.js';
import { sanitizeForTerminal, type GlobalOptions } from './context.js';

/**
 * After `pnyx analyze`: the per-feature verdicts, when profiles exist (the classifier ran) and a
 * catalog is available. Prints nothing otherwise; `pnyx report` gives the full picture.
 */
export async function printVerdicts(db: PnyxDb, g: GlobalOptions, configPath?: string): Promise<void> {
  const classified = await db.one<{ n: number }>('SELECT count(*) AS n FROM profiles');
  if (!classified || classified.n === 0) return;
  const { config, path } = loadConfig(configPath, process.cwd());
  // The same inputs as a plain `pnyx report`: on a large database the report stored here serves it.
  const { report } = await reportFromDatabase(db, { config, configPath: path, sampleRate: config.sample_rate ?? 1 });
  if (report.features.length === 0) return;
  process.stdout.write(`\nverdicts (catalog ${report.catalog.source} ${report.catalog.snapshot_date}; details: pnyx report):\n`);
  process.stdout.write(renderVerdictTable(report, { color: g.color, clean: sanitizeForTerminal }) + '\n');
}
