import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers/cli.js';

/** list / show / diff / import-scores on the bundled catalog (works without ../shared). */
const t = tempDir();
afterAll(t.cleanup);
const db = join(t.path, 'catalog.duckdb');
const cli = (...args: string[]) => runCli(['--db', db, 'catalog', ...args]);

interface ListJson {
  catalog: { source: string; snapshot_date: string; models: number };
  models: { id: string; context_length: number; price_per_million: { prompt: number }; scores: { capabilities: Record<string, number> } | null }[];
}

beforeAll(() => {
  // Requests of three features, for diff's "features affected".
  const r = runCli(['--db', db, 'analyze', join(FIXTURES, 'catalog/requests-for-diff.jsonl')]);
  if (r.code !== 0) throw new Error(r.stderr);
});

describe('pnyx catalog diff', () => {
  it('reports the 2025-05-22 → 2025-05-23 changes and the feature they make cheaper', () => {
    const r = cli('diff', '--from', '2025-05-22', '--to', '2025-05-23');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('New models (2)\n  + anthropic/claude-opus-4  $15 / $75 per 1M, context 200k\n  + anthropic/claude-sonnet-4  $3 / $15 per 1M, context 200k\n');
    expect(r.stdout).toContain('Removed models (0)');
    expect(r.stdout).toContain(
      '  ~ mistralai/devstral-small  prompt $0.09 → $0.07 (-22%)   completion $0.3 → $0.1 (-67%)\n' +
        '  ~ mistralai/mistral-small-24b-instruct-2501  prompt $0.06 → $0.05 (-17%)   completion $0.12 → $0.12 (unchanged)\n',
    );
    // code_review: 2000 prompt + 400 completion tokens: $0.00030 → $0.00018 (40% cheaper)
    expect(r.stdout).toContain(
      'Analysed features affected\n  code_review: mistralai/devstral-small is 40% cheaper for this feature\'s token mix; 2 requests logged as mistralai/devstral-small (logged tokens: $0.0003 → $0.0002)',
    );
  });

  it('says which features lose their model between 2025-05-23 and 2026-08-19, in JSON too', () => {
    const r = cli('diff', '--from', '2025-05-23', '--to', '2026-08-19', '--json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as {
      added: unknown[];
      removed: { id: string }[];
      price_changes: { id: string; prompt_change: number }[];
      impacts: { feature: string; kind: string; catalog_id: string; logged_model: string; requests: number }[];
    };
    expect(d.removed.map((m) => m.id)).toContain('google/gemini-2.0-flash-001');
    expect(d.impacts.map((i) => [i.feature, i.kind, i.catalog_id, i.logged_model, i.requests])).toEqual([
      ['code_review', 'removed', 'mistralai/devstral-small', 'mistralai/devstral-small', 2],
      ['data_enrichment', 'removed', 'google/gemini-2.0-flash-001', 'gemini-2.0-flash-001, google/gemini-2.0-flash-001', 2],
      ['email_autocomplete', 'removed', 'anthropic/claude-3.7-sonnet', 'anthropic/claude-3.7-sonnet', 1],
    ]);
    // the model gone from 2026 has a same-or-better scored, cheaper replacement among the new models
    const alt = (JSON.parse(r.stdout) as { alternatives: { feature: string; current_model: string; alternative: string; why: string; saving: number; compared: { alternative: number; current: number }[] }[] }).alternatives;
    const enrichment = alt.find((a) => a.feature === 'data_enrichment');
    expect([enrichment?.current_model, enrichment?.alternative, enrichment?.why]).toEqual(['google/gemini-2.0-flash-001', 'openai/gpt-oss-120b', 'new']);
    expect(enrichment?.compared.length).toBe(6);
    expect(enrichment?.compared.every((c) => c.alternative >= c.current)).toBe(true);
    expect(enrichment?.saving).toBeGreaterThan(0);
    // SOURCES.md: 90 ids in common, 44 of them changed prompt or completion price
    expect(d.price_changes.length).toBe(44);
    expect(d.added.length).toBe(324);
  });

  it('defaults to the snapshot before the current one', () => {
    const r = cli('diff');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Catalog diff: #2 2025-05-23 (bundled, 321 models) → #3 2026-08-19 (bundled, 414 models)');
  });

  it('names the known snapshots when asked for an unknown one', () => {
    const r = cli('diff', '--from', '2024-01-01');
    expect(r.code).toBe(11);
    expect(r.stderr).toBe('pnyx: no catalog snapshot 2024-01-01; known: 2025-05-22, 2025-05-23, 2026-08-19\n');
  });
});

describe('pnyx catalog list', () => {
  const list = (...args: string[]): ListJson => {
    const r = cli('list', '--json', ...args);
    if (r.code !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as ListJson;
  };

  it('lists the bundled 2026-08-19 catalog by default', () => {
    const all = list();
    expect(all.catalog).toEqual({ source: 'bundled', snapshot_date: '2026-08-19', models: 414 });
    expect(all.models.length).toBe(414);
  });

  it('filters by provider, price and context (more filters: test/db/catalog.test.ts)', () => {
    const r = list('--provider', 'google', '--max-price', '0.1', '--min-context', '1000000');
    // Lyria (music) lists $0 token prices in the real snapshot
    expect(r.models.map((m) => m.id)).toEqual(['google/gemini-2.5-flash-lite', 'google/gemini-2.5-flash-lite:batch', 'google/lyria-3-clip-preview', 'google/lyria-3-pro-preview']);
  });

  it('prints a table', () => {
    const r = cli('list', '--provider', 'deepseek', '--capability', 'coding', '--min-score', '0.7');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ of 414 models \(catalog bundled, 2026-08-19\)/);
    expect(r.stdout).toContain('deepseek/deepseek-v3.2 ');
  });

  it('rejects half a score filter', () => {
    const r = cli('list', '--capability', 'coding');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pnyx: --capability and --min-score go together\n');
  });
});

describe('pnyx catalog show', () => {
  it('shows prices per 1M with tiers, limits and scores with their sources', () => {
    const r = cli('show', 'anthropic/claude-sonnet-4.5');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  prompt $3   completion $15\n  cache read $0.3   cache write $3.75\n  prompts ≥ 200k tokens: prompt $6   completion $22.5   cache read $0.6');
    expect(r.stdout).toContain('context 1M   max output 64k');
    expect(r.stdout).toMatch(/instruction_following +│ Artificial Analysis +│ IFBench +│ 2026-07-01 │ 57 /);
  });

  it('shows both reasoning modes of a hybrid model, from the bundled nonreasoning: figures', () => {
    const r = cli('show', 'deepseek/deepseek-v3.2');
    expect(r.code).toBe(0);
    const line = (mode: string): string => r.stdout.split('\n').find((l) => l.startsWith(`  ${mode} mode:`)) ?? '';
    const reasoningOf = (l: string): number => Number(/ reasoning (\d\.\d+)/.exec(l)?.[1]);
    expect(reasoningOf(line('non-reasoning'))).toBeLessThan(reasoningOf(line('reasoning')));
    expect(r.stdout).toMatch(/nonreasoning:reasoning +│ Artificial Analysis +│ GPQA Diamond +│ 2026-07-01 │ 75 /);
    const json = JSON.parse(cli('show', 'deepseek/deepseek-v3.2', '--json').stdout) as { scores: { capabilities: { reasoning: number }; non_reasoning: { reasoning: number } } };
    expect(json.scores.non_reasoning.reasoning).toBeLessThan(json.scores.capabilities.reasoning);
  });

  it('says when a model is gone, and shows its history from the snapshot that had it', () => {
    const gone = cli('show', 'google/gemini-2.0-flash-001');
    expect(gone.code).toBe(11);
    expect(gone.stderr).toBe(
      'pnyx: google/gemini-2.0-flash-001 is not in the 2026-08-19 catalog; known in 2025-05-22, 2025-05-23 (try --snapshot 2025-05-23); last seen on the price page of 2025-10-25\n',
    );
    const r = cli('show', 'google/gemini-2.0-flash-001', '--snapshot', '2025-05-23', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { model: { pricing: { prompt: number } }; history: { snapshot_date: string; present: boolean }[] };
    expect(j.model.pricing.prompt).toBeCloseTo(0.0000001, 12);
    expect(j.history.map((h) => [h.snapshot_date, h.present])).toEqual([
      ['2025-05-22', true],
      ['2025-05-23', true],
      ['2026-08-19', false],
    ]);
    const text = cli('show', 'google/gemini-2.0-flash-001', '--snapshot', '2025-05-23').stdout;
    expect(text).toContain(
      '  2025-03-25  price page    $0.1 / $0.4\n  2025-05-22  #1 bundled    $0.1 / $0.4\n  2025-05-23  #2 bundled    $0.1 / $0.4\n  2025-10-25  price page    $0.1 / $0.4\n  2026-08-19  #3 bundled    absent\n' +
        '  known in 2025-05-23, gone from 2026-08-19 (still on the price page of 2025-10-25)',
    );
  });

  it('reports a model without scores as such', () => {
    const r = cli('show', 'openrouter/auto');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('unknown (the catalog gives no price: cost cannot be projected)');
    expect(r.stdout).toContain('no benchmark scores for this model');
  });
});

describe('pnyx catalog import-scores', () => {
  const reasoning = (): number | undefined => {
    const r = cli('show', 'openai/gpt-5-mini', '--json');
    return (JSON.parse(r.stdout) as { scores: { capabilities: Record<string, number> } }).scores.capabilities.reasoning;
  };

  it('overrides a bundled score with the team score (weighted by n), idempotently', () => {
    const bundled = reasoning();
    expect(bundled).toBeCloseTo(0.646, 3);
    const csv = join(t.path, 'team.csv');
    writeFileSync(csv, 'model,capability,score,n\nopenai/gpt-5-mini,reasoning,0.5,300\nopenai/gpt-5-mini,reasoning,0.8,100\nopenai/gpt-5-mini,pipeline_forecast,0.71,40\n');
    const r = cli('import-scores', csv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`imported 3 scores for 1 models from ${csv}; 1 of 2 capability/task names feed the capability scores\n`);
    expect(reasoning()).toBeCloseTo((0.5 * 300 + 0.8 * 100) / 400, 6);
    const again = cli('import-scores', csv);
    expect(again.stdout).toBe(`imported 3 scores for 1 models from ${csv} (replacing 3 from an earlier import); 1 of 2 capability/task names feed the capability scores\n`);
    expect(reasoning()).toBeCloseTo(0.575, 6);
    const shown = cli('show', 'openai/gpt-5-mini');
    expect(shown.stdout).toMatch(/task:pipeline_forecast +│ team:team\.csv \(imported\) +│ pipeline_forecast/);
  });

  it('reads JSON and warns about models outside the catalog', () => {
    const file = join(t.path, 'team.json');
    writeFileSync(file, JSON.stringify([{ model: 'acme/in-house-7b', capability: 'coding', score: 0.4, n: 50 }], null, 1));
    const r = cli('import-scores', file);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('pnyx: warning: not in the 2026-08-19 catalog (stored anyway): acme/in-house-7b\n');
  });

  it('rejects a bad file naming file, line and field, and imports nothing', () => {
    const csv = join(t.path, 'bad.csv');
    writeFileSync(csv, 'model,capability,score,n\nopenai/gpt-5,coding,0.9,10\nopenai/gpt-5,coding,87,10\n');
    const r = cli('import-scores', csv);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`pnyx: ${csv}:3: score: score must be between 0 and 1 (divide percentages by 100) (nothing imported)\n`);
    const shown = JSON.parse(cli('show', 'openai/gpt-5', '--json').stdout) as { scores: { sources: { origin: string }[] } };
    expect(shown.scores.sources.some((s) => s.origin === 'imported')).toBe(false);
  });
});
