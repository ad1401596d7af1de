import { PnyxError } from '../core/errors.js';
import type { CatalogDiff, DiffModel, FeatureAlternative, FeatureImpact, FeatureUsage, PriceChange, SnapshotInfo } from '../core/catalog/history.js';
import { cheaperAlternatives } from '../core/catalog/alternatives.js';
import { combineScores } from '../core/catalog/scores.js';
import type { CatalogModel } from '../core/catalog/types.js';
import { findSnapshot, listSnapshots, scoreFigures, snapshotModels } from './catalog.js';
import type { PnyxDb } from './database.js';

/**
 * What changed between two catalog snapshots, and which analysed features it touches. Features
 * come from the `requests` table: a request's `model` matches a catalog id exactly, or without its
 * provider prefix (`gpt-5` ↔ `openai/gpt-5`), or the model's canonical slug.
 */







const MODEL_FIELDS = `id, name, price_prompt AS prompt, price_completion AS completion, price_unknown, context_length, expiration_date`;

/** Resolves --from/--to: default `to` = the current snapshot, `from` = the one stored before it. */
export async function resolveDiffRange(db: PnyxDb, from?: string, to?: string): Promise<{ from: SnapshotInfo; to: SnapshotInfo }> {
  const all = await listSnapshots(db);
  const toSnap = to ? await findSnapshot(db, to) : await findSnapshot(db, 'latest');
  let fromSnap: SnapshotInfo | undefined;
  if (from) fromSnap = await findSnapshot(db, from);
  else {
    const older = all.filter((s) => s.snapshot_date < toSnap.snapshot_date || (s.snapshot_date === toSnap.snapshot_date && s.snapshot_id < toSnap.snapshot_id));
    fromSnap = older[older.length - 1];
  }
  if (!fromSnap) throw new PnyxError('not_found', `no catalog snapshot older than ${toSnap.snapshot_date} to compare with; pass --from`);
  if (fromSnap.snapshot_id === toSnap.snapshot_id) throw new PnyxError('usage', `--from and --to name the same snapshot (#${toSnap.snapshot_id}, ${toSnap.snapshot_date})`);
  return { from: fromSnap, to: toSnap };
}

function change(a: number, b: number): number | null {
  return a > 0 ? (b - a) / a : null;
}

export async function catalogDiff(db: PnyxDb, fromSnap: SnapshotInfo, toSnap: SnapshotInfo): Promise<CatalogDiff> {
  const a = fromSnap.snapshot_id;
  const b = toSnap.snapshot_id;
  const added = await db.all<DiffModel & Record<string, unknown>>(
    `SELECT ${MODEL_FIELDS} FROM catalog_models WHERE snapshot_id = $2 AND id NOT IN (SELECT id FROM catalog_models WHERE snapshot_id = $1) ORDER BY id`,
    [a, b],
  );
  const removed = await db.all<DiffModel & Record<string, unknown>>(
    `SELECT ${MODEL_FIELDS} FROM catalog_models WHERE snapshot_id = $1 AND id NOT IN (SELECT id FROM catalog_models WHERE snapshot_id = $2) ORDER BY id`,
    [a, b],
  );
  const expiring = await db.all<DiffModel & Record<string, unknown>>(
    `SELECT ${MODEL_FIELDS.split(', ').map((c) => `n.${c}`).join(', ')}
     FROM catalog_models n LEFT JOIN catalog_models o ON o.snapshot_id = $1 AND o.id = n.id
     WHERE n.snapshot_id = $2 AND n.expiration_date IS NOT NULL AND n.expiration_date IS DISTINCT FROM o.expiration_date
     ORDER BY n.expiration_date, n.id`,
    [a, b],
  );
  const changed = await db.all<{ id: string; name: string; p0: number; c0: number; p1: number; c1: number }>(
    `SELECT n.id, n.name, o.price_prompt AS p0, o.price_completion AS c0, n.price_prompt AS p1, n.price_completion AS c1
     FROM catalog_models n JOIN catalog_models o ON o.snapshot_id = $1 AND o.id = n.id
     WHERE n.snapshot_id = $2 AND NOT n.price_unknown AND NOT o.price_unknown
       AND (n.price_prompt <> o.price_prompt OR n.price_completion <> o.price_completion)
     ORDER BY n.id`,
    [a, b],
  );
  const price_changes: PriceChange[] = changed.map((r) => ({
    id: r.id,
    name: r.name,
    from: { prompt: r.p0, completion: r.c0 },
    to: { prompt: r.p1, completion: r.c1 },
    prompt_change: change(r.p0, r.p1),
    completion_change: change(r.c0, r.c1),
  }));

  const usage = await featureModelUsage(db, [a, b]);
  const impacts: FeatureImpact[] = [];
  const byId = new Map<string, FeatureUsage[]>();
  for (const u of usage) byId.set(u.catalog_id, [...(byId.get(u.catalog_id) ?? []), u]);
  const cost = (u: FeatureUsage, p: number, c: number): number => u.prompt_tokens * p + u.completion_tokens * c;
  for (const m of removed) {
    for (const u of byId.get(m.id) ?? []) {
      impacts.push({ ...u, kind: 'removed', detail: `${m.id} is gone from the ${toSnap.snapshot_date} catalog`, cost_from: cost(u, m.prompt, m.completion), cost_to: null });
    }
  }
  for (const m of expiring) {
    for (const u of byId.get(m.id) ?? []) {
      impacts.push({ ...u, kind: 'expiring', detail: `${m.id} expires on ${m.expiration_date}`, cost_from: null, cost_to: cost(u, m.prompt, m.completion) });
    }
  }
  for (const pc of price_changes) {
    for (const u of byId.get(pc.id) ?? []) {
      const before = cost(u, pc.from.prompt, pc.from.completion);
      const after = cost(u, pc.to.prompt, pc.to.completion);
      if (before === after) continue;
      const rel = before > 0 ? (after - before) / before : null;
      impacts.push({
        ...u,
        kind: after < before ? 'cheaper' : 'pricier',
        detail: `${pc.id} is ${rel === null ? 'repriced' : `${Math.abs(rel * 100).toFixed(0)}% ${after < before ? 'cheaper' : 'more expensive'}`} for this feature's token mix`,
        cost_from: before,
        cost_to: after,
      });
    }
  }
  impacts.sort((x, y) => x.feature.localeCompare(y.feature) || x.kind.localeCompare(y.kind) || x.catalog_id.localeCompare(y.catalog_id));
  const alternatives = await diffAlternatives(db, fromSnap, toSnap, usage, added, price_changes);
  return { from: fromSnap, to: toSnap, added, removed, expiring, price_changes, impacts, alternatives };
}

/** Feature by feature: a model this diff made new or cheaper that would serve it for less. */
async function diffAlternatives(db: PnyxDb, fromSnap: SnapshotInfo, toSnap: SnapshotInfo, usage: FeatureUsage[], added: DiffModel[], changes: PriceChange[]): Promise<FeatureAlternative[]> {
  if (usage.length === 0) return [];
  const toModels = new Map((await snapshotModels(db, toSnap.snapshot_id)).map((m) => [m.id, m]));
  const current = new Map(toModels);
  for (const m of await snapshotModels(db, fromSnap.snapshot_id)) if (!current.has(m.id)) current.set(m.id, m);
  const candidates: { model: CatalogModel; why: 'new' | 'cheaper' }[] = [];
  for (const a of added) {
    const m = toModels.get(a.id);
    if (m) candidates.push({ model: m, why: 'new' });
  }
  for (const c of changes) {
    const m = toModels.get(c.id);
    if (m && (c.to.prompt < c.from.prompt || c.to.completion < c.from.completion)) candidates.push({ model: m, why: 'cheaper' });
  }
  if (candidates.length === 0) return [];
  const figures = await scoreFigures(db);
  const scores = new Map([...figures].map(([id, f]) => [id, combineScores(id, f)]));
  return cheaperAlternatives(usage, current, candidates, scores);
}

/** Which catalog models (of the given snapshots) the analysed features use, with their token totals. */
export async function featureModelUsage(db: PnyxDb, snapshotIds: [number, number]): Promise<FeatureUsage[]> {
  return db.all<FeatureUsage & Record<string, unknown>>(
    `WITH usage AS (
       SELECT feature, model, count(*) AS requests,
              coalesce(sum(prompt_tokens), 0)::DOUBLE AS prompt_tokens,
              coalesce(sum(completion_tokens), 0)::DOUBLE AS completion_tokens
       FROM requests GROUP BY feature, model
     ), ids AS (
       SELECT DISTINCT id, canonical_slug FROM catalog_models WHERE snapshot_id IN ($1, $2)
     ), matched AS (
       SELECT u.feature, u.model AS logged_model, i.id AS catalog_id, u.requests, u.prompt_tokens, u.completion_tokens,
              row_number() OVER (PARTITION BY u.feature, u.model ORDER BY (u.model = i.id) DESC, i.id) AS rank
       FROM usage u JOIN ids i
         ON u.model = i.id
         OR u.model = regexp_replace(i.id, '^[^/]*/', '')
         OR u.model = i.canonical_slug
         OR u.model = regexp_replace(coalesce(i.canonical_slug, ''), '^[^/]*/', '')
     )
     SELECT feature, catalog_id, string_agg(logged_model, ', ' ORDER BY logged_model) AS logged_model,
            sum(requests)::BIGINT AS requests, sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens
     FROM matched WHERE rank = 1
     GROUP BY feature, catalog_id
     ORDER BY feature, catalog_id`,
    snapshotIds,
  );
}
