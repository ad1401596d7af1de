import type { Command } from 'commander';
import ora from 'ora';
import { DEFAULT_MAPPING } from '../../core/adapters/attribution.js';
import { ADAPTERS } from '../../core/adapters/index.js';
import { CLASSIFIER_VERSION } from '../../core/classifier/index.js';
import { PnyxError } from '../../core/errors.js';
import { DEFAULT_STORE_TEXT, STORE_TEXT_MODES, type StoreTextMode } from '../../core/storeText.js';
import { mappingOverrides } from '../../core/ingestConfig.js';
import { parseSampleRate } from '../../core/sample.js';
import { suggestFeatureNames } from '../../core/join.js';
import type { PnyxDb } from '../../db/database.js';
import { taskMixByFeature } from '../../db/profiles.js';
import { currentAggregates } from '../../db/reportCache.js';
import { expandGlob, featureSummaries, metadataOnlyByFormat } from '../../db/summary.js';
import { renderIngestProgress } from '../../render/progress.js';
import { renderMetadataOnlyNote, renderSummaryTable } from '../../render/summaryTable.js';
import { renderTaskMix } from '../../render/taskMix.js';
import { findConfigFile, loadIngestConfig } from '../../stages/ingestConfig.js';
import { ProfileObserver, reclassifyStale } from '../../stages/classify.js';
import { ingestFiles, type IngestSummary } from '../../stages/ingest.js';
import { loadJoinIndex, type JoinIndex } from '../../stages/join.js';
import { openDb } from '../db.js';
import { printVerdicts } from '../verdicts.js';
import { resolveGlobalOptions, sanitizeForTerminal, showsProgress } from '../context.js';
import { packageVersion } from '../version.js';

interface AnalyzeFlags {
  format: string;
  featureField?: string[];
  join?: string[];
  config?: string;
  sample?: string;
  storeText: string;
  storeRaw?: boolean;
  reingest?: boolean;
}

async function expandAll(db: PnyxDb, patterns: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const f of patterns) {
    const expanded = await expandGlob(db, f);
    if (expanded.length === 0) throw new PnyxError('input', `${f}: no files match`);
    paths.push(...expanded);
  }
  return paths;
}

/** A whole number from the environment (PNYX_WORKERS, PNYX_BATCH_BYTES), else undefined. */
function envCount(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
}

/** What the join did, on stderr: counts, records it could not change, feature names it learned. */
function reportJoin(summary: IngestSummary, join: JoinIndex, patterns: string[]): void {
  const out = (text: string) => process.stderr.write(sanitizeForTerminal(text) + '\n');
  out(`joined ${summary.joined} records without prompt text with ${join.usable} request-log records that have it (${join.read} read from ${patterns.join(', ')})`);
  if (summary.duplicates > 0) {
    out(`pnyx: ${summary.duplicates} duplicate records keep the version stored first (a join never rewrites stored records; analyze into a fresh --db to join them)`);
  }
  const names = suggestFeatureNames(summary.featureRenames);
  if (names.length === 0) return;
  out('to name the records the join could not reach, add to pnyx.config.yaml (README "Gateway exports"):');
  out('ingest:');
  out('  feature_names:');
  for (const n of names) out(`    ${n.from}: ${n.to}   # all ${n.joined} joined records`);
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('ingest request logs into the database and print a per-feature summary')
    .argument('<files...>', 'log files or globs: .jsonl .ndjson .json .csv .parquet, optionally .gz')
    .option('--format <name>', `log format: auto or ${ADAPTERS.map((a) => a.name).join(', ')}`, 'auto')
    .option('--feature-field <path...>', "dotted path(s) to the feature name in each record; replaces the format's defaults (feature, metadata.feature, tags, X-Title, ...; README \"Gateway exports\" lists each gateway's)")
    .option('--sample <rate>', 'keep only this fraction of requests (0.1 or 10%), chosen by a hash of the request id: re-runs keep the same ones; the rate is recorded (table ingest_runs) so projections scale by it')
    .option('--join <files...>', 'request log(s) with prompt bodies: records without prompt text (e.g. OpenRouter generations) take the messages of the request-log record with the same id (generation_id, response.id, id, request_id)')
    .option('--config <path>', 'config file (default: ./pnyx.config.json|yaml|yml if present); its `ingest` section maps fields and names join logs')
    .option(
      '--store-text <mode>',
      'prompt text kept in the database: full, redacted (emails, phones, cards, IBANs, keys and tokens masked), hash (sha256 fingerprints only), none',
      DEFAULT_STORE_TEXT,
    )
    .option('--store-raw', "also keep each request's original log record (masked per --store-text) in requests.raw; off by default: the columns hold everything pnyx reads, and the record repeats every prompt (the database grows ~2.5x)")
    .option('--reingest', 'read files again even when the same content was ingested before with the same options (by default such a file is skipped: it would store nothing new)')
    .addHelpText(
      'after',
      '\nFormats are detected per record (or forced with --format): LiteLLM spend logs, Langfuse observations (GENERATION only; other observation types are rejected as not model calls), Helicone exports, OpenRouter generation records, OpenAI chat logs, pnyx canonical records.\nRecords without prompt text (OpenRouter, LiteLLM by default, Helicone without --include-body) are analyzed from metadata and marked "metadata-only, lower confidence"; the summary says how to export bodies.\nEvery stored request gets a capability profile (table `profiles`, see `pnyx explain <request-id>`); requests profiled by an older\nclassifier version are re-classified from their stored text.\nEvery record ends up stored, a duplicate (same request id), or rejected (kept in the `rejects` table with file, line and reason).\nRe-running on the same files adds nothing: a file ingested before with the same content and options is skipped without reading it\n(--reingest reads it again). Exit code 0 if anything was read or skipped, 4 if no record could be stored.\nReject messages never quote log text unless --show-text is given. Capability profiles are computed from the\noriginal text before --store-text masks it.',
    )
    .action(async (files: string[], flags: AnalyzeFlags, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      if (!(STORE_TEXT_MODES as readonly string[]).includes(flags.storeText)) {
        throw new PnyxError('usage', `unknown --store-text ${flags.storeText}; one of ${STORE_TEXT_MODES.join(', ')}`);
      }
      const storeText = flags.storeText as StoreTextMode;
      if (flags.format !== 'auto' && !ADAPTERS.some((a) => a.name === flags.format)) {
        throw new PnyxError('usage', `unknown --format ${flags.format}; one of auto, ${ADAPTERS.map((a) => a.name).join(', ')}`);
      }
      const sampleRate = flags.sample === undefined ? 1 : parseSampleRate(flags.sample);
      if (sampleRate === undefined) throw new PnyxError('usage', `--sample ${flags.sample}: expected a fraction in (0, 1] such as 0.1, or a percentage such as 10%`);
      const config = loadIngestConfig(findConfigFile(flags.config, process.cwd()));
      const readerOpts = {
        mapping: DEFAULT_MAPPING,
        overrides: mappingOverrides(config, flags.featureField),
        featureNames: config?.feature_names,
        format: flags.format,
      };
      const db = await openDb(g);
      try {
        const paths = await expandAll(db, files);
        const joinPatterns = [...(flags.join ?? []), ...(flags.join ? [] : (config?.join ?? []))];
        const join = joinPatterns.length > 0 ? await loadJoinIndex(db, await expandAll(db, joinPatterns), readerOpts) : undefined;
        let progressFile = '';
        let progressStart = Date.now();
        const spinner = ora({ text: 'reading logs', stream: process.stderr, isSilent: !showsProgress(process.stderr, g.quiet) });
        spinner.start();
        let summary: IngestSummary;
        const profiles = new ProfileObserver();
        let reprofiled = 0;
        try {
          summary = await ingestFiles(db, paths, {
            observers: [profiles],
            ...readerOpts,
            join: join?.byKey,
            sampleRate,
            workers: envCount(process.env.PNYX_WORKERS),
            batchBytes: envCount(process.env.PNYX_BATCH_BYTES),
            storeText,
            storeRaw: flags.storeRaw === true,
            reingest: flags.reingest === true,
            version: packageVersion(),
            onProgress: (p) => {
              if (p.file !== progressFile) {
                progressFile = p.file;
                progressStart = Date.now();
              }
              spinner.text = sanitizeForTerminal(renderIngestProgress(p, Date.now() - progressStart));
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
            const quote = g.showText && s.excerpt !== undefined ? `: ${s.excerpt}` : '';
            process.stderr.write(sanitizeForTerminal(`pnyx: ${f.path}:${s.line}: ${s.field}: ${s.reason}${quote}`) + '\n');
          }
          if (f.rejected > f.rejectSamples.length) {
            process.stderr.write(`pnyx: ${sanitizeForTerminal(f.path)}: ${f.rejected - f.rejectSamples.length} more rejected records (query the rejects table)\n`);
          }
        }
        for (const f of summary.files) {
          if (f.resumedAfterLine !== undefined) {
            process.stderr.write(`pnyx: ${sanitizeForTerminal(f.path)}: grew since it was last read; read from line ${f.resumedAfterLine + 1} on\n`);
          }
        }
        for (const p of summary.skipped) {
          process.stderr.write(`pnyx: ${sanitizeForTerminal(p)}: skipped, ingested before with the same content and options (--reingest reads it again)\n`);
        }
        const line =
          `${summary.read} read, ${summary.stored} stored, ${summary.duplicates} duplicates, ${summary.rejected} rejected` +
          (sampleRate < 1 ? `, ${summary.sampledOut} sampled out (--sample ${sampleRate})` : '');
        process.stderr.write(`${line}\n`);
        if (join) reportJoin(summary, join, joinPatterns);
        process.stderr.write(
          `${profiles.written} profiled` + (reprofiled > 0 ? `, ${reprofiled} stored requests re-classified (classifier ${CLASSIFIER_VERSION})` : '') + '\n',
        );
        const readPaths = paths.filter((p) => !summary.skipped.includes(p));
        if (summary.read === 0 && readPaths.length > 0) throw new PnyxError('no_data', `no records found in ${readPaths.join(', ')}`);
        if (summary.read > 0 && summary.stored + summary.duplicates === 0) {
          throw new PnyxError('no_data', `no record could be read from ${paths.join(', ')}: all ${summary.rejected} rejected (see above)`);
        }
        const rows = await featureSummaries(db);
        process.stdout.write(renderSummaryTable(rows, { color: g.color, clean: sanitizeForTerminal }) + '\n');
        await printVerdicts(db, g, flags.config);
        const note = renderMetadataOnlyNote(await metadataOnlyByFormat(db), rows.reduce((s, r) => s + r.requests, 0));
        if (note) process.stdout.write(`\n${note}\n`);
        // From the aggregates printVerdicts just stored, if it did (50k requests or more).
        const mix = renderTaskMix(await taskMixByFeature(db, await currentAggregates(db, 'auto', false)), { color: g.color, clean: sanitizeForTerminal });
        if (mix) process.stdout.write(`\n${mix}\n`);
      } finally {
        db.close();
      }
    });
}
