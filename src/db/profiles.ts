import type { CapabilityProfile } from '../core/profile.js';
import type { ChatMessage } from '../core/request.js';
import type { ClassifierInput } from '../core/classifier/index.js';
import type { PnyxDb } from './database.js';
import type { AggregateSource } from './recommend.js';

/**
 * Whether `profiles` holds exactly the stored request ids, each once: the same count and the same
 * sum of DuckDB's 64-bit `hash` of the ids. Two scans of one table each instead of a join of both
 * (10M requests: 0.25-0.65 s against 2.4-2.7 s for the anti join). Then no profile lacks its
 * request and no request lacks a profile, which is how ingest and re-classification leave them;
 * a different set of ids passing needs a collision of the sums (~2^-64).
 */
export async function profilesMatchRequests(db: PnyxDb): Promise<boolean> {
  const r = await db.one<{ same: boolean }>(
    `SELECT (SELECT count(*) FROM requests) = (SELECT count(*) FROM profiles)
        AND (SELECT coalesce(sum(hash(request_id)), 0) FROM requests) = (SELECT coalesce(sum(hash(request_id)), 0) FROM profiles) AS same`,
  );
  return r!.same === true;
}

/** Stored requests whose profile is missing or stale (see STALE). */
export async function countStaleProfiles(db: PnyxDb, version: string): Promise<number> {
  // Every request has its one profile, all of this version: nothing is stale, and no join is needed.
  if ((await profilesMatchRequests(db)) && !(await db.one<{ other: boolean }>('SELECT EXISTS (SELECT 1 FROM profiles WHERE classifier_version <> $1) AS other', [version]))!.other) {
    return 0;
  }
  const r = await db.one<{ n: number }>(
    `SELECT count(*) AS n FROM requests r LEFT JOIN profiles p USING (request_id)
     WHERE (${STALE})`,
    [version],
  );
  return r!.n;
}

export interface StoredClassifierInput {
  request_id: string;
  input: ClassifierInput;
}

interface StoredRow {
  request_id: string;
  system_prompt: string | null;
  messages: string | null;
  tools: string | null;
  response_format: string | null;
  max_tokens: number | null;
  stream: boolean | null;
  prompt_tokens: number | null;
  has_prompt_text: boolean;
  text_kept: boolean;
}

/**
 * Which stored requests need a (new) profile: those without one, and those profiled by another
 * classifier version whose text was kept (`--store-text full|redacted`). A request stored with
 * `hash` or `none` keeps the profile made from its original text at ingest: re-classifying it
 * from fingerprints or nothing would only make it worse. ($1 = the classifier version.)
 */
const STALE = `p.request_id IS NULL OR (p.classifier_version <> $1 AND coalesce(r.store_text, 'full') IN ('full', 'redacted'))`;

const parseJson = (s: string | null): unknown => (s === null ? null : JSON.parse(s));

/**
 * Pages through stale requests (keyset pagination by request_id), yielding the classifier's
 * input as stored (i.e. after any storage-time masking: redacted text is what gets classified).
 */
export async function* staleRequests(db: PnyxDb, version: string, pageSize = 4096): AsyncGenerator<StoredClassifierInput[]> {
  let last = '';
  for (;;) {
    const rows = await db.all<StoredRow & Record<string, unknown>>(
      `SELECT r.request_id, r.system_prompt, CAST(r.messages AS VARCHAR) AS messages, CAST(r.tools AS VARCHAR) AS tools,
              CAST(r.response_format AS VARCHAR) AS response_format, r.max_tokens, r.stream, r.prompt_tokens, r.has_prompt_text,
              coalesce(r.store_text, 'full') IN ('full', 'redacted') AS text_kept
       FROM requests r LEFT JOIN profiles p USING (request_id)
       WHERE (${STALE}) AND r.request_id > $2
       ORDER BY r.request_id LIMIT $3`,
      [version, last, pageSize],
    );
    if (rows.length === 0) return;
    last = rows[rows.length - 1]!.request_id;
    yield rows.map((r) => ({
      request_id: r.request_id,
      // Without kept text (hash/none), only the metadata can be classified.
      input: {
        system_prompt: r.text_kept ? r.system_prompt : null,
        messages: r.text_kept ? ((parseJson(r.messages) as ChatMessage[] | null) ?? []) : [],
        tools: parseJson(r.tools) as unknown[] | null,
        response_format: parseJson(r.response_format),
        max_tokens: r.max_tokens,
        stream: r.stream,
        prompt_tokens: r.prompt_tokens,
        has_prompt_text: r.text_kept && r.has_prompt_text,
      },
    }));
  }
}

export interface ExplainedRequest {
  request_id: string;
  feature: string;
  model: string;
  ts: Date | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: number | null;
  latency_ms: number | null;
  system_prompt: string | null;
  messages: string | null;
  profile: (CapabilityProfile & { classifier_version: string }) | null;
}

/** One stored request with its profile (null when it has none yet). */
export async function requestWithProfile(db: PnyxDb, requestId: string): Promise<ExplainedRequest | null> {
  const r = await db.one(
    `SELECT r.request_id, r.feature, r.model, r.ts, r.prompt_tokens, r.completion_tokens, r.cost_usd, r.latency_ms,
            r.system_prompt, CAST(r.messages AS VARCHAR) AS messages,
            p.request_id AS profiled, p.classifier_version, p.task_type, p.domain, p.reasoning, p.output_format,
            p.structured_output, p.latency_sensitivity, p.safety_risk, p.policy_sensitivity, p.context_tokens,
            p.needs_tools, p.multimodal, p.language, p.complexity, p.signals
     FROM requests r LEFT JOIN profiles p USING (request_id) WHERE r.request_id = $1`,
    [requestId],
  );
  if (!r) return null;
  const profile =
    r.profiled === null
      ? null
      : {
          classifier_version: r.classifier_version as string,
          task_type: r.task_type,
          domain: r.domain,
          reasoning: r.reasoning,
          output_format: r.output_format,
          structured_output: r.structured_output,
          latency_sensitivity: r.latency_sensitivity,
          safety_risk: r.safety_risk,
          policy_sensitivity: r.policy_sensitivity,
          context_tokens: r.context_tokens,
          needs_tools: r.needs_tools,
          multimodal: r.multimodal,
          language: r.language,
          complexity: r.complexity,
          signals: r.signals as string[],
        } as CapabilityProfile & { classifier_version: string };
  return {
    request_id: r.request_id as string,
    feature: r.feature as string,
    model: r.model as string,
    ts: (r.ts as Date | null) ?? null,
    prompt_tokens: r.prompt_tokens as number | null,
    completion_tokens: r.completion_tokens as number | null,
    cost_usd: r.cost_usd as number | null,
    latency_ms: r.latency_ms as number | null,
    system_prompt: r.system_prompt as string | null,
    messages: r.messages as string | null,
    profile,
  };
}

/**
 * Task mix per feature: the share of each task type among a feature's profiled requests. From the
 * stored aggregates (`cached`: report_buckets, which group the same join by feature and task type
 * among others) or from requests and profiles (`live`): at 10M requests the join alone took 6.1 s.
 */
export async function taskMixByFeature(
  db: PnyxDb,
  source: AggregateSource = 'live',
): Promise<Array<{ feature: string; task_type: string; n: number; share: number }>> {
  const counted =
    source === 'cached'
      ? 'SELECT feature, task_type, sum(requests)::BIGINT AS n FROM report_buckets GROUP BY feature, task_type'
      : 'SELECT r.feature, p.task_type, count(*) AS n FROM profiles p JOIN requests r USING (request_id) GROUP BY r.feature, p.task_type';
  return db.all(
    `SELECT feature, task_type, n, n / sum(n) OVER (PARTITION BY feature) AS share
     FROM (${counted})
     ORDER BY feature, n DESC, task_type`,
  );
}
