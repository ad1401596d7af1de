import type { Command } from 'commander';
import { PnyxError } from '../../core/errors.js';
import { loadCatalog } from '../../db/catalog.js';
import { loadConfig } from '../../stages/config.js';
import { EXPORT_FORMATS, exportRecommendations, type ExportFormat } from '../../stages/export.js';
import { resolveOutputPath } from '../../stages/writeOutput.js';
import { openDb } from '../db.js';
import { resolveGlobalOptions } from '../context.js';

const EXTENSIONS: Record<ExportFormat, string> = { parquet: 'parquet', arrow: 'arrows', csv: 'csv', jsonl: 'jsonl' };

interface ExportFlags {
  format: string;
  out?: string;
  config?: string;
  catalog?: string;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('write per-request profiles and recommendations for notebooks and BI tools')
    .option('--format <format>', `file format: ${EXPORT_FORMATS.join(', ')} (arrow = Arrow IPC stream)`, 'parquet')
    .option('--out <path>', 'file, or folder for pnyx-requests.<ext> (default: reports/)')
    .option('--config <path>', 'routing policy file (default: pnyx.config.json / .yaml / .yml in the working directory)')
    .option('--catalog <snapshot>', 'catalog snapshot: a date, #id or latest (default: latest)')
    .addHelpText(
      'after',
      `
Columns: request id, time, feature, tenant, assigned model, token counts, cost, latency, the
capability profile, feature_verdict, recommended_model (the route the feature's recommendation
sends the request to), cheapest_adequate_model (the cheapest model meeting this request's own
needs), assigned_short_on, cheaper_model_suffices. Prompt text (system_prompt, messages, as
stored by analyze --store-text) only with the global --show-text. Files are written readable by you only (0600).`,
    )
    .action(async (flags: ExportFlags, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) {
        throw new PnyxError('usage', `unknown --format ${flags.format}; one of ${EXPORT_FORMATS.join(', ')}`);
      }
      const format = flags.format as ExportFormat;
      const { config } = loadConfig(flags.config, process.cwd());
      const path = resolveOutputPath(flags.out, `pnyx-requests.${EXTENSIONS[format]}`);
      const db = await openDb(g);
      try {
        const catalog = await loadCatalog(db, { snapshot: flags.catalog });
        const rows = await exportRecommendations(db, { catalog, config, path, format, showText: g.showText });
        if (rows === 0) throw new PnyxError('no_data', 'no classified requests to export: run `pnyx analyze <logs>` first');
        if (!g.quiet) process.stderr.write(`wrote ${rows} rows to ${path}\n`);
      } finally {
        db.close();
      }
    });
}
