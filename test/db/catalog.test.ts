import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PnyxDb } from '../../src/db/database.js';
import { filterCatalog } from '../../src/core/catalog/filter.js';
import { perMillion } from '../../src/core/catalog/cost.js';
import { providerOf } from '../../src/core/catalog/openrouter.js';
import { lastKnownModel, listSnapshots, loadCatalog, modelHistory } from '../../src/db/catalog.js';
import { tempDir } from '../helpers/cli.js';

const t = tempDir();
afterAll(t.cleanup);

describe('loadCatalog on a fresh database', () => {
  it('seeds the bundled snapshots and returns the 2026-08-19 one with scores', async () => {
    const db = await PnyxDb.open(join(t.path, 'a.duckdb'));
    try {
      const cat = await loadCatalog(db);
      expect(cat.source).toBe('bundled');
      expect(cat.snapshot_date).toBe('2026-08-19');
      expect(cat.models.length).toBe(414);
      const sonnet = cat.models.find((m) => m.id === 'anthropic/claude-sonnet-4.5');
      expect(sonnet?.pricing.prompt).toBeCloseTo(0.000003, 12);
      expect(sonnet?.pricing.completion).toBeCloseTo(0.000015, 12);
      expect(sonnet?.pricing.overrides).toEqual([
        { min_prompt_tokens: 200000, prompt: 0.000006, completion: 0.0000225, input_cache_read: 0.0000006, input_cache_write: 0.0000075 },
      ]);
      expect(sonnet?.context_length).toBe(1000000);
      const s = cat.scores.get('openai/gpt-5');
      expect(s?.capabilities.reasoning).toBeGreaterThan(0.5);
      expect(s?.sources.some((f) => f.source === 'Artificial Analysis' && f.metric === 'GPQA Diamond' && f.raw === 84 && f.date === '2026-07-01')).toBe(true);
      expect(cat.models.some((m) => m.id === 'google/gemini-2.0-flash-001')).toBe(false);

      const snaps = await listSnapshots(db);
      expect(snaps.map((x) => [x.snapshot_date, x.source, x.model_count])).toEqual([
        ['2025-05-22', 'bundled', 319],
        ['2025-05-23', 'bundled', 321],
        ['2026-08-19', 'bundled', 414],
      ]);
      const h = await modelHistory(db, 'google/gemini-2.0-flash-001');
      expect(h.map((x) => [x.snapshot_date, x.present])).toEqual([
        ['2025-05-22', true],
        ['2025-05-23', true],
        ['2026-08-19', false],
      ]);
      expect(h[1]?.prompt).toBeCloseTo(0.0000001, 12);
      // a second load seeds nothing new
      await loadCatalog(db);
      expect((await listSnapshots(db)).length).toBe(3);
    } finally {
      db.close();
    }
  });

  it('loads a dated bundled snapshot on request', async () => {
    const db = await PnyxDb.open(join(t.path, 'b.duckdb'));
    try {
      const cat = await loadCatalog(db, { snapshot: '2025-05-23' });
      expect(cat.snapshot_date).toBe('2025-05-23');
      expect(cat.models.length).toBe(321);
      expect(cat.models.find((m) => m.id === 'google/gemini-2.0-flash-001')?.pricing.completion).toBeCloseTo(0.0000004, 12);
    } finally {
      db.close();
    }
  });
});

describe('models gone from the current catalog, and read-only databases', () => {
  it('finds the last snapshot that listed a model', async () => {
    const db = await PnyxDb.open(join(t.path, 'c.duckdb'));
    try {
      const last = await lastKnownModel(db, 'google/gemini-2.0-flash-001');
      expect(last?.snapshot.snapshot_date).toBe('2025-05-23');
      expect(last?.model.pricing.prompt).toBeCloseTo(0.0000001, 12);
      expect(last?.model.context_length).toBe(1048576);
      expect(await lastKnownModel(db, 'acme/never-listed')).toBeNull();
    } finally {
      db.close();
    }
  });

  it('reads the bundled catalog from data/ when a read-only database was never seeded', async () => {
    const path = join(t.path, 'ro.duckdb');
    (await PnyxDb.open(path)).close(); // migrated, not seeded
    const db = await PnyxDb.open(path, { readOnly: true });
    try {
      const cat = await loadCatalog(db);
      expect([cat.source, cat.snapshot_date, cat.models.length]).toEqual(['bundled', '2026-08-19', 414]);
      expect(cat.scores.get('openai/gpt-5')?.capabilities.coding).toBeGreaterThan(0);
      expect((await loadCatalog(db, { snapshot: '2025-05-22' })).models.length).toBe(319);
    } finally {
      db.close();
    }
  });
});

describe('filterCatalog on the bundled catalog (pnyx catalog list)', () => {
  it('filters by capability score (unscored models excluded), price and provider', async () => {
    const db = await PnyxDb.open(join(t.path, 'd.duckdb'));
    try {
      const cat = await loadCatalog(db);
      const strong = filterCatalog(cat, { capability: 'reasoning', minScore: 0.9 });
      expect(strong.length).toBeGreaterThan(0);
      expect(strong.every((r) => (r.scores?.capabilities.reasoning ?? 0) >= 0.9)).toBe(true);
      expect(strong.map((r) => r.model.id)).toContain('google/gemini-3.1-pro-preview');
      expect(strong.map((r) => r.model.id)).not.toContain('openai/gpt-5');
      const free = filterCatalog(cat, { maxPrice: 0 });
      expect(free.length).toBeGreaterThan(0);
      expect(free.every((r) => r.model.pricing.prompt === 0 && !r.model.pricing.unknown)).toBe(true);
      const openaiUnderADollar = filterCatalog(cat, { provider: 'OpenAI', maxPrice: 1 });
      expect(openaiUnderADollar.every((r) => providerOf(r.model.id) === 'openai' && perMillion(r.model.pricing.prompt) <= 1)).toBe(true);
      expect(openaiUnderADollar.map((r) => r.model.id)).toContain('openai/gpt-5-mini');
      expect(openaiUnderADollar.map((r) => r.model.id)).not.toContain('openai/gpt-5');
      const older = await loadCatalog(db, { snapshot: '2025-05-23' });
      expect(filterCatalog(older, { provider: 'anthropic' }).map((r) => r.model.id)).toContain('anthropic/claude-opus-4');
    } finally {
      db.close();
    }
  });
});

