import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineScores } from '../../src/core/catalog/scores.js';
import { BUNDLED_DIR, bundledScores, bundledSnapshots } from '../../src/db/bundledCatalog.js';
import { REPO } from '../helpers/cli.js';

interface ScoresFile {
  coverage: Record<string, number> & { catalog_models: number; with_any_score: number };
  unscored_catalog_models: string[];
  unmapped_source_names: Record<string, string[]>;
}
const scoresFile = JSON.parse(readFileSync(join(BUNDLED_DIR, 'scores.json'), 'utf8')) as ScoresFile;

describe('the bundled default catalog (data/catalog)', () => {
  it('holds the three dated snapshots with the models the scenario needs', () => {
    const snaps = bundledSnapshots();
    expect(snaps.map((s) => [s.snapshot_date, s.models.length])).toEqual([
      ['2025-05-22', 319],
      ['2025-05-23', 321],
      ['2026-08-19', 414],
    ]);
    const latest = new Map(snaps[2]!.models.map((m) => [m.id, m]));
    for (const id of ['anthropic/claude-sonnet-4.5', 'openai/gpt-5', 'openai/gpt-5-mini', 'openai/gpt-5-nano', 'deepseek/deepseek-v3.2', 'google/gemini-2.5-flash', 'google/gemini-2.5-flash-lite']) {
      expect(latest.get(id)?.pricing.unknown, id).toBe(false);
    }
    expect(latest.has('google/gemini-2.0-flash-001')).toBe(false);
    expect(snaps[1]!.models.find((m) => m.id === 'google/gemini-2.0-flash-001')?.pricing.prompt).toBeCloseTo(0.0000001, 12);
  });

  it('scores the scenario models and the frontier reasoning models on every core capability', () => {
    const figures = bundledScores().figures;
    const targets = (id: string): Set<string> => new Set((figures.get(id) ?? []).map((f) => f.target ?? ''));
    for (const id of ['anthropic/claude-sonnet-4.5', 'openai/gpt-5', 'openai/gpt-5-mini', 'openai/gpt-5-nano', 'deepseek/deepseek-v3.2', 'google/gemini-2.5-flash', 'google/gemini-2.5-flash-lite', 'google/gemini-2.0-flash-001', 'openai/gpt-5.6-sol', 'google/gemini-3.1-pro-preview', 'anthropic/claude-opus-5', 'x-ai/grok-4.6', 'moonshotai/kimi-k3']) {
      for (const c of ['general', 'reasoning', 'coding', 'long_context']) expect(targets(id).has(c), `${id} ${c}`).toBe(true);
    }
    // variants inherit: the :batch model has the same figures as its base
    expect(figures.get('openai/gpt-5:batch')).toEqual(figures.get('openai/gpt-5'));
  });

  it('keeps the non-reasoning-mode scores of hybrid models (AA rows without reasoning time) apart', () => {
    const s = combineScores('deepseek/deepseek-v3.2', bundledScores().figures.get('deepseek/deepseek-v3.2') ?? []);
    // AA 2026-07-01: GPQA 84 / HLE 22 / AIME 92 with reasoning, 75 / 11 / 59 without
    expect(s.non_reasoning?.reasoning).toBeDefined();
    expect(s.non_reasoning!.reasoning!).toBeLessThan(s.capabilities.reasoning! - 0.1);
    expect(s.non_reasoning!.general!).toBeLessThan(s.capabilities.general!);
    // a model AA scores in one mode only has no non-reasoning scores
    expect(combineScores('openai/gpt-5', bundledScores().figures.get('openai/gpt-5') ?? []).non_reasoning).toBeUndefined();
  });

  it('reports unscored models instead of guessing', () => {
    expect(scoresFile.unscored_catalog_models).toContain('openrouter/auto');
    expect(bundledScores().figures.has('openrouter/auto')).toBe(false);
    expect(scoresFile.coverage.catalog_models - scoresFile.coverage.with_any_score).toBe(scoresFile.unscored_catalog_models.length);
  });

  it('README states the coverage figures of scores.json', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const c = scoresFile.coverage;
    expect(readme).toContain(
      `general ${c.general}, reasoning ${c.reasoning}, coding ${c.coding}, instruction following ${c.instruction_following}, tool use ${c.tool_use}, long context ${c.long_context}`,
    );
    expect(readme).toContain(`${scoresFile.unscored_catalog_models.length} models have no score at all`);
    const u = scoresFile.unmapped_source_names;
    expect(readme).toContain(`AA ${u.artificial_analysis?.length} of`);
    expect(readme).toContain(`LMArena ${u.lmarena?.length} of`);
    expect(readme).toContain(`Aider ${u.aider_polyglot?.length} of`);
  });
});
