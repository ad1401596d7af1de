import { requestCost } from './cost.js';
import type { FeatureAlternative, FeatureUsage } from './history.js';
import { CAPABILITIES, type CatalogModel, type ModelScores } from './types.js';

/**
 * "A model now 40% cheaper would serve email_autocomplete": for each analysed feature, the
 * cheapest model among those a catalog diff made new or cheaper that scores at least as high as
 * the feature's current model on every capability both are scored on (at least
 * MIN_COMPARED_CAPABILITIES of them) and costs less for the feature's logged token mix. A
 * catalog-level screen, not the per-request recommendation (that one looks at what each request
 * needs); variants (`:free`, `:batch`) and `~latest` routers are not proposed.
 */
export const MIN_COMPARED_CAPABILITIES = 3;

export function cheaperAlternatives(
  usage: FeatureUsage[],
  currentModels: Map<string, CatalogModel>,
  candidates: { model: CatalogModel; why: 'new' | 'cheaper' }[],
  scores: Map<string, ModelScores>,
): FeatureAlternative[] {
  const out: FeatureAlternative[] = [];
  for (const u of usage) {
    const current = currentModels.get(u.catalog_id);
    const currentScores = scores.get(u.catalog_id);
    if (!current || current.pricing.unknown || !currentScores) continue;
    const mix = { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, requests: u.requests };
    const costCurrent = requestCost(current, mix).total;
    if (costCurrent === null || costCurrent <= 0) continue;
    let best: FeatureAlternative | null = null;
    for (const c of candidates) {
      const m = c.model;
      if (m.id === current.id || m.id.includes(':') || m.id.startsWith('~') || m.pricing.unknown) continue;
      const s = scores.get(m.id);
      if (!s) continue;
      const needed = CAPABILITIES.filter((k) => currentScores.capabilities[k] !== undefined);
      // An unknown score is not "at least as high": the alternative must be scored wherever the current model is.
      if (needed.length < MIN_COMPARED_CAPABILITIES || needed.some((k) => s.capabilities[k] === undefined)) continue;
      const compared = needed.map((k) => ({ capability: k, current: currentScores.capabilities[k] as number, alternative: s.capabilities[k] as number }));
      if (compared.some((x) => x.alternative < x.current)) continue;
      const cost = requestCost(m, mix).total;
      if (cost === null || cost >= costCurrent) continue;
      if (!best || cost < best.cost_alternative) {
        best = { feature: u.feature, current_model: current.id, alternative: m.id, cost_current: costCurrent, cost_alternative: cost, saving: 1 - cost / costCurrent, compared, why: c.why };
      }
    }
    if (best) out.push(best);
  }
  return out.sort((a, b) => a.feature.localeCompare(b.feature));
}
