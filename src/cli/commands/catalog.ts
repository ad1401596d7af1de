import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { type Command, Option } from 'commander';
import { perMillion } from '../../core/catalog/cost.js';
import { parseScoresCsv, parseScoresJson } from '../../core/catalog/importScores.js';
import { filterCatalog } from '../../core/catalog/filter.js';
import { DEFAULT_RETRY_POLICY } from '../../core/catalog/retry.js';
import { isCapability } from '../../core/catalog/scores.js';
import { listWithMore } from '../../core/catalog/shrink.js';
import { CAPABILITIES, type ModelCatalog } from '../../core/catalog/types.js';
import { PnyxError } from '../../core/errors.js';
import { bundledPriceHistory } from '../../db/bundledCatalog.js';
import { currentSnapshot, importScores, listSnapshots, loadCatalog, modelHistory } from '../../db/catalog.js';
import { catalogDiff, resolveDiffRange } from '../../db/catalogDiff.js';
import { renderCatalogDiff, renderCatalogList, renderCatalogShow, renderSnapshotList } from '../../render/catalog.js';
import { fetchCatalog, OPENROUTER_MODELS_URL, storeFetchedCatalog } from '../../stages/catalogSync.js';
import { resolveGlobalOptions, sanitizeForTerminal, type GlobalOptions } from '../context.js';
import { openDb } from '../db.js';

const style = (g: GlobalOptions) => ({ color: g.color, clean: sanitizeForTerminal });

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new PnyxError('usage', `${name} must be a whole number ≥ 0, got "${v}"`);
    return n;
  };
}

function nonNegative(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new PnyxError('usage', `${name} must be a number ≥ 0, got "${v}"`);
    return n;
  };
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function register(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('the model catalog: OpenRouter prices and limits, benchmark scores per capability, price history')
    .addHelpText(
      'after',
      '\nOffline by default: pnyx ships a curated catalog (data/catalog/, see PROVENANCE.md) that is used until `pnyx catalog sync` stores a newer snapshot.',
    );

  catalog
    .command('sync')
    .description(`fetch OpenRouter's model list (${OPENROUTER_MODELS_URL}) or read a saved response, validate it, and store it as a dated snapshot`)
    .option('--url <url>', 'fetch from this URL instead of OpenRouter')
    .option('--file <path>', 'read a saved /api/v1/models response instead of fetching')
    .option('--timeout <ms>', 'per-attempt timeout in milliseconds', positiveInt('--timeout'), 30_000)
    .option('--retries <n>', 'retries on timeouts, connection errors, HTTP 429 and 5xx (backoff 1s, 2s, 4s…; Retry-After honoured up to 30s)', positiveInt('--retries'), DEFAULT_RETRY_POLICY.retries)
    .option('--date <YYYY-MM-DD>', "snapshot date (default: the file's snapshot_date field, else today, UTC)")
    .option('--allow-shrink', 'store the response even if it lists fewer than half of the current snapshot\'s models')
    .addHelpText(
      'after',
      '\nA response that is not JSON, truncated, an HTML error page, of the wrong content type or of a changed shape is rejected with one line and exit code 8 (9 for network errors); the stored catalog is never replaced by a bad response. Syncing unchanged content stores nothing.' +
        '\nA response listing fewer than half of the current snapshot\'s models (a filtered or partial list?) is refused the same way unless --allow-shrink. When a snapshot is stored, models your logs use that it lacks are named on stderr.',
    )
    .action(async (flags: { url?: string; file?: string; timeout: number; retries: number; date?: string; allowShrink?: boolean }, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      if (flags.url && flags.file) throw new PnyxError('usage', 'give --url or --file, not both');
      if (flags.url && !/^https?:\/\//i.test(flags.url)) throw new PnyxError('usage', `--url must be an http(s) URL, got "${flags.url}"`);
      if (flags.timeout === 0) throw new PnyxError('usage', '--timeout must be at least 1 ms');
      const fetched = await fetchCatalog({
        url: flags.url,
        file: flags.file,
        timeoutMs: flags.timeout,
        date: flags.date,
        policy: { ...DEFAULT_RETRY_POLICY, retries: flags.retries },
        onRetry: (i) => {
          if (!g.quiet) process.stderr.write(`pnyx: ${i.reason}; retrying in ${(i.delayMs / 1000).toFixed(1)}s (attempt ${i.attempt + 1} of ${flags.retries + 1})\n`);
        },
      });
      const db = await openDb(g);
      try {
        const r = await storeFetchedCatalog(db, fetched, { allowShrink: flags.allowShrink });
        const s = r.snapshot;
        const shrank = r.shrank ? `; the catalog shrank: ${r.shrank.from} → ${r.shrank.to} models (--allow-shrink)` : '';
        out(
          r.created
            ? `stored catalog snapshot #${s.snapshot_id} (${s.snapshot_date}, ${s.model_count} models) from ${sanitizeForTerminal(r.source)}${shrank}`
            : `catalog unchanged: same content as snapshot #${s.snapshot_id} (${s.snapshot_date}, ${s.model_count} models); nothing stored`,
        );
        const gone = r.usedModelsGone;
        if (gone.length) {
          process.stderr.write(sanitizeForTerminal(`pnyx: warning: ${gone.length} model${gone.length === 1 ? '' : 's'} your logs use ${gone.length === 1 ? 'is' : 'are'} not in the new catalog: ${listWithMore(gone, 5)}`) + '\n');
        }
      } finally {
        db.close();
      }
    });

  catalog
    .command('snapshots')
    .description('list the stored catalog snapshots (bundled and synced); the current one is marked')
    .option('--json', 'machine-readable output')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      const db = await openDb(g);
      try {
        const snaps = await listSnapshots(db);
        const current = await currentSnapshot(db);
        if (flags.json) out(JSON.stringify({ current: current?.snapshot_id ?? null, snapshots: snaps }, null, 2));
        else out(renderSnapshotList(snaps, current?.snapshot_id ?? null, style(g)));
      } finally {
        db.close();
      }
    });

  catalog
    .command('list')
    .description('list the catalog models with prices per 1M tokens and capability scores')
    .option('--provider <name>', 'only this provider (the part of the id before "/", e.g. openai)')
    .option('--max-price <usd>', 'only models whose prompt price is at most this many USD per 1M tokens', nonNegative('--max-price'))
    .option('--min-context <tokens>', 'only models with at least this context window', positiveInt('--min-context'))
    .addOption(new Option('--capability <name>', 'with --min-score: only models scoring at least that on this capability').choices([...CAPABILITIES]))
    .option('--min-score <0..1>', 'minimum score for --capability (models without a score are excluded)', nonNegative('--min-score'))
    .option('--snapshot <date|#id>', 'list a stored snapshot instead of the current one')
    .option('--json', 'machine-readable output')
    .action(async (flags: { provider?: string; maxPrice?: number; minContext?: number; capability?: string; minScore?: number; snapshot?: string; json?: boolean }, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      if ((flags.capability === undefined) !== (flags.minScore === undefined)) throw new PnyxError('usage', '--capability and --min-score go together');
      if (flags.minScore !== undefined && flags.minScore > 1) throw new PnyxError('usage', `--min-score is on a 0..1 scale, got ${flags.minScore}`);
      const db = await openDb(g);
      try {
        const cat = await loadCatalog(db, { snapshot: flags.snapshot });
        const rows = filterCatalog(cat, flags);
        if (flags.json) {
          out(
            JSON.stringify(
              {
                catalog: { source: cat.source, snapshot_date: cat.snapshot_date, models: cat.models.length },
                models: rows.map(({ model, scores }) => ({
                  ...model,
                  price_per_million: { prompt: perMillion(model.pricing.prompt), completion: perMillion(model.pricing.completion) },
                  scores: scores ? { capabilities: scores.capabilities, domains: scores.domains, output_tokens_per_s: scores.output_tokens_per_s, ttft_s: scores.ttft_s } : null,
                })),
              },
              null,
              2,
            ),
          );
        } else out(renderCatalogList(rows, { source: cat.source, snapshot_date: cat.snapshot_date, total: cat.models.length }, style(g)));
      } finally {
        db.close();
      }
    });

  catalog
    .command('show')
    .description('one model: prices per 1M tokens (with tiers), limits, parameters, scores with their sources, and its history across snapshots')
    .argument('<id>', 'OpenRouter model id, e.g. openai/gpt-5')
    .option('--snapshot <date|#id>', 'show the model as a stored snapshot lists it')
    .option('--json', 'machine-readable output')
    .action(async (id: string, flags: { snapshot?: string; json?: boolean }, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      const db = await openDb(g);
      try {
        const cat = await loadCatalog(db, { snapshot: flags.snapshot });
        const history = await modelHistory(db, id);
        const model = cat.models.find((m) => m.id === id);
        if (!model) {
          const known = history.filter((h) => h.present);
          const page = bundledPriceHistory(id).at(-1);
          const hint = known.length
            ? `; known in ${known.map((h) => h.snapshot_date).join(', ')} (try --snapshot ${known[known.length - 1]?.snapshot_date})`
            : similarIds(cat, id);
          throw new PnyxError('not_found', `${id} is not in the ${cat.snapshot_date} catalog${hint}${page && known.length ? `; last seen on the price page of ${page.date}` : ''}`);
        }
        const scores = cat.scores.get(id);
        const pricePages = bundledPriceHistory(id);
        if (flags.json) out(JSON.stringify({ catalog: { source: cat.source, snapshot_date: cat.snapshot_date }, model, scores: scores ?? null, history, price_pages: pricePages }, null, 2));
        else out(renderCatalogShow(model, scores, history, pricePages, { source: cat.source, snapshot_date: cat.snapshot_date }, style(g)));
      } finally {
        db.close();
      }
    });

  catalog
    .command('diff')
    .description('what changed between two snapshots: new, removed and expiring models, price changes (%), and the analysed features they affect')
    .option('--from <date|#id>', 'older snapshot (default: the one before --to)')
    .option('--to <date|#id>', 'newer snapshot (default: the current one)')
    .option('--json', 'machine-readable output')
    .action(async (flags: { from?: string; to?: string; json?: boolean }, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      const db = await openDb(g);
      try {
        const range = await resolveDiffRange(db, flags.from, flags.to);
        const d = await catalogDiff(db, range.from, range.to);
        out(flags.json ? JSON.stringify(d, null, 2) : renderCatalogDiff(d, style(g)));
      } finally {
        db.close();
      }
    });

  catalog
    .command('import-scores')
    .description("import a team's own evaluation results; they override the bundled score of the same model and capability")
    .argument('<file>', '.csv (header: model,capability,score,n) or .json (array of {model, capability|task, score, n})')
    .option('--source <name>', 'name stored with these figures (default: team:<file name>)')
    .addHelpText(
      'after',
      '\nFields: model (OpenRouter id), capability (general, reasoning, coding, instruction_following, tool_use, long_context), or a domain (legal or domain:legal), or task (any other name: stored and shown, not used for scoring); score 0..1; n = number of samples (weights several imports of one capability); optional source, metric, date (YYYY-MM-DD).\nImporting the same file again replaces its earlier rows. Any invalid record rejects the whole file, naming file, line and field.',
    )
    .action(async (file: string, flags: { source?: string }, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new PnyxError('input', code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(err)})`);
      }
      const ext = extname(file).toLowerCase();
      if (ext !== '.csv' && ext !== '.json') throw new PnyxError('usage', `${file}: give a .csv or .json file`);
      const parsed = ext === '.csv' ? parseScoresCsv(text) : parseScoresJson(text);
      if (!parsed.ok) {
        for (const p of parsed.problems.slice(1, 10)) process.stderr.write(sanitizeForTerminal(`pnyx: ${file}:${p.line}: ${p.field}: ${p.reason}`) + '\n');
        const first = parsed.problems[0];
        const more = parsed.problems.length > 1 ? ` (${parsed.problems.length} problems, nothing imported)` : ' (nothing imported)';
        throw new PnyxError('input', `${file}:${first?.line}: ${first?.field}: ${first?.reason}${more}`);
      }
      if (parsed.rows.length === 0) throw new PnyxError('input', `${file}: no score records`);
      const today = new Date().toISOString().slice(0, 10);
      const defaultSource = flags.source ?? `team:${basename(file)}`;
      const db = await openDb(g);
      try {
        const cat = await loadCatalog(db);
        const known = new Set(cat.models.map((m) => m.id));
        const unknown = [...new Set(parsed.rows.map((r) => r.model).filter((m) => !known.has(m)))];
        const r = await importScores(
          db,
          parsed.rows.map((row) => ({ model_id: row.model, target: row.target, score: row.score, n: row.n, source: row.source ?? defaultSource, metric: row.metric, date: row.date ?? today })),
        );
        const targets = new Set(parsed.rows.map((row) => row.target));
        const used = [...targets].filter((t) => isCapability(t) || t.startsWith('domain:')).length;
        out(
          `imported ${r.inserted} scores for ${new Set(parsed.rows.map((row) => row.model)).size} models from ${sanitizeForTerminal(file)}` +
            (r.replaced ? ` (replacing ${r.replaced} from an earlier import)` : '') +
            `; ${used} of ${targets.size} capability/task names feed the capability scores`,
        );
        if (unknown.length) {
          process.stderr.write(sanitizeForTerminal(`pnyx: warning: not in the ${cat.snapshot_date} catalog (stored anyway): ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}`) + '\n');
        }
      } finally {
        db.close();
      }
    });
}

function similarIds(cat: ModelCatalog, id: string): string {
  const needle = id.toLowerCase().split('/').pop() ?? id;
  const hits = cat.models.filter((m) => m.id.toLowerCase().includes(needle)).slice(0, 5);
  return hits.length ? `; did you mean ${hits.map((m) => m.id).join(', ')}?` : '';
}
