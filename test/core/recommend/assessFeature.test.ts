import { describe, expect, it } from 'vitest';
import {
  assessFeature,
  costViolations,
  MIXED_SHARE_MIN,
  OVER_SHARE_MIN,
  UNDER_SHARE_MIN,
  type AssessOptions,
} from '../../../src/core/recommend/assessFeature.js';
import { bucket, handCatalog, model, scores, tokens } from './handCatalog.js';

const opts = (extra: Partial<AssessOptions> = {}): AssessOptions => ({ catalog: handCatalog(), policy: {}, asOf: '2026-08-20', ...extra });
/** Needs only an efficient model (0.5 scores). */
const easy = { complexity: 0.4, reasoning: 0.3 };
/** Needs a mid model (0.7): the efficient one (0.5) is short. */
const medium = { complexity: 0.65, reasoning: 0.6 };
/** Needs the frontier model (0.9). */
const hard = { complexity: 0.85, reasoning: 0.9 };

describe('assessFeature verdicts', () => {
  it('over-provisioned: a frontier model on easy traffic → one efficient route, cost projected with it', () => {
    const a = assessFeature('f', [bucket('lab/frontier', 100, easy)], opts());
    expect(a.verdict).toBe('over-provisioned');
    expect(a.shares).toEqual({ under: 0, light: 1, over: 1, fit: 0, peer: 0 });
    expect(a.strategy).toBe('static');
    expect(a.routes.map((r) => [r.model, r.tier, r.share, r.coverage])).toEqual([['lab/efficient', 'efficient', 1, 1]]);
    // 100 requests × (1000 prompt, 200 completion): frontier $5/$25 per M = $1.00; efficient $0.2/$0.8 = $0.036.
    expect(a.sample_cost.current).toBeCloseTo(1.0, 10);
    expect(a.sample_cost.projected).toBeCloseTo(0.036, 10);
  });

  it('under-provisioned: 40% of requests need more than the mid model has → frontier route', () => {
    const a = assessFeature('f', [bucket('lab/mid', 60, medium), bucket('lab/mid', 40, hard)], opts());
    expect(a.verdict).toBe('under-provisioned');
    expect(a.shares.under).toBeCloseTo(0.4, 10);
    expect(a.routes.map((r) => r.model)).toEqual(['lab/frontier']);
    // general (need 0.85) and reasoning (0.9) are both short for 40%: the larger gap to the mid level (0.75) comes first
    expect(a.deficits.slice(0, 2)).toEqual([
      { capability: 'reasoning', share: 0.4 },
      { capability: 'general', share: 0.4 },
    ]);
    const reasoning = a.quality.find((q) => q.capability === 'reasoning')!;
    // levels: mid is the 3rd of 4 models (0.75), frontier the strongest (1)
    expect(reasoning).toMatchObject({ assigned: 0.75, projected: 1, short_share_assigned: 0.4, short_share_projected: 0 });
  });

  it('mixed (short + light): easy traffic to the efficient model, hard traffic to the frontier one', () => {
    const a = assessFeature('f', [bucket('lab/mid', 70, easy), bucket('lab/mid', 30, hard)], opts());
    expect(a.verdict).toBe('mixed');
    expect(a.strategy).toBe('dynamic');
    expect(a.routes.map((r) => [r.model, r.tier, r.share])).toEqual([
      ['lab/efficient', 'efficient', 0.7],
      ['lab/frontier', 'frontier', 0.3],
    ]);
  });

  it('mixed (spanning tiers, nothing short): part of a frontier model traffic can go 3× cheaper', () => {
    const a = assessFeature('f', [bucket('lab/frontier', 50, easy), bucket('lab/frontier', 50, hard)], opts());
    expect(a.verdict).toBe('mixed');
    expect(a.shares.under).toBe(0);
    expect(a.routes.map((r) => [r.model, r.share])).toEqual([
      ['lab/efficient', 0.5],
      ['lab/frontier', 0.5],
    ]);
  });

  it('overpriced, not over-provisioned: a model as capable and 5× cheaper meets the needs → well-matched, with the alternative named', () => {
    // lab/pricey has the mid model's scores at 5× its price: the cheaper model that serves it is not weaker.
    const cat = handCatalog([model('lab/pricey', { prompt: 5, completion: 25 })], [scores('lab/pricey', 0.7)]);
    const a = assessFeature('f', [bucket('lab/pricey', 100, medium)], opts({ catalog: cat }));
    expect(a.verdict).toBe('well-matched');
    expect(a.shares).toEqual({ under: 0, light: 0, over: 0, fit: 1, peer: 1 });
    expect(a.routes.map((r) => r.model)).toEqual(['lab/pricey']);
    expect(a.routes[0]!.reason).toContain('cheaper alternative at least as capable: lab/mid, 5.0× cheaper than today');
    expect(a.warnings).toContain('100% of requests are met by a model at least as capable as lab/pricey and 3× cheaper: lab/mid (mid), 5.0× cheaper than today — a price finding, not over-provisioning');
  });

  it('the same easy traffic on that pricey model is over-provisioned: a weaker model 3× cheaper meets it', () => {
    const cat = handCatalog([model('lab/pricey', { prompt: 5, completion: 25 })], [scores('lab/pricey', 0.7)]);
    const a = assessFeature('f', [bucket('lab/pricey', 100, easy)], opts({ catalog: cat }));
    expect(a.verdict).toBe('over-provisioned');
    expect(a.shares).toMatchObject({ light: 1, over: 1, peer: 0 });
  });

  it('well-matched: needs at the mid level on the mid model, nothing 3× cheaper meets them', () => {
    const a = assessFeature('f', [bucket('lab/mid', 100, medium)], opts());
    expect(a.verdict).toBe('well-matched');
    expect(a.routes.map((r) => [r.model, r.share])).toEqual([['lab/mid', 1]]);
    expect(a.sample_cost.projected).toBeCloseTo(a.sample_cost.current!, 12);
  });
});

describe('verdict thresholds at their edges', () => {
  it(`under-provisioned from exactly ${UNDER_SHARE_MIN * 100}% short requests`, () => {
    expect(assessFeature('f', [bucket('lab/mid', 80, medium), bucket('lab/mid', 20, hard)], opts()).verdict).toBe('under-provisioned');
    expect(assessFeature('f', [bucket('lab/mid', 81, medium), bucket('lab/mid', 19, hard)], opts()).verdict).toBe('well-matched');
  });

  it(`over-provisioned from exactly ${OVER_SHARE_MIN * 100}% over-served requests, mixed just below`, () => {
    expect(assessFeature('f', [bucket('lab/frontier', 80, easy), bucket('lab/frontier', 20, hard)], opts()).verdict).toBe('over-provisioned');
    expect(assessFeature('f', [bucket('lab/frontier', 79, easy), bucket('lab/frontier', 21, hard)], opts()).verdict).toBe('mixed');
  });

  it(`mixed from exactly ${MIXED_SHARE_MIN * 100}% over-served requests, well-matched below`, () => {
    expect(assessFeature('f', [bucket('lab/mid', 20, easy), bucket('lab/mid', 80, medium)], opts()).verdict).toBe('mixed');
    expect(assessFeature('f', [bucket('lab/mid', 19, easy), bucket('lab/mid', 81, medium)], opts()).verdict).toBe('well-matched');
  });

  it('a shortfall within NEED_MARGIN is not a shortfall', () => {
    // Levels are percentiles among the 4 models: mid is at 0.75. A need of 0.80 is within the 0.05 margin, 0.81 is not.
    expect(assessFeature('f', [bucket('lab/mid', 100, { complexity: 0.8, reasoning: 0.3 })], opts()).shares.under).toBe(0);
    expect(assessFeature('f', [bucket('lab/mid', 100, { complexity: 0.81, reasoning: 0.3 })], opts()).shares.under).toBe(1);
  });
});

describe('hard constraints and policy', () => {
  it('context window: a prompt larger than the efficient model holds goes to a model that holds it', () => {
    const cat = handCatalog();
    cat.models.find((m) => m.id === 'lab/efficient')!.context_length = 8_000;
    const a = assessFeature('f', [bucket('lab/frontier', 100, { ...easy, context_tokens: 10_000 }, tokens(100, 10_000, 200))], opts({ catalog: cat }));
    expect(a.routes[0]!.model).not.toBe('lab/efficient');
  });

  it('tools: a model without tool calling is never recommended for requests with tools', () => {
    const cat = handCatalog();
    cat.models.find((m) => m.id === 'lab/efficient')!.supported_parameters = ['temperature'];
    const a = assessFeature('f', [bucket('lab/frontier', 100, { ...easy, needs_tools: true })], opts({ catalog: cat }));
    expect(a.routes[0]!.model).toBe('lab/mid');
  });

  it('interactive requests only go to fast models', () => {
    const cat = handCatalog([], []);
    cat.scores.set('lab/efficient', scores('lab/efficient', 0.5, { ttft_s: 4 }));
    const a = assessFeature('f', [bucket('lab/frontier', 100, { ...easy, latency_sensitivity: 0.9 })], opts({ catalog: cat }));
    expect(a.routes[0]!.model).toBe('lab/mid');
  });

  it('a blocked provider is never recommended; the assigned model violating the policy shows', () => {
    const a = assessFeature('f', [bucket('lab/frontier', 100, { complexity: 0.2, reasoning: 0.1 })], opts({ policy: { blocked_providers: ['other'], quality_floor: 0.95 } }));
    expect(a.routes.every((r) => !r.model.startsWith('other/'))).toBe(true);
    expect(a.violations).toEqual([{ rule: 'quality_floor', model: 'lab/frontier', message: 'lab/frontier: general score 0.90 below quality floor 0.95' }]);
  });

  it('latency SLO: logged p95 TTFT above it is a violation', () => {
    const a = assessFeature('f', [bucket('lab/mid', 100, medium)], opts({ policy: { latency_slo_p95_ttft_ms: 800 }, ttftP95Ms: 1200 }));
    expect(a.violations.map((v) => v.rule)).toEqual(['latency_slo']);
  });

  it('max monthly cost: over budget now and after', () => {
    expect(costViolations({ max_monthly_cost_usd: 100 }, { current: 150, projected: 90 }).map((v) => v.message)).toEqual([
      'current monthly cost $150.00 exceeds the budget of $100',
    ]);
    expect(costViolations({}, { current: 150, projected: 90 })).toEqual([]);
  });

  it('ZDR / region needs are reported as unverifiable, not silently passed', () => {
    const a = assessFeature('f', [bucket('lab/mid', 100, medium)], opts({ policy: { zero_data_retention: true, regions: ['eu'] } }));
    expect(a.warnings.filter((w) => w.startsWith('policy requires'))).toHaveLength(2);
  });
});

describe('the assigned model state', () => {
  it('missing from the catalog: says so and names the closest same-tier model; judged in tier', () => {
    // gone/flash (0.51) sits at the 2/5 level; the closest same-tier models are lab/efficient (0.5) and lab/efficient-2 (0.52), the latter nearer the logged price.
    const cat = handCatalog([model('lab/efficient-2', { prompt: 0.15, completion: 0.6 })], [scores('lab/efficient-2', 0.52), scores('gone/flash', 0.51)]);
    const b = { ...bucket('gone/flash', 100, { complexity: 0.45, reasoning: 0.4 }), logged_cost_usd: 0.03, unlogged: tokens(0) };
    const a = assessFeature('f', [b], opts({ catalog: cat }));
    const st = a.model_states[0]!;
    expect(st.in_catalog).toBe(false);
    expect(st.replacement?.model).toBe('lab/efficient-2');
    expect(st.replacement?.tier).toBe('efficient');
    expect(a.verdict).toBe('well-matched');
    expect(a.routes[0]!.model).toBe('lab/efficient-2');
    expect(a.warnings.some((w) => w.includes('gone/flash is not in the test catalog'))).toBe(true);
    expect(a.sample_cost.current).toBe(0.03);
  });

  it('missing, and the closest same-tier model falls short: the route goes to the cheapest same-tier model that meets the needs', () => {
    // gone/flash-lite is the closest same-tier model (same provider) but weak on general; lab/efficient meets the needs.
    const cat = handCatalog([model('gone/flash-lite', { prompt: 0.1, completion: 0.4 })], [scores('gone/flash-lite', 0.48, { caps: { general: 0.2 } }), scores('gone/flash', 0.51)]);
    const b = { ...bucket('gone/flash', 100, { complexity: 0.5, reasoning: 0.4 }), logged_cost_usd: 0.03, unlogged: tokens(0) };
    const a = assessFeature('f', [b], opts({ catalog: cat }));
    expect(a.model_states[0]!.replacement?.model).toBe('gone/flash-lite');
    expect(a.verdict).toBe('well-matched');
    expect(a.routes.map((r) => [r.model, r.tier, r.coverage])).toEqual([['lab/efficient', 'efficient', 1]]);
    expect(a.routes[0]!.reason).toContain('the closest same-tier model, gone/flash-lite, meets only 0% of the requests; lab/efficient is the cheapest efficient model that meets 100%');
  });

  it('expiring within 90 days is flagged with a replacement', () => {
    const cat = handCatalog();
    cat.models.find((m) => m.id === 'lab/mid')!.expiration_date = '2026-09-30';
    const a = assessFeature('f', [bucket('lab/mid', 100, medium)], opts({ catalog: cat }));
    expect(a.model_states[0]).toMatchObject({ expiring: true, expiration_date: '2026-09-30' });
  });

  it('logged cost far from the catalog price is flagged as repriced', () => {
    // 100 × (1000, 200) on mid ($1/$5) = $0.20 at catalog prices; logged $0.30 = +50%.
    const b = { ...bucket('lab/mid', 100, medium), logged_cost_usd: 0.3, unlogged: tokens(0) };
    const st = assessFeature('f', [b], opts()).model_states[0]!;
    expect(st.repriced).toBe(true);
    expect(st.logged_vs_catalog_price).toBeCloseTo(0.5, 10);
  });
});

describe('confidence', () => {
  it('a small sample is low confidence; metadata-only traffic lowers it and says so', () => {
    expect(assessFeature('f', [bucket('lab/frontier', 20, easy)], opts()).confidence.level).toBe('low');
    const big = assessFeature('f', [bucket('lab/frontier', 1000, easy)], opts());
    expect(big.confidence.level).toBe('high');
    const meta = assessFeature('f', [{ ...bucket('lab/frontier', 1000, easy), metadata_only: 1000 }], opts());
    expect(meta.confidence.level).toBe('medium');
    expect(meta.confidence.basis).toContain('metadata-only, lower confidence');
    expect(meta.warnings.some((w) => w.includes('metadata-only'))).toBe(true);
  });
});
