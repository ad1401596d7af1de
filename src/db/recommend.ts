import type { ProfileBucket, TokenTotals } from '../core/recommend/bucket.js';
import type { CapabilityProfile, Domain, OutputFormat, TaskType } from '../core/profile.js';
import type { PnyxDb } from './database.js';

/*
 * The profile bucket of a request: its feature, model and profile with the numbers rounded
 * (0.05 steps; context and reasoning tokens by power of two). Requests in one bucket get one recommendation,
 * so recommending scales with the number of distinct buckets, not of requests.
 */

/** The profile's part of the bucket key (of profile row `p`), rounded as bucketColumns rounds it. */
const profileKey = (p: string): string => `${p}.task_type, ${p}.domain, ${p}.output_format, ${p}.structured_output, ${p}.needs_tools, ${p}.multimodal,
  round(${p}.reasoning * 20), round(${p}.complexity * 20), round(${p}.policy_sensitivity * 20), round(${p}.latency_sensitivity * 20),
  round(${p}.safety_risk * 10), ceil(log2(greatest(${p}.context_tokens, 1)))::INTEGER`;

/** A request's reasoning-effort bucket (of request row `r`): reasoning tokens by power of two. */
const effortBucket = (r: string): string => `ceil(log2(coalesce(${r}.reasoning_tokens, 0) + 1))::INTEGER`;

/** The bucket's columns: feature and model of `r`, the rounded profile of `p`, the effort bucket given. */
const bucketColumns = (r: string, p: string, effort: string): string => `
  ${r}.feature, ${r}.model, ${p}.task_type, ${p}.domain, ${p}.output_format, ${p}.structured_output, ${p}.needs_tools, ${p}.multimodal,
  round(${p}.reasoning * 20) / 20 AS reasoning, round(${p}.complexity * 20) / 20 AS complexity,
  round(${p}.policy_sensitivity * 20) / 20 AS policy_sensitivity, round(${p}.latency_sensitivity * 20) / 20 AS latency_sensitivity,
  round(${p}.safety_risk * 10) / 10 AS safety_risk, ceil(log2(greatest(${p}.context_tokens, 1)))::INTEGER AS ctx_bucket,
  ${effort} AS effort_bucket`;

/** The same key as one number, for joining per-request rows to their bucket's recommendation. */
export const BUCKET_ID_SQL = `hash(r.feature, r.model, ${profileKey('p')}, ${effortBucket('r')})`;

export interface StoredBucket extends ProfileBucket {
  bucket_id: bigint;
}

/** A bucket row as DuckDB returns it (BIGINT columns as bigint). */
type BucketRow = {
  bucket_id: bigint;
  feature: string;
  model: string;
  task_type: string;
  domain: string;
  output_format: string;
  structured_output: boolean;
  needs_tools: boolean;
  multimodal: boolean;
  reasoning: number;
  complexity: number;
  policy_sensitivity: number;
  latency_sensitivity: number;
  safety_risk: number;
  requests: bigint;
  metadata_only: bigint;
  context_tokens: bigint;
  max_context_tokens: bigint;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  reasoning_tokens: number | null;
  cached_tokens: number | null;
  logged_cost: number | null;
  u_requests: bigint;
  u_prompt: number | null;
  u_completion: number | null;
  u_reasoning: number | null;
  u_cached: number | null;
};

const tokenSums = (prefix: string, filter: string): string => `
  sum(coalesce(r.prompt_tokens, p.context_tokens)) ${filter}::DOUBLE AS ${prefix}prompt${prefix ? '' : '_tokens'},
  sum(coalesce(r.completion_tokens, 0)) ${filter}::DOUBLE AS ${prefix}completion${prefix ? '' : '_tokens'},
  sum(coalesce(r.reasoning_tokens, 0)) ${filter}::DOUBLE AS ${prefix}reasoning${prefix ? '' : '_tokens'},
  sum(coalesce(r.cached_tokens, 0)) ${filter}::DOUBLE AS ${prefix}cached${prefix ? '' : '_tokens'}`;

/**
 * The profile buckets of every classified request, aggregated over the join of requests and
 * profiles (of one feature when $1 is not null). reportCache.ts stores this in `report_buckets`.
 *
 * The join carries each profile as its key's hash (`pk`) and its context tokens only, and the
 * profile columns are joined back per bucket from one row per distinct key (`d`): joining whole
 * profile rows made DuckDB's hash table of 10M requests outgrow the 1 GB memory limit and spill
 * (storing report_buckets in an analyze into 10M requests: 8.5 s, now 3.4 s; the same buckets,
 * docs/PERFORMANCE_LOG.md "Seventeenth pass"). All rows of one key have the same rounded profile,
 * so any of them gives its columns.
 */
export const BUCKETS_SQL = `
  WITH p AS (
    SELECT request_id, context_tokens, hash(${profileKey('profiles')}) AS pk FROM profiles
  ), j AS (
    SELECT r.feature, r.model, p.pk, ${effortBucket('r')} AS effort,
      count(*) AS requests,
      count(*) FILTER (WHERE NOT r.has_prompt_text) AS metadata_only,
      max(p.context_tokens) AS context_tokens,
      max(p.context_tokens + coalesce(r.completion_tokens, 0)) AS max_context_tokens,
      ${tokenSums('', '')},
      sum(r.cost_usd) AS logged_cost,
      count(*) FILTER (WHERE r.cost_usd IS NULL) AS u_requests,
      ${tokenSums('u_', 'FILTER (WHERE r.cost_usd IS NULL)')}
    FROM requests r JOIN p USING (request_id)
    WHERE $1::VARCHAR IS NULL OR r.feature = $1::VARCHAR
    GROUP BY ALL
  ), d AS (
    SELECT DISTINCT ON (pk) hash(${profileKey('profiles')}) AS pk, task_type, domain, output_format, structured_output, needs_tools,
      multimodal, reasoning, complexity, policy_sensitivity, latency_sensitivity, safety_risk, context_tokens
    FROM profiles
  )
  SELECT hash(j.feature, j.model, ${profileKey('d')}, j.effort) AS bucket_id, ${bucketColumns('j', 'd', 'j.effort')},
    j.* EXCLUDE (feature, model, pk, effort)
  FROM j JOIN d USING (pk)`;

/**
 * Where the report's aggregates are read from: `live` computes them from requests and profiles,
 * `cached` reads the stored copy (report_buckets, report_features) that reportCache.ts keeps
 * current. Both give the same rows in the same order.
 */
export type AggregateSource = 'live' | 'cached';

/** Profile buckets of every classified request (of one feature when given), aggregated in DuckDB. */
export async function profileBuckets(db: PnyxDb, feature?: string, source: AggregateSource = 'live'): Promise<StoredBucket[]> {
  const from = source === 'cached' ? 'SELECT * FROM report_buckets WHERE $1::VARCHAR IS NULL OR feature = $1::VARCHAR' : BUCKETS_SQL;
  const cols = (await db.columns(`SELECT * FROM (${from}) ORDER BY feature, model, bucket_id`, [feature ?? null])) as { [K in keyof BucketRow]: BucketRow[K][] };
  const num = (v: number | bigint | null): number => (v === null ? 0 : Number(v));
  const out: StoredBucket[] = [];
  for (let i = 0; i < cols.bucket_id.length; i++) {
    const profile: CapabilityProfile = {
      task_type: cols.task_type[i] as TaskType,
      domain: cols.domain[i] as Domain,
      reasoning: cols.reasoning[i]!,
      output_format: cols.output_format[i] as OutputFormat,
      structured_output: cols.structured_output[i]!,
      latency_sensitivity: cols.latency_sensitivity[i]!,
      safety_risk: cols.safety_risk[i]!,
      policy_sensitivity: cols.policy_sensitivity[i]!,
      context_tokens: num(cols.context_tokens[i]!),
      needs_tools: cols.needs_tools[i]!,
      multimodal: cols.multimodal[i]!,
      language: 'und',
      complexity: cols.complexity[i]!,
      signals: [],
    };
    const requests = num(cols.requests[i]!);
    out.push({
      bucket_id: BigInt(cols.bucket_id[i]!),
      feature: cols.feature[i]!,
      model: cols.model[i]!,
      requests,
      metadata_only: num(cols.metadata_only[i]!),
      profile,
      max_context_tokens: num(cols.max_context_tokens[i]!),
      tokens: {
        requests,
        prompt_tokens: num(cols.prompt_tokens[i]!),
        completion_tokens: num(cols.completion_tokens[i]!),
        reasoning_tokens: num(cols.reasoning_tokens[i]!),
        cached_tokens: num(cols.cached_tokens[i]!),
      },
      logged_cost_usd: num(cols.logged_cost[i]!),
      unlogged: {
        requests: num(cols.u_requests[i]!),
        prompt_tokens: num(cols.u_prompt[i]!),
        completion_tokens: num(cols.u_completion[i]!),
        reasoning_tokens: num(cols.u_reasoning[i]!),
        cached_tokens: num(cols.u_cached[i]!),
      },
    });
  }
  return out;
}

export interface FeatureFacts {
  feature: string;
  requests: number;
  classified: number;
  ttft_p95_ms: number | null;
  latency_p95_ms: number | null;
  first_ts: Date | null;
  last_ts: Date | null;
  /**
   * The `--sample` rate its stored requests were kept at (1: not sampled): n / Σ 1/rate over its
   * requests, so a month's cost scales by 1 / this exactly when one rate applies, and by the
   * rates' weights when runs at different rates hold the feature's requests.
   */
  ingest_rate: number;
  profile: {
    task_types: { value: string; share: number }[];
    domains: { value: string; share: number }[];
    output_formats: { value: string; share: number }[];
    reasoning_mean: number | null;
    complexity_mean: number | null;
    policy_sensitivity_mean: number | null;
    latency_sensitivity_mean: number | null;
    structured_output_share: number | null;
    tools_share: number | null;
    context_tokens_p50: number | null;
    context_tokens_p95: number | null;
  };
}

type Counts = { key: string; value: number | bigint }[] | null;

type FactsRow = {
  feature: string;
  requests: number;
  classified: number | null;
  ttft_p95: number | null;
  latency_p95: number | null;
  first_ts: Date | null;
  last_ts: Date | null;
  ingest_rate: number;
  task_types: Counts;
  domains: Counts;
  output_formats: Counts;
  reasoning: number | null;
  complexity: number | null;
  policy: number | null;
  latency: number | null;
  structured: number | null;
  tools: number | null;
  ctx: number[] | null;
};

/** Per feature: traffic and the summary of its profiles (FeatureFacts). reportCache.ts stores this in `report_features`. */
export const FACTS_SQL = `
  WITH w AS (
    -- One rate per file run (grouped: a join must never repeat a request).
    SELECT ingested_at, min(sample_rate) AS rate FROM ingest_runs GROUP BY ingested_at
  ), t AS (
    SELECT feature, count(*) AS requests, quantile_cont(ttft_ms, 0.95) AS ttft_p95, quantile_cont(latency_ms, 0.95) AS latency_p95,
           min(ts) AS first_ts, max(ts) AS last_ts, count(*) / sum(1 / coalesce(w.rate, 1)) AS ingest_rate
    FROM requests LEFT JOIN w USING (ingested_at) GROUP BY feature
  ), c AS (
    SELECT r.feature, count(*) AS classified,
      histogram(p.task_type) AS task_types, histogram(p.domain) AS domains, histogram(p.output_format) AS output_formats,
      avg(p.reasoning) AS reasoning, avg(p.complexity) AS complexity, avg(p.policy_sensitivity) AS policy,
      avg(p.latency_sensitivity) AS latency, avg(p.structured_output::INTEGER) AS structured, avg(p.needs_tools::INTEGER) AS tools,
      quantile_cont(p.context_tokens, [0.5, 0.95]) AS ctx
    FROM requests r JOIN profiles p USING (request_id)
    GROUP BY r.feature
  )
  SELECT t.*, c.* EXCLUDE (feature) FROM t LEFT JOIN c USING (feature)`;

/**
 * Per feature: traffic, latency, time span and a summary of the profiles, aggregated in DuckDB.
 * The traffic side reads `requests` alone; the profile side is one pass over the join (value
 * counts by `histogram`), so 1M requests cost one hash join, not one per dimension.
 */
export async function featureFacts(db: PnyxDb, source: AggregateSource = 'live'): Promise<FeatureFacts[]> {
  const from = source === 'cached' ? 'SELECT * FROM report_features' : FACTS_SQL;
  const rows = await db.all<FactsRow>(`SELECT * FROM (${from}) ORDER BY requests DESC, feature`);
  // The three most frequent values (ties by value), as shares of the classified requests.
  const shares = (l: Counts, total: number) =>
    (l ?? [])
      .map((x) => ({ value: x.key, n: Number(x.value) }))
      .sort((a, b) => b.n - a.n || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, 3)
      .map((x) => ({ value: x.value, share: total ? x.n / total : 0 }));
  return rows.map((r) => {
    const classified = r.classified ?? 0;
    return {
      feature: r.feature,
      requests: r.requests,
      classified,
      ttft_p95_ms: r.ttft_p95,
      latency_p95_ms: r.latency_p95,
      first_ts: r.first_ts,
      last_ts: r.last_ts,
      ingest_rate: r.ingest_rate,
      profile: {
        task_types: shares(r.task_types, classified),
        domains: shares(r.domains, classified),
        output_formats: shares(r.output_formats, classified),
        reasoning_mean: r.reasoning,
        complexity_mean: r.complexity,
        policy_sensitivity_mean: r.policy,
        latency_sensitivity_mean: r.latency,
        structured_output_share: r.structured,
        tools_share: r.tools,
        context_tokens_p50: r.ctx?.[0] ?? null,
        context_tokens_p95: r.ctx?.[1] ?? null,
      },
    };
  });
}

/** The stored features, sorted (cheap: for matching `--feature` and the no-data check). */
export async function featureNames(db: PnyxDb): Promise<string[]> {
  return (await db.all<{ feature: string }>('SELECT DISTINCT feature FROM requests ORDER BY feature')).map((r) => r.feature);
}

/** How many requests are stored. */
export async function requestCount(db: PnyxDb): Promise<number> {
  return Number((await db.one<{ n: number | bigint }>('SELECT count(*) AS n FROM requests'))!.n);
}

/** The time span of all stored requests (the sample's window). */
export async function logWindow(db: PnyxDb): Promise<{ from: Date | null; to: Date | null }> {
  const r = await db.one<{ f: Date | null; t: Date | null }>('SELECT min(ts) AS f, max(ts) AS t FROM requests');
  return { from: r?.f ?? null, to: r?.t ?? null };
}
