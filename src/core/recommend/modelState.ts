import { CAPABILITIES, type CatalogModel, type ModelCatalog, type ModelScores } from '../catalog/types.js';
import { costOn, type TokenTotals } from './bucket.js';
import { modelTier, providerOf, type Candidate, type Tier } from './candidates.js';

/** A model expiring within this many days of the report date is flagged. */
export const EXPIRY_WARNING_DAYS = 90;
/** Logged cost off the catalog price by more than this share: the model was repriced (or is billed differently). */
export const REPRICE_TOLERANCE = 0.15;
/** Weight of the price distance (|ln price ratio|) against the capability distance when looking for a replacement. */
export const REPLACEMENT_PRICE_WEIGHT = 0.1;
/** Distance bonus for a replacement from the same provider (same API, contract and data terms: the natural successor). */
export const REPLACEMENT_SAME_PROVIDER_BONUS = 0.1;

export interface ModelState {
  model: string;
  in_catalog: boolean;
  tier: Tier | null;
  /** Catalog expiration date, if announced. */
  expiration_date: string | null;
  expiring: boolean;
  /** (logged cost / catalog price on the same requests) - 1, when both exist. */
  logged_vs_catalog_price: number | null;
  repriced: boolean;
  /** For a missing or expiring model: the closest same-tier model by capability and price. */
  replacement: { model: string; tier: Tier; reason: string } | null;
  notes: string[];
}

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function capabilityDistance(a: ModelScores, b: ModelScores): number | null {
  let sum = 0;
  let n = 0;
  for (const c of CAPABILITIES) {
    const x = a.capabilities[c];
    const y = b.capabilities[c];
    if (typeof x === 'number' && typeof y === 'number') {
      sum += Math.abs(x - y);
      n += 1;
    }
  }
  return n >= 3 ? sum / n : null;
}

/**
 * The nearest candidate to a model that is gone (or going): same tier when the model's tier is
 * known, then by mean capability distance plus REPLACEMENT_PRICE_WEIGHT × |ln(price ratio)| on the
 * feature's own token mix (the model's logged cost is its price), same provider slightly preferred.
 */
export function findReplacement(
  modelId: string,
  scores: ModelScores | undefined,
  loggedUsdPerRequest: number | null,
  tokens: TokenTotals,
  candidates: Candidate[],
): ModelState['replacement'] {
  const tier = modelTier(scores);
  const pool = tier ? candidates.filter((c) => c.tier === tier && c.model.id !== modelId) : candidates.filter((c) => c.model.id !== modelId);
  let best: { c: Candidate; d: number; why: string[] } | null = null;
  for (const c of pool) {
    const why: string[] = [];
    let d = 0;
    const capD = scores ? capabilityDistance(scores, c.scores) : null;
    if (capD !== null) {
      d += capD;
      why.push(`capability distance ${capD.toFixed(2)}`);
    } else {
      d += 0.5;
    }
    if (loggedUsdPerRequest !== null && loggedUsdPerRequest > 0 && tokens.requests > 0) {
      const cost = costOn(c.model, tokens);
      if (cost !== null && cost > 0) {
        const ratio = cost / tokens.requests / loggedUsdPerRequest;
        d += REPLACEMENT_PRICE_WEIGHT * Math.abs(Math.log(ratio));
        why.push(`${ratio >= 1 ? `${ratio.toFixed(1)}×` : `${(1 / ratio).toFixed(1)}× cheaper than`} the logged price`);
      }
    }
    if (providerOf(c.model.id) === providerOf(modelId)) {
      d -= REPLACEMENT_SAME_PROVIDER_BONUS;
      why.push('same provider');
    }
    if (!best || d < best.d || (d === best.d && c.model.id < best.c.model.id)) best = { c, d, why };
  }
  if (!best) return null;
  return { model: best.c.model.id, tier: best.c.tier, reason: `closest ${best.c.tier} model: ${best.why.join(', ')}` };
}

/** Missing from the catalog, expiring, repriced: the assigned model's own state. */
export function assignedModelState(input: {
  modelId: string;
  catalog: ModelCatalog;
  asOf: string;
  candidates: Candidate[];
  /** All of the model's requests in the feature, and the part of them with a logged cost. */
  tokens: TokenTotals;
  logged: { usd: number; tokens: TokenTotals };
}): ModelState {
  const { modelId, catalog, asOf } = input;
  const model: CatalogModel | undefined = catalog.models.find((m) => m.id === modelId);
  const scores = catalog.scores.get(modelId);
  const notes: string[] = [];
  const loggedPerRequest = input.logged.tokens.requests > 0 ? input.logged.usd / input.logged.tokens.requests : null;
  const state: ModelState = {
    model: modelId,
    in_catalog: Boolean(model),
    tier: modelTier(scores),
    expiration_date: model?.expiration_date ?? null,
    expiring: false,
    logged_vs_catalog_price: null,
    repriced: false,
    replacement: null,
    notes,
  };
  if (!model) {
    notes.push(`${modelId} is not in the ${catalog.source} catalog of ${catalog.snapshot_date} (withdrawn or renamed)`);
    state.replacement = findReplacement(modelId, scores, loggedPerRequest, input.tokens, input.candidates);
    if (state.replacement) notes.push(`closest same-tier model: ${state.replacement.model} (${state.replacement.reason}; the route says whether it meets the needs)`);
    return state;
  }
  if (model.expiration_date && model.expiration_date <= addDays(asOf, EXPIRY_WARNING_DAYS)) {
    state.expiring = true;
    notes.push(`${modelId} ${model.expiration_date <= asOf ? 'expired' : 'expires'} on ${model.expiration_date}`);
    state.replacement = findReplacement(modelId, scores, loggedPerRequest, input.tokens, input.candidates);
    if (state.replacement) notes.push(`closest same-tier model: ${state.replacement.model} (${state.replacement.reason}; the route says whether it meets the needs)`);
  }
  if (input.logged.tokens.requests > 0 && input.logged.usd > 0) {
    const catalogUsd = costOn(model, input.logged.tokens);
    if (catalogUsd !== null && catalogUsd > 0) {
      const diff = input.logged.usd / catalogUsd - 1;
      state.logged_vs_catalog_price = diff;
      if (Math.abs(diff) > REPRICE_TOLERANCE) {
        state.repriced = true;
        notes.push(`logged cost is ${diff > 0 ? '+' : ''}${(diff * 100).toFixed(0)}% vs the catalog price on the same tokens: repriced since the logs, or billed differently`);
      }
    }
  }
  return state;
}
