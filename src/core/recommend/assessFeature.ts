import type { RoutingPolicy } from '../config.js';
import { CAPABILITIES, type Capability, type CatalogModel, type ModelCatalog, type ModelScores } from '../catalog/types.js';
import { addTokens, costOn, ZERO_TOKENS, type ProfileBucket, type TokenTotals } from './bucket.js';
import { adequacyInto, candidateTable, costInto, type CandidateTable } from './candidateTable.js';
import { capabilityIndex, eligibleCandidates, hardConstraintFailures, isAdequate, policyExclusion, type Candidate, type Tier } from './candidates.js';
import { verdictConfidence, type Confidence } from './confidence.js';
import { levelScale, type LevelScale } from './levels.js';
import { assignedModelState, type ModelState } from './modelState.js';
import { isHybrid, judgedMode, nonReasoningScores, reasoningUse } from './mode.js';
import { meetsNeeds, MIN_CHECKED_NEED, requiredCapabilities, shortfalls, type CapabilityNeeds, type Shortfall } from './needs.js';

/**
 * Verdict thresholds (README "Reports and recommendations" documents them). Per request, the
 * assigned model is *short* when it falls below a need by more than NEED_MARGIN (or fails a hard
 * constraint); the request is *over-served* when the assigned model meets every need and a model
 * at least OVER_COST_RATIO× cheaper on the request's own tokens and *weaker* (lower capability
 * index) does too: the assigned model carries capability the request does not use. A cheaper
 * model that is at least as capable is a price finding, not over-provisioning: it is reported as
 * a same-tier alternative (`peer`). Per feature, in order:
 * - over-provisioned: at least OVER_SHARE_MIN of the requests over-served: one cheaper model;
 * - mixed: at least MIXED_SHARE_MIN over-served and (so) at least MIXED_SHARE_MIN not: the
 *   requests span tiers; dynamic routing, one route per tier;
 * - under-provisioned: at least UNDER_SHARE_MIN of the requests short on the assigned model;
 * - well-matched: none of the above.
 * OVER_SHARE_MIN = 1 - MIXED_SHARE_MIN, so every feature lands in exactly one verdict.
 */
export const UNDER_SHARE_MIN = 0.2;
export const MIXED_SHARE_MIN = 0.2;
export const OVER_SHARE_MIN = 1 - MIXED_SHARE_MIN;
export const OVER_COST_RATIO = 3;
/** A route's model must meet the needs of at least this share of the requests it gets (over-provisioned: at least OVER_SHARE_MIN when no such model is OVER_COST_RATIO× cheaper). */
export const ROUTE_COVERAGE = 0.95;

export const VERDICTS = ['over-provisioned', 'under-provisioned', 'well-matched', 'mixed'] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface Route {
  model: string;
  tier: Tier;
  share: number;
  /** Share of the route's requests whose needs the model meets. */
  coverage: number;
  reason: string;
}

export interface CapabilityQuality {
  capability: Capability;
  need_p50: number;
  need_p90: number;
  /** Traffic-weighted score of the assigned model(s); null when unknown. */
  assigned: number | null;
  /** Traffic-weighted score of the recommended route models. */
  projected: number | null;
  /** projected - assigned. */
  change: number | null;
  /** assigned - need_p90: positive = headroom, negative = deficit. */
  headroom: number | null;
  /** Share of requests short on this capability on the assigned model / on the recommendation. */
  short_share_assigned: number;
  short_share_projected: number;
}

export interface Violation {
  rule: 'blocked' | 'not_allowed' | 'quality_floor' | 'latency_slo' | 'max_cost';
  model: string | null;
  message: string;
}

export interface FeatureAssessment {
  feature: string;
  requests: number;
  metadata_only_share: number;
  current_models: { model: string; share: number }[];
  verdict: Verdict;
  /**
   * Shares of requests: under = assigned falls short; light = a weaker model OVER_COST_RATIO×
   * cheaper meets the needs; over = light and the assigned model is not short (over-served);
   * fit = neither; peer = not light, but a model at least as capable and OVER_COST_RATIO× cheaper
   * meets the needs (the assigned model is overpriced, not over-provisioned).
   */
  shares: { under: number; over: number; light: number; fit: number; peer: number };
  strategy: 'static' | 'dynamic';
  routes: Route[];
  /** USD of the sample: current (logged cost where present, else catalog price) and with the routes. */
  sample_cost: { current: number | null; projected: number | null; current_logged_share: number };
  quality: CapabilityQuality[];
  /** The capabilities the under-served requests fall short on, most frequent first. */
  deficits: { capability: string; share: number }[];
  confidence: Confidence;
  model_states: ModelState[];
  violations: Violation[];
  warnings: string[];
  /** Per capability: share of requests whose need falls in [0,.25), [.25,.5), [.5,.75), [.75,1]. */
  need_distribution: Record<Capability, [number, number, number, number]>;
  /** Per input bucket (same order): its own cheapest adequate model and the route it gets. */
  bucket_results: BucketResult[];
}

export interface BucketResult {
  cheapest_adequate: string | null;
  route_model: string | null;
  /** Capabilities / constraints the assigned model falls short on. */
  short_on: string[];
  light: boolean;
}

interface AssignedView {
  id: string;
  /** Capability levels (percentiles in the catalog). */
  scores: ModelScores | undefined;
  /** The catalog's own scores. */
  rawScores: ModelScores | undefined;
  /** Catalog model used to price requests without logged cost (the model itself, or its replacement). */
  pricing: CatalogModel | null;
  state: ModelState;
  /** Capability index of the judged scores (candidates.ts), null when unknown. */
  index: number | null;
}

interface BucketEval {
  bucket: ProfileBucket;
  needs: CapabilityNeeds;
  under: boolean;
  short: Shortfall[];
  light: boolean;
  /** Not light, but a model at least as capable and OVER_COST_RATIO× cheaper meets the needs. */
  peer: boolean;
  /** Per candidate: meets the needs, and USD on the bucket's tokens. */
  adequate: Uint8Array;
  cost: Float64Array;
  assignedCost: number | null;
}

export interface AssessOptions {
  catalog: ModelCatalog;
  policy: RoutingPolicy;
  /** Report date (ISO): models withdrawn by then are not recommended. */
  asOf: string;
  /** Logged p95 time to first token of the feature, ms (for the latency SLO). */
  ttftP95Ms?: number | null;
}

const weighted = (evals: BucketEval[], pred: (e: BucketEval) => boolean): number => evals.reduce((s, e) => s + (pred(e) ? e.bucket.requests : 0), 0);

function quantile(pairs: { v: number; w: number }[], q: number): number {
  const sorted = [...pairs].sort((a, b) => a.v - b.v);
  const total = sorted.reduce((s, p) => s + p.w, 0);
  let acc = 0;
  for (const p of sorted) {
    acc += p.w;
    if (acc >= q * total) return p.v;
  }
  return sorted.at(-1)?.v ?? 0;
}

/** The cheapest candidate meeting the needs of ROUTE_COVERAGE of the requests (else the best-covering one). */
function chooseRoute(
  evals: BucketEval[],
  candidates: Candidate[],
  target = ROUTE_COVERAGE,
  maxCost = Infinity,
  allow: (c: Candidate) => boolean = () => true,
): { index: number; coverage: number; cost: number } | null {
  const total = evals.reduce((s, e) => s + e.bucket.requests, 0);
  if (total === 0 || candidates.length === 0) return null;
  let best: { index: number; coverage: number; cost: number } | null = null;
  let fallback: { index: number; coverage: number; cost: number } | null = null;
  for (let i = 0; i < candidates.length; i++) {
    if (!allow(candidates[i]!)) continue;
    let covered = 0;
    let cost = 0;
    let priced = true;
    for (const e of evals) {
      if (e.adequate[i]) covered += e.bucket.requests;
      const c = e.cost[i]!;
      if (Number.isNaN(c)) priced = false;
      cost += c;
    }
    if (!priced) continue;
    const r = { index: i, coverage: covered / total, cost };
    if (r.coverage >= target && cost <= maxCost && (!best || cost < best.cost)) best = r;
    if (!fallback || r.coverage > fallback.coverage || (r.coverage === fallback.coverage && cost < fallback.cost)) fallback = r;
  }
  return best ?? (maxCost === Infinity ? fallback : null);
}

function describeNeeds(evals: BucketEval[]): string {
  const pairs = (cap: Capability) => evals.map((e) => ({ v: e.needs.capabilities[cap], w: e.bucket.requests }));
  const parts: string[] = [];
  for (const cap of CAPABILITIES) {
    const p90 = quantile(pairs(cap), 0.9);
    if (p90 >= MIN_CHECKED_NEED) parts.push(`${cap} p90 ${p90.toFixed(2)}`);
  }
  return parts.length ? parts.join(', ') : 'low needs on every capability';
}

function assignedView(modelId: string, opts: AssessOptions, candidates: Candidate[], buckets: ProfileBucket[], scale: LevelScale): AssignedView {
  let tokens: TokenTotals = ZERO_TOKENS;
  let loggedTokens: TokenTotals = ZERO_TOKENS;
  let loggedUsd = 0;
  for (const b of buckets) {
    tokens = addTokens(tokens, b.tokens);
    const logged: TokenTotals = {
      requests: b.tokens.requests - b.unlogged.requests,
      prompt_tokens: b.tokens.prompt_tokens - b.unlogged.prompt_tokens,
      completion_tokens: b.tokens.completion_tokens - b.unlogged.completion_tokens,
      reasoning_tokens: b.tokens.reasoning_tokens - b.unlogged.reasoning_tokens,
      cached_tokens: b.tokens.cached_tokens - b.unlogged.cached_tokens,
    };
    loggedTokens = addTokens(loggedTokens, logged);
    loggedUsd += b.logged_cost_usd;
  }
  const state = assignedModelState({ modelId, catalog: opts.catalog, asOf: opts.asOf, candidates, tokens, logged: { usd: loggedUsd, tokens: loggedTokens } });
  const own = opts.catalog.models.find((m) => m.id === modelId) ?? null;
  const replacement = state.replacement ? opts.catalog.models.find((m) => m.id === state.replacement!.model) ?? null : null;
  let scores = opts.catalog.scores.get(modelId);
  if (!scores && replacement) {
    scores = opts.catalog.scores.get(replacement.id);
    state.notes.push(`no benchmark scores for ${modelId}: judged by its replacement's scores`);
  } else {
    // Judge the model in the mode the logs show the feature runs it in (see mode.ts).
    const mode = judgedMode(own, scores, reasoningUse(buckets));
    scores = mode.scores;
    if (mode.note) state.notes.push(mode.note);
  }
  return { id: modelId, scores: scores && scale.apply(scores), rawScores: scores, pricing: own ?? replacement, state, index: capabilityIndex(scores) };
}

function evaluateBucket(b: ProfileBucket, a: AssignedView, table: CandidateTable): BucketEval {
  const needs = { ...requiredCapabilities(b.profile, { reasoning_tokens: b.tokens.requests ? b.tokens.reasoning_tokens / b.tokens.requests : 0 }), context_tokens: b.max_context_tokens };
  const own = a.state.in_catalog ? a.pricing : null;
  const hard = own ? hardConstraintFailures(own, a.scores, { ...needs, interactive: false }) : [];
  // meetsNeeds is shortfalls(...).length === 0 without building the list: most buckets have none.
  const short = a.scores && !meetsNeeds(needs, a.scores) ? shortfalls(needs, a.scores) : [];
  const adequate = new Uint8Array(table.size);
  const cost = new Float64Array(table.size);
  adequacyInto(table, needs, adequate);
  costInto(table, b.tokens, cost);
  let best = Infinity;
  let bestWeaker = Infinity;
  for (let i = 0; i < table.size; i++) {
    const usd = cost[i]!;
    // Adequate means priced and meeting the needs.
    if (Number.isNaN(usd)) adequate[i] = 0;
    if (!adequate[i]) continue;
    if (usd < best) best = usd;
    if (isWeaker(table.candidates[i]!, a) && usd < bestWeaker) bestWeaker = usd;
  }
  // Today's price of the bucket, comparable with the candidates' catalog prices: the catalog price
  // of the assigned model, else (gone from the catalog) its logged cost, else its replacement's price.
  let assignedCost: number | null = null;
  if (own) assignedCost = costOn(own, b.tokens);
  else if (b.unlogged.requests === 0 && b.logged_cost_usd > 0) assignedCost = b.logged_cost_usd;
  else if (a.pricing) assignedCost = costOn(a.pricing, b.tokens);
  const under = hard.length > 0 || short.length > 0;
  const clearlyCheaper = (usd: number) => Number.isFinite(usd) && assignedCost !== null && usd * OVER_COST_RATIO <= assignedCost;
  const light = clearlyCheaper(bestWeaker);
  const peer = !light && !under && clearlyCheaper(best);
  return { bucket: b, needs, under, short: [...short, ...hard.map((h) => ({ capability: h as Shortfall['capability'], need: 1, has: null }))], light, peer, adequate, cost, assignedCost };
}

/** A candidate with less capability overall than the assigned model (any candidate when the assigned model's is unknown). */
function isWeaker(c: Candidate, a: AssignedView): boolean {
  return a.index === null || c.capability_index < a.index;
}

function routeFor(evals: BucketEval[], candidates: Candidate[], share: number, why: (c: Candidate) => string, target = ROUTE_COVERAGE, maxCost = Infinity): Route | null {
  const r = chooseRoute(evals, candidates, target, maxCost);
  if (!r) return null;
  const c = candidates[r.index]!;
  return { model: c.model.id, tier: c.tier, share, coverage: r.coverage, reason: why(c) };
}

function routeCost(evals: BucketEval[], candidates: Candidate[], model: string): number {
  const i = candidates.findIndex((c) => c.model.id === model);
  return evals.reduce((s, e) => s + (i >= 0 ? e.cost[i]! : 0), 0);
}

/** The verdict, routes, costs, quality and confidence of one feature. Pure. */
interface PreparedCandidates {
  rawCandidates: Candidate[];
  scale: LevelScale;
  candidates: Candidate[];
  table: CandidateTable;
}

/**
 * The candidates of a catalog under a policy on a date, prepared once: features that share a
 * policy (most) share them. Keyed by the catalog object, so a new catalog starts afresh. Read only.
 */
const prepared = new WeakMap<ModelCatalog, Map<string, PreparedCandidates>>();

function prepareCandidates(opts: AssessOptions): PreparedCandidates {
  let byPolicy = prepared.get(opts.catalog);
  if (!byPolicy) prepared.set(opts.catalog, (byPolicy = new Map()));
  const key = `${opts.asOf}\u0000${JSON.stringify(opts.policy)}`;
  let p = byPolicy.get(key);
  if (!p) {
    const rawCandidates = eligibleCandidates(opts.catalog, opts.policy, opts.asOf);
    const scale = levelScale(rawCandidates.map((c) => c.scores));
    // From here on, capability scores are levels (percentiles in the catalog): see levels.ts.
    const candidates = rawCandidates.map((c) => ({ ...c, scores: scale.apply(c.scores) }));
    p = { rawCandidates, scale, candidates, table: candidateTable(candidates) };
    byPolicy.set(key, p);
  }
  return p;
}

export function assessFeature(feature: string, buckets: ProfileBucket[], opts: AssessOptions): FeatureAssessment {
  const { rawCandidates, scale, candidates, table } = prepareCandidates(opts);
  const warnings: string[] = [];
  const byModel = new Map<string, ProfileBucket[]>();
  for (const b of buckets) {
    const list = byModel.get(b.model);
    if (list) list.push(b);
    else byModel.set(b.model, [b]);
  }
  const views = new Map<string, AssignedView>();
  for (const [m, bs] of byModel) views.set(m, assignedView(m, opts, rawCandidates, bs, scale));

  const evals = buckets.map((b) => evaluateBucket(b, views.get(b.model)!, table));
  const n = evals.reduce((s, e) => s + e.bucket.requests, 0);
  const frac = (pred: (e: BucketEval) => boolean): number => (n === 0 ? 0 : Math.min(1, weighted(evals, pred) / n));
  const shares = {
    under: frac((e) => e.under),
    light: frac((e) => e.light),
    over: frac((e) => e.light && !e.under),
    fit: frac((e) => !e.light && !e.under),
    peer: frac((e) => e.peer),
  };
  const metadataOnlyShare = n === 0 ? 0 : buckets.reduce((s, b) => s + b.metadata_only, 0) / n;
  for (const v of views.values()) if (!v.scores) warnings.push(`no benchmark scores for ${v.id}: whether it meets the needs cannot be judged`);
  if (candidates.length === 0) warnings.push('no catalog model passes the policy and has prices and scores: nothing to recommend');

  const assignedTotal = evals.reduce((s, e) => s + (e.assignedCost ?? Number.NaN), 0);
  const needsText = describeNeeds(evals);
  const mainModel = [...byModel.entries()].sort((x, y) => y[1].reduce((s, b) => s + b.requests, 0) - x[1].reduce((s, b) => s + b.requests, 0))[0]?.[0] ?? '';
  const cheaperThan = (c: Candidate, group: BucketEval[]): string => {
    const now = group.reduce((s, e) => s + (e.assignedCost ?? 0), 0);
    const then = routeCost(group, candidates, c.model.id);
    return then > 0 && now > 0 ? `${(now / then).toFixed(1)}× cheaper than today` : 'priced';
  };

  let verdict: Verdict = 'well-matched';
  let routes: Route[] = [];
  const lightEvals = evals.filter((e) => e.light && !e.under);
  const strongEvals = evals.filter((e) => !e.light || e.under);
  const dynamicRoutes = (): Route[] => {
    const light = routeFor(lightEvals, candidates, lightEvals.reduce((s, e) => s + e.bucket.requests, 0) / n, (c) => `simpler requests: ${describeNeeds(lightEvals)}; ${c.model.id} meets them, ${cheaperThan(c, lightEvals)}`);
    const strong = routeFor(strongEvals, candidates, strongEvals.reduce((s, e) => s + e.bucket.requests, 0) / n, (c) => {
      const deficit = topDeficits(strongEvals)[0];
      return `demanding requests: ${describeNeeds(strongEvals)}${deficit ? `; ${(deficit.share * 100).toFixed(0)}% of them fall short of the assigned model on ${deficit.capability}` : ''}; ${c.model.id} (${c.tier}) meets them`;
    });
    return [light, strong].filter((r): r is Route => r !== null);
  };

  if (shares.over >= OVER_SHARE_MIN) {
    verdict = 'over-provisioned';
    // One model for the whole feature: the cheapest meeting ROUTE_COVERAGE of the requests at
    // OVER_COST_RATIO× less than today, else the cheapest meeting OVER_SHARE_MIN of them.
    const why = (c: Candidate): string =>
      `${(shares.over * 100).toFixed(0)}% of requests are served as well by a model ${OVER_COST_RATIO}× cheaper (${needsText}); ${c.model.id} meets them, ${cheaperThan(c, evals)}`;
    const r = routeFor(evals, candidates, 1, why, ROUTE_COVERAGE, assignedTotal / OVER_COST_RATIO) ?? routeFor(evals, candidates, 1, why, OVER_SHARE_MIN);
    routes = r ? [r] : [];
  } else if (shares.over >= MIXED_SHARE_MIN) {
    verdict = 'mixed';
    routes = dynamicRoutes();
  } else if (shares.under >= UNDER_SHARE_MIN) {
    verdict = 'under-provisioned';
    const d = topDeficits(evals);
    const r = routeFor(evals, candidates, 1, (c) => `${(shares.under * 100).toFixed(0)}% of requests need more than ${mainModel} has (${d.map((x) => `${x.capability} ${(x.share * 100).toFixed(0)}%`).join(', ')}); ${c.model.id} (${c.tier}) meets the needs of the feature`);
    routes = r ? [r] : [];
  }
  if (verdict === 'mixed' && routes.length === 2 && routes[0]!.model === routes[1]!.model) {
    const [light, strong] = routes as [Route, Route];
    routes = [{ ...strong, share: 1, coverage: Math.min(light.coverage, strong.coverage), reason: `${light.reason}; ${strong.reason} (one model serves both tiers)` }];
  }
  // A well-matched feature keeps its model; a gone or expiring one moves to a same-tier successor
  // that meets the needs (the closest same-tier model when it does, else the cheapest one that does).
  const successors = new Map<string, { model: string; coverage: number; note: string }>();
  if (verdict === 'well-matched') {
    for (const [m, v] of views) {
      if (v.state.in_catalog && !v.state.expiring) continue;
      successors.set(m, successorOf(v, evals.filter((e) => e.bucket.model === m), candidates));
    }
    routes = [...byModel.entries()].map(([m, bs]) => {
      const v = views.get(m)!;
      const share = bs.reduce((s, b) => s + b.requests, 0) / n;
      const next = successors.get(m);
      const model = next?.model ?? m;
      const tier = candidates.find((c) => c.model.id === model)?.tier ?? v.state.tier ?? 'efficient';
      const reason = next
        ? `${m} is ${v.state.in_catalog ? 'expiring' : 'gone from the catalog'}; ${next.note}`
        : `the needs (${needsText}) match ${m}; no weaker model ${OVER_COST_RATIO}× cheaper serves ${(OVER_SHARE_MIN * 100).toFixed(0)}% of them`;
      return { model, tier, share, coverage: next ? next.coverage : 1 - shares.under, reason };
    });
  }

  // The assigned model may be overpriced rather than over-provisioned: a model at least as capable
  // and OVER_COST_RATIO× cheaper meets the needs. Said in the warnings (and the well-matched route).
  const peerEvals = evals.filter((e) => e.peer);
  if (peerEvals.length > 0 && shares.peer >= MIXED_SHARE_MIN) {
    const assignedIndex = views.get(mainModel)?.index ?? null;
    const r = chooseRoute(peerEvals, candidates, ROUTE_COVERAGE, Infinity, (c) => assignedIndex === null || c.capability_index >= assignedIndex);
    if (r) {
      const c = candidates[r.index]!;
      const note = `${(shares.peer * 100).toFixed(0)}% of requests are met by a model at least as capable as ${mainModel} and ${OVER_COST_RATIO}× cheaper: ${c.model.id} (${c.tier}), ${cheaperThan(c, peerEvals)} — a price finding, not over-provisioning`;
      warnings.push(note);
      if (verdict === 'well-matched') routes = routes.map((x) => ({ ...x, reason: `${x.reason}; cheaper alternative at least as capable: ${c.model.id}, ${cheaperThan(c, peerEvals)}` }));
    }
  }

  if (verdict !== 'well-matched') routes = routes.map((r, i) => withReasoningModeNote(r, routes.length === 2 ? (i === 0 ? lightEvals : strongEvals) : evals, rawCandidates, candidates, scale));

  // Costs of the sample: today (logged where present) and with the routes.
  let current: number | null = 0;
  let loggedRequests = 0;
  for (const e of evals) {
    const v = views.get(e.bucket.model)!;
    loggedRequests += e.bucket.requests - e.bucket.unlogged.requests;
    const unlogged = e.bucket.unlogged.requests === 0 ? 0 : v.pricing ? costOn(v.pricing, e.bucket.unlogged) : null;
    current = current === null || unlogged === null ? null : current + e.bucket.logged_cost_usd + unlogged;
  }
  let projected: number | null;
  if (verdict === 'well-matched') {
    projected = 0;
    for (const e of evals) {
      const v = views.get(e.bucket.model)!;
      const next = successors.get(e.bucket.model);
      const m = next ? opts.catalog.models.find((x) => x.id === next.model) ?? null : v.pricing;
      const usd = !next ? e.bucket.logged_cost_usd + (m && e.bucket.unlogged.requests ? costOn(m, e.bucket.unlogged) ?? 0 : 0) : m ? costOn(m, e.bucket.tokens) : null;
      projected = projected === null || usd === null ? null : projected + usd;
    }
  } else if (routes.length === 1) {
    projected = routeCost(evals, candidates, routes[0]!.model);
  } else {
    projected = routeCost(lightEvals, candidates, routes[0]!.model) + routeCost(strongEvals, candidates, routes[1]?.model ?? routes[0]!.model);
  }

  const quality = qualityChanges(evals, views, candidates, routes, verdict === 'mixed' && routes.length === 2 ? lightEvals : null);
  const confidence = confidenceOf(verdict, shares, n, metadataOnlyShare);
  if (metadataOnlyShare > 0) {
    warnings.push(
      `${(metadataOnlyShare * 100).toFixed(0)}% of requests are metadata-only (no prompt text in the logs): their profiles come from token shapes, tools and format flags alone — lower confidence; export prompt bodies from the gateway for a full analysis`,
    );
  }
  const routeModelOf = (e: BucketEval): string | null => {
    if (verdict === 'well-matched') return successors.get(e.bucket.model)?.model ?? e.bucket.model;
    if (routes.length === 2) return e.light && !e.under ? routes[0]!.model : routes[1]!.model;
    return routes[0]?.model ?? null;
  };
  const bucketResults: BucketResult[] = evals.map((e) => {
    let best = -1;
    for (let i = 0; i < candidates.length; i++) if (e.adequate[i] && (best < 0 || e.cost[i]! < e.cost[best]!)) best = i;
    return { cheapest_adequate: best < 0 ? null : candidates[best]!.model.id, route_model: routeModelOf(e), short_on: [...new Set(e.short.map((x) => x.capability))], light: e.light };
  });
  const violations = policyViolations(views, opts);
  warnings.push(...unverifiablePolicyWarnings(opts.policy));
  for (const v of views.values()) warnings.push(...v.state.notes);
  return {
    feature,
    requests: n,
    metadata_only_share: metadataOnlyShare,
    current_models: [...byModel.entries()]
      .map(([model, bs]) => ({ model, share: bs.reduce((s, b) => s + b.requests, 0) / n }))
      .sort((a, b) => b.share - a.share || a.model.localeCompare(b.model)),
    verdict,
    shares,
    strategy: routes.length > 1 ? 'dynamic' : 'static',
    routes,
    sample_cost: { current, projected, current_logged_share: n === 0 ? 0 : loggedRequests / n },
    quality,
    deficits: topDeficits(evals),
    confidence,
    model_states: [...views.values()].map((v) => v.state),
    violations,
    warnings,
    need_distribution: needDistribution(evals),
    bucket_results: bucketResults,
  };
}

/**
 * The same-tier successor of a gone or expiring model: its closest same-tier replacement
 * (modelState.ts) when that meets ROUTE_COVERAGE of the requests, else the cheapest model of the
 * same tier that does, else the closest replacement anyway (its coverage says how far it falls short).
 */
function successorOf(v: AssignedView, group: BucketEval[], candidates: Candidate[]): { model: string; coverage: number; note: string } {
  const total = group.reduce((s, e) => s + e.bucket.requests, 0) || 1;
  const coverageOf = (id: string): number => {
    const i = candidates.findIndex((c) => c.model.id === id);
    return i < 0 ? 0 : group.reduce((s, e) => s + (e.adequate[i] ? e.bucket.requests : 0), 0) / total;
  };
  const closest = v.state.replacement?.model ?? null;
  const tier = v.state.tier ?? (closest ? candidates.find((c) => c.model.id === closest)?.tier : undefined);
  if (closest && coverageOf(closest) >= ROUTE_COVERAGE) return { model: closest, coverage: coverageOf(closest), note: `${closest} is its closest same-tier replacement and meets the needs` };
  const r = tier ? chooseRoute(group, candidates, ROUTE_COVERAGE, Infinity, (c) => c.tier === tier) : null;
  if (r) {
    const id = candidates[r.index]!.model.id;
    const why = closest ? `the closest same-tier model, ${closest}, meets only ${(coverageOf(closest) * 100).toFixed(0)}% of the requests; ` : '';
    return { model: id, coverage: r.coverage, note: `${why}${id} is the cheapest ${tier} model that meets ${(r.coverage * 100).toFixed(0)}%` };
  }
  const model = closest ?? v.id;
  return { model, coverage: coverageOf(model), note: `${model} is its closest same-tier replacement (no ${tier ?? 'same-tier'} model meets ${(ROUTE_COVERAGE * 100).toFixed(0)}% of the requests)` };
}

/**
 * A route to a hybrid model whose non-reasoning scores would not cover the requests its
 * reasoning-mode scores cover relies on reasoning mode: its reason says "enable reasoning".
 */
function withReasoningModeNote(route: Route, group: BucketEval[], rawCandidates: Candidate[], candidates: Candidate[], scale: LevelScale): Route {
  const i = candidates.findIndex((c) => c.model.id === route.model);
  const raw = rawCandidates[i];
  if (i < 0 || !raw || !isHybrid(raw.model) || !raw.scores.non_reasoning || Object.keys(raw.scores.non_reasoning).length === 0) return route;
  const off: Candidate = { ...candidates[i]!, scores: scale.apply(nonReasoningScores(raw.scores)) };
  let lost = 0;
  let total = 0;
  const caps = new Set<string>();
  for (const e of group) {
    total += e.bucket.requests;
    if (!e.adequate[i] || isAdequate(off, e.needs)) continue;
    lost += e.bucket.requests;
    for (const s of shortfalls(e.needs, off.scores)) caps.add(s.capability);
  }
  if (lost === 0 || total === 0) return route;
  return {
    ...route,
    reason: `${route.reason}; enable reasoning: without it ${route.model} falls short${caps.size ? ` on ${[...caps].join(', ')}` : ''} for ${((lost / total) * 100).toFixed(0)}% of these requests`,
  };
}

/** The capabilities short most often; on equal shares, the one with the larger mean gap (need − level) first. */
function topDeficits(evals: BucketEval[]): { capability: string; share: number }[] {
  const n = evals.reduce((s, e) => s + e.bucket.requests, 0);
  const counts = new Map<string, { requests: number; gap: number }>();
  for (const e of evals) {
    const seen = new Set<string>();
    for (const x of e.short) {
      if (seen.has(x.capability)) continue;
      seen.add(x.capability);
      const c = counts.get(x.capability) ?? { requests: 0, gap: 0 };
      c.requests += e.bucket.requests;
      c.gap += (x.need - (x.has ?? 0)) * e.bucket.requests;
      counts.set(x.capability, c);
    }
  }
  return [...counts.entries()]
    .map(([capability, c]) => ({ capability, share: n === 0 ? 0 : c.requests / n, gap: c.gap / c.requests }))
    .sort((a, b) => b.share - a.share || b.gap - a.gap || a.capability.localeCompare(b.capability))
    .slice(0, 3)
    .map(({ capability, share }) => ({ capability, share }));
}

function needDistribution(evals: BucketEval[]): FeatureAssessment['need_distribution'] {
  const n = evals.reduce((s, e) => s + e.bucket.requests, 0) || 1;
  const out = {} as FeatureAssessment['need_distribution'];
  for (const cap of CAPABILITIES) {
    const bands: [number, number, number, number] = [0, 0, 0, 0];
    for (const e of evals) {
      const i = Math.min(3, Math.floor(e.needs.capabilities[cap] * 4));
      bands[i] = bands[i]! + e.bucket.requests / n;
    }
    out[cap] = bands.map((b) => Math.min(1, b)) as typeof bands; // float sums can pass 1 by an ulp
  }
  return out;
}

function qualityChanges(
  evals: BucketEval[],
  views: Map<string, AssignedView>,
  candidates: Candidate[],
  routes: Route[],
  lightGroup: BucketEval[] | null,
): CapabilityQuality[] {
  const n = evals.reduce((s, e) => s + e.bucket.requests, 0);
  const light = new Set(lightGroup ?? []);
  const routeCandidate = (model: string | undefined) => candidates.find((c) => c.model.id === model);
  const [first, second] = [routeCandidate(routes[0]?.model), routeCandidate(routes[1]?.model)];
  // The route candidate of every bucket, once (not per capability).
  const routeOfEval = new Map(evals.map((e) => [e, lightGroup && routes.length === 2 ? (light.has(e) ? first : second) : first]));
  const routeOf = (e: BucketEval): Candidate | undefined => routeOfEval.get(e);
  // Per bucket, the capabilities its route's model falls short on, once (not per capability).
  const routeShort = new Map<BucketEval, Set<string>>();
  for (const e of evals) {
    const r = routeOf(e);
    if (r && !meetsNeeds(e.needs, r.scores)) routeShort.set(e, new Set(shortfalls(e.needs, r.scores).map((x) => x.capability)));
  }
  const out: CapabilityQuality[] = [];
  for (const cap of CAPABILITIES) {
    const pairs = evals.map((e) => ({ v: e.needs.capabilities[cap], w: e.bucket.requests }));
    const p90 = quantile(pairs, 0.9);
    if (p90 < MIN_CHECKED_NEED) continue;
    let aSum = 0;
    let aW = 0;
    let pSum = 0;
    let pW = 0;
    let shortA = 0;
    let shortP = 0;
    for (const e of evals) {
      const need = e.needs.capabilities[cap];
      const a = views.get(e.bucket.model)!.scores?.capabilities[cap];
      if (typeof a === 'number') {
        aSum += a * e.bucket.requests;
        aW += e.bucket.requests;
      }
      if (need >= MIN_CHECKED_NEED && e.short.some((s) => s.capability === cap)) shortA += e.bucket.requests;
      const r = routeOf(e);
      const p = r?.scores.capabilities[cap];
      if (typeof p === 'number') {
        pSum += p * e.bucket.requests;
        pW += e.bucket.requests;
      }
      if (r && need >= MIN_CHECKED_NEED && routeShort.get(e)?.has(cap)) shortP += e.bucket.requests;
    }
    const assigned = aW > 0 ? aSum / aW : null;
    const projected = pW > 0 ? pSum / pW : null;
    out.push({
      capability: cap,
      need_p50: quantile(pairs, 0.5),
      need_p90: p90,
      assigned,
      projected,
      change: assigned !== null && projected !== null ? projected - assigned : null,
      headroom: assigned !== null ? assigned - p90 : null,
      short_share_assigned: n ? shortA / n : 0,
      short_share_projected: n ? shortP / n : 0,
    });
  }
  return out;
}

function confidenceOf(verdict: Verdict, shares: FeatureAssessment['shares'], n: number, metadataOnlyShare: number): Confidence {
  const base = { requests: n, metadataOnlyShare };
  switch (verdict) {
    case 'under-provisioned':
      return verdictConfidence({ ...base, share: shares.under, threshold: UNDER_SHARE_MIN, direction: 'above', label: 'requests short on the assigned model' });
    case 'over-provisioned':
      return verdictConfidence({ ...base, share: shares.over, threshold: OVER_SHARE_MIN, direction: 'above', label: `requests served as well by a ${OVER_COST_RATIO}× cheaper model` });
    case 'mixed': {
      const minority = Math.min(shares.over, 1 - shares.over);
      return verdictConfidence({ ...base, share: minority, threshold: MIXED_SHARE_MIN, direction: 'above', label: 'smaller tier' });
    }
    default:
      return verdictConfidence({ ...base, share: shares.under, threshold: UNDER_SHARE_MIN, direction: 'below', label: 'requests short on the assigned model' });
  }
}

function policyViolations(views: Map<string, AssignedView>, opts: AssessOptions): Violation[] {
  const out: Violation[] = [];
  const p = opts.policy;
  for (const v of views.values()) {
    const why = policyExclusion(v.id, v.rawScores, { ...p, latency_slo_p95_ttft_ms: undefined });
    if (why) {
      const rule: Violation['rule'] = why.includes('blocked') ? 'blocked' : why.includes('quality floor') ? 'quality_floor' : 'not_allowed';
      out.push({ rule, model: v.id, message: `${v.id}: ${why}` });
    }
  }
  if (p.latency_slo_p95_ttft_ms !== undefined && opts.ttftP95Ms !== null && opts.ttftP95Ms !== undefined && opts.ttftP95Ms > p.latency_slo_p95_ttft_ms) {
    out.push({ rule: 'latency_slo', model: null, message: `logged p95 TTFT ${Math.round(opts.ttftP95Ms)}ms exceeds the SLO of ${p.latency_slo_p95_ttft_ms}ms` });
  }
  return out;
}

/** Policy needs the catalog cannot verify (it carries no retention or region facts). */
export function unverifiablePolicyWarnings(p: RoutingPolicy): string[] {
  const out: string[] = [];
  if (p.zero_data_retention) out.push('policy requires zero data retention: the catalog carries no retention facts, so neither the assigned nor the recommended models are verified');
  if (p.regions?.length) out.push(`policy requires regions ${p.regions.join(', ')}: the catalog carries no region facts, not verified`);
  return out;
}

/** A projected monthly cost above the policy's budget. */
export function costViolations(p: RoutingPolicy, monthly: { current: number | null; projected: number | null }): Violation[] {
  const max = p.max_monthly_cost_usd;
  if (max === undefined) return [];
  const out: Violation[] = [];
  if (monthly.current !== null && monthly.current > max) out.push({ rule: 'max_cost', model: null, message: `current monthly cost $${monthly.current.toFixed(2)} exceeds the budget of $${max}` });
  if (monthly.projected !== null && monthly.projected > max) out.push({ rule: 'max_cost', model: null, message: `projected monthly cost $${monthly.projected.toFixed(2)} with the recommendation still exceeds the budget of $${max}` });
  return out;
}
