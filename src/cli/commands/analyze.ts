import type { Command } from 'commander';
import ora from 'ora';
import { DEFAULT_MAPPING } from '../../core/adapters/attribution.js';
import { ADAPTERS } from '../../core/adapters/index.js';
import { CLASSIFIER_VERSION } from '../../core/classifier/index.js';
import { PnyxError } from '../../core/errors.js';
import { expandGlob, featureSummaries } from '../../db/summary.js';
import { renderSummaryTable } from '../../render/summaryTable.js';
import { renderTaskMix } from '../../render/taskMix.js';
import { taskMixByFeature } from '../../db/profiles.js';
import { ProfileObserver, reclassifyStale } from '../../stages/classify.js';
import { ingestFiles, type IngestSummary } from '../../stages/ingest.js';
import { openDb } from '../db.js';
import { resolveGlobalOptions, sanitizeForTerminal } from '../context.js';

interface AnalyzeFlags {
  format: string;
  featureField?: string[];
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('ingest request logs into the database and print a per-feature summary')
    .argument('<files...>', 'log files or globs: .jsonl .ndjson .json .csv .parquet, optionally .gz')
    .option('--format <name>', `log format: auto or ${ADAPTERS.map((a) => a.name).join(', ')}`, 'auto')
    .option('--feature-field <path...>', 'dotted path(s) to the feature name in each record (default: feature, metadata.feature, tags, X-Title, ...)')
    .addHelpText(
      'after',
      '\nEvery record ends up stored, a duplicate (same request id), or rejected (kept in the `rejects` table with file, line and reason).\nEvery stored request gets a capability profile (table `profiles`, see `pnyx explain <request-id>`); requests profiled by an older\nclassifier version are re-classified from their stored text.\nRe-running on the same files adds nothing. Exit code 0 if anything was read, 4 if no record could be stored.',
    )
    .action(async (files: string[], flags: AnalyzeFlags, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      if (flags.format !== 'auto' && !ADAPTERS.some((a) => a.name === flags.format)) {
        throw new PnyxError('usage', `unknown --format ${flags.format}; one of auto, ${ADAPTERS.map((a) => a.name).join(', ')}`);
      }
      const db = await openDb(g);
      try {
        const paths: string[] = [];
        for (const f of files) {
          const expanded = await expandGlob(db, f);
          if (expanded.length === 0) throw new PnyxError('input', `${f}: no files match`);
          paths.push(...expanded);
        }
        const spinner = ora({ text: 'reading logs', stream: process.stderr, isSilent: g.quiet || !process.stderr.isTTY });
        spinner.start();
        let summary: IngestSummary;
        const profiles = new ProfileObserver();
        let reprofiled = 0;
        try {
          summary = await ingestFiles(db, paths, {
            observers: [profiles],
            mapping: flags.featureField ? { ...DEFAULT_MAPPING, feature: flags.featureField } : DEFAULT_MAPPING,
            format: flags.format,
            onProgress: (p) => {
              spinner.text = `reading ${p.file}: ${p.records.toLocaleString('en-US')} records`;
            },
          });
          // Requests stored earlier without a profile, or profiled by another classifier version.
          reprofiled = await reclassifyStale(db, (done, total) => {
            spinner.text = `re-classifying stored requests: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
          });
        } finally {
          spinner.stop();
        }
        for (const f of summary.files) {
          for (const s of f.rejectSamples) {
            process.stderr.write(sanitizeForTerminal(`pnyx: ${f.path}:${s.line}: ${s.field}: ${s.reason}`) + '\n');
          }
          if (f.rejected > f.rejectSamples.length) {
            process.stderr.write(`pnyx: ${sanitizeForTerminal(f.path)}: ${f.rejected - f.rejectSamples.length} more rejected records (query the rejects table)\n`);
          }
        }
        const line = `${summary.read} read, ${summary.stored} stored, ${summary.duplicates} duplicates, ${summary.rejected} rejected`;
        process.stderr.write(`${line}\n`);
        process.stderr.write(
          `${profiles.written} profiled` + (reprofiled > 0 ? `, ${reprofiled} stored requests re-classified (classifier ${CLASSIFIER_VERSION})` : '') + '\n',
        );
        if (summary.read === 0) throw new PnyxError('no_data', `no records found in ${paths.join(', ')}`);
        if (summary.stored + summary.duplicates === 0) {
          throw new PnyxError('no_data', `no record could be read from ${paths.join(', ')}: all ${summary.rejected} rejected (see above)`);
        }
        const rows = await featureSummaries(db);
        process.stdout.write(renderSummaryTable(rows, { color: g.color, clean: sanitizeForTerminal }) + '\n');
        const mix = renderTaskMix(await taskMixByFeature(db), { color: g.color, clean: sanitizeForTerminal });
        if (mix) process.stdout.write(mix + '\n');
      } finally {
        db.close();
      }
    });
}
