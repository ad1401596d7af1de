import { perMillion } from './cost.js';
import { providerOf } from './openrouter.js';
import { isCapability } from './scores.js';
import type { CatalogModel, ModelCatalog, ModelScores } from './types.js';

/** The filters of `pnyx catalog list`. */
export interface CatalogFilters {
  /** Provider: the part of the id before "/" (case-insensitive). */
  provider?: string;
  /** Maximum prompt price in USD per 1M tokens; models with unknown prices are excluded. */
  maxPrice?: number;
  minContext?: number;
  /** With minScore: models without a score on this capability are excluded (never guessed). */
  capability?: string;
  minScore?: number;
}

export function filterCatalog(cat: Pick<ModelCatalog, 'models' | 'scores'>, f: CatalogFilters): { model: CatalogModel; scores: ModelScores | undefined }[] {
  return cat.models
    .filter((m) => !f.provider || providerOf(m.id) === f.provider.toLowerCase())
    .filter((m) => f.maxPrice === undefined || (!m.pricing.unknown && perMillion(m.pricing.prompt) <= f.maxPrice + 1e-9))
    .filter((m) => f.minContext === undefined || (m.context_length ?? 0) >= f.minContext)
    .filter((m) => {
      if (!f.capability || f.minScore === undefined || !isCapability(f.capability)) return true;
      const v = cat.scores.get(m.id)?.capabilities[f.capability];
      return v !== undefined && v >= f.minScore;
    })
    .map((model) => ({ model, scores: cat.scores.get(model.id) }));
}
