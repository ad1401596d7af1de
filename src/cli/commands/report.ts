import type { Command } from 'commander';
import { PnyxError } from '../../core/errors.js';
import { matchFeature } from '../../core/matchFeature.js';
import type { Report } from '../../core/report.js';
import { featureNames } from '../../db/recommend.js';
import { loadConfig } from '../../stages/config.js';
import { reportFromDatabase } from '../../stages/report.js';
import { resolveOutputPath, writeOwnerOnly } from '../../stages/writeOutput.js';
import { openDb } from '../db.js';
import { resolveGlobalOptions, sanitizeForTerminal, type GlobalOptions } from '../context.js';

export const REPORT_FORMATS = ['table', 'markdown', 'json', 'html'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];
const EXTENSIONS: Record<ReportFormat, string> = { table: 'txt', markdown: 'md', json: 'json', html: 'html' };
export const FAIL_ON = ['over', 'under', 'mixed', 'violation'] as const;

interface ReportFlags {
  feature?: string;
  format: string;
  out?: string;
  sampleRate?: string;
  config?: string;
  failOn?: string;
  catalog?: string;
}

export function parseSampleRate(v: string | undefined, fallback: number | undefined): number {
  if (v === undefined) return fallback ?? 1;
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new PnyxError('usage', `--sample-rate must be a number in (0, 1], e.g. 0.05 for 5% sampled logs; got ${v}`);
  return n;
}

export function parseFailOn(v: string | undefined): Set<(typeof FAIL_ON)[number]> {
  const out = new Set<(typeof FAIL_ON)[number]>();
  if (!v) return out;
  for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(FAIL_ON as readonly string[]).includes(part)) throw new PnyxError('usage', `--fail-on ${part}: one of ${FAIL_ON.join(', ')}`);
    out.add(part as (typeof FAIL_ON)[number]);
  }
  return out;
}

/** Features that trip a --fail-on gate, with why. */
export function gateMatches(report: Report, failOn: Set<(typeof FAIL_ON)[number]>): string[] {
  const hits: string[] = [];
  for (const f of report.features) {
    if (failOn.has('over') && f.verdict === 'over-provisioned') hits.push(`${f.feature} (over-provisioned)`);
    if (failOn.has('under') && f.verdict === 'under-provisioned') hits.push(`${f.feature} (under-provisioned)`);
    if (failOn.has('mixed') && f.verdict === 'mixed') hits.push(`${f.feature} (mixed)`);
    if (failOn.has('violation') && f.violations.length > 0) hits.push(`${f.feature} (${f.violations.length} policy violation${f.violations.length > 1 ? 's' : ''})`);
  }
  return hits;
}

/** The report in one format; only that format's renderer is loaded (cli-table3 only for the table). */
export async function renderReport(report: Report, format: ReportFormat, g: Pick<GlobalOptions, 'color'>, toFile: boolean): Promise<string> {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'markdown':
      return (await import('../../render/reportMarkdown.js')).renderReportMarkdown(report);
    case 'html':
      return (await import('../../render/reportHtml.js')).renderReportHtml(report);
    default:
      return (await import('../../render/reportTable.js')).renderReportTable(report, { color: g.color && !toFile, clean: sanitizeForTerminal }) + '\n';
  }
}

export function register(program: Command): void {
  program
    .command('report')
    .description('per-feature verdicts (over-/under-provisioned, mixed, well-matched), recommended models, monthly cost and quality')
    .option('--feature <name>', 'one feature: exact name, else unique prefix or substring')
    .option('--format <format>', `output format: ${REPORT_FORMATS.join(', ')}`, 'table')
    .option('--out <path>', 'write to this file, or into this folder (default for html: reports/pnyx-report.html)')
    .option('--sample-rate <rate>', 'share of production traffic the logs hold, e.g. 0.05 (default: config sample_rate, else 1)')
    .option('--config <path>', 'routing policy file (default: pnyx.config.json / .yaml / .yml in the working directory)')
    .option('--catalog <snapshot>', 'catalog snapshot: a date, #id or latest (default: latest)')
    .option('--fail-on <list>', `exit ${20} when any feature matches: comma list of ${FAIL_ON.join(', ')}`)
    .addHelpText(
      'after',
      `
Without --feature: the whole platform, a summary table then a section per feature.
table and markdown and json print to stdout unless --out is given; html is written to a file
(reports/pnyx-report.html unless --out). Files are written readable by you only (0600).
Exit codes: 0 ok, 20 when a --fail-on condition matched (after writing the report),
4 nothing analysed yet, 10 invalid config, 11 no feature or catalog snapshot matches --feature or
--catalog, 2 bad flags.`,
    )
    .action(async (flags: ReportFlags, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      if (!(REPORT_FORMATS as readonly string[]).includes(flags.format)) {
        throw new PnyxError('usage', `unknown --format ${flags.format}; one of ${REPORT_FORMATS.join(', ')}`);
      }
      const format = flags.format as ReportFormat;
      const failOn = parseFailOn(flags.failOn);
      const { config, path: configPath } = loadConfig(flags.config, process.cwd());
      const sampleRate = parseSampleRate(flags.sampleRate, config.sample_rate);
      const db = await openDb(g);
      let report: Report;
      try {
        const names = await featureNames(db);
        if (names.length === 0) throw new PnyxError('no_data', 'nothing analysed yet: run `pnyx analyze <logs>` first');
        const feature = flags.feature === undefined ? undefined : matchFeature(flags.feature, names);
        ({ report } = await reportFromDatabase(db, { snapshot: flags.catalog, config, configPath, sampleRate, feature }));
      } finally {
        db.close();
      }
      const toFile = flags.out !== undefined || format === 'html';
      const text = await renderReport(report, format, g, toFile);
      if (toFile) {
        const path = resolveOutputPath(flags.out, `pnyx-report.${EXTENSIONS[format]}`);
        writeOwnerOnly(path, text);
        if (!g.quiet) process.stderr.write(`wrote ${path}\n`);
      } else {
        process.stdout.write(text);
      }
      const hits = gateMatches(report, failOn);
      if (hits.length > 0) throw new PnyxError('gate', `--fail-on ${[...failOn].join(',')}: ${hits.join(', ')}`);
    });
}
