/**
 * Writes fixtures/gateways/: small, deterministic sample exports of the CRM platform's traffic
 * as four gateways/observability tools write them, field names as in each tool's own schema
 * (README, "Gateway exports", lists the sources). Run: `npx tsx scripts/gen-gateway-fixtures.ts`.
 * The Langfuse Parquet file is written through DuckDB, as a blob-storage export would be.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const OUT = resolve(import.meta.dirname, '../fixtures/gateways');

// ---------- deterministic randomness ----------
let seed = 0x5eed_2025;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const around = (mean: number, spread = 0.35) => Math.max(1, Math.round(mean * (1 - spread + 2 * spread * rand())));
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const alnum = (n: number) => Array.from({ length: n }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'[Math.floor(rand() * 56)]).join('');

// ---------- the CRM platform ----------
interface Feature {
  name: string;
  /** OpenRouter slug, provider, LiteLLM deployment name, public alias, served snapshot. */
  slug: string;
  provider: string;
  deployment: string;
  alias: string;
  snapshot: string;
  price: [number, number];
  tokens: [number, number];
  latencyMs: number;
  stream: boolean;
  system: string;
  prompts: string[];
  responseFormat?: object;
  tools?: object[];
}

const FEATURES: Feature[] = [
  {
    name: 'email_autocomplete', slug: 'anthropic/claude-sonnet-4.5', provider: 'anthropic', deployment: 'claude-sonnet-4-5-20250929', alias: 'claude-sonnet-4-5', snapshot: 'claude-sonnet-4-5-20250929',
    price: [3, 15], tokens: [320, 45], latencyMs: 950, stream: true,
    system: 'You complete the sales rep\'s email draft. Continue the current sentence in the same tone. Reply with the continuation only.',
    prompts: ['Hi Dana, thanks for the call today. As discussed, I', 'Following up on the renewal quote I sent last week, I wanted to', 'Great meeting you at the summit! I\'d love to set up'],
  },
  {
    name: 'record_summarization', slug: 'openai/gpt-5', provider: 'openai', deployment: 'gpt-5-2025-08-07', alias: 'gpt-5', snapshot: 'gpt-5-2025-08-07',
    price: [1.25, 10], tokens: [2600, 280], latencyMs: 6200, stream: false,
    system: 'Summarize the CRM account record for an account executive in five bullet points: status, open opportunities, last contact, risks, next step.',
    prompts: ['Account: Northwind Traders. Industry: logistics. ARR $184k. Opportunities: Expansion (stage 3, $60k), Support add-on (stage 1). Last activity: QBR 2025-11-03, champion left company. Notes: ...', 'Account: Contoso Health. ARR $92k. Open ticket volume up 40% this quarter. Renewal in 45 days. Notes from last three calls: ...'],
  },
  {
    name: 'support_ticket_drafting', slug: 'openai/gpt-5-mini', provider: 'openai', deployment: 'gpt-5-mini-2025-08-07', alias: 'gpt-5-mini', snapshot: 'gpt-5-mini-2025-08-07',
    price: [0.25, 2], tokens: [1300, 420], latencyMs: 4100, stream: true,
    system: 'Draft a reply to the customer ticket in the company voice. Follow the refund and escalation policy below exactly. Never promise credits above $500 without a manager.',
    prompts: ['Ticket #48213: "Our sync to Salesforce has failed three nights in a row and the sales team is blind. This is unacceptable."', 'Ticket #48250: "How do I export my contacts to CSV?"', 'Ticket #48297: "We were double charged in October, please refund the duplicate invoice INV-2291."'],
  },
  {
    name: 'lead_scoring_analysis', slug: 'deepseek/deepseek-v3.2', provider: 'deepseek', deployment: 'deepseek-chat', alias: 'deepseek-v3.2', snapshot: 'deepseek-v3.2',
    price: [0.28, 0.42], tokens: [1900, 520], latencyMs: 7800, stream: false,
    system: 'Score the lead from 0 to 100 for fit and intent. Weigh firmographics, engagement and buying signals; explain the two strongest factors. Answer in JSON.',
    prompts: ['Lead: VP Operations at a 1,200-employee freight company; visited pricing page 6 times; downloaded the ROI guide; competitor contract ends in Q1.', 'Lead: student email, signed up for free trial, no activity after day 1.'],
    responseFormat: { type: 'json_schema', json_schema: { name: 'lead_score', schema: { type: 'object', properties: { score: { type: 'integer' }, factors: { type: 'array', items: { type: 'string' } } }, required: ['score', 'factors'] } } },
  },
  {
    name: 'pipeline_forecast_narratives', slug: 'openai/gpt-5-mini', provider: 'openai', deployment: 'gpt-5-mini-2025-08-07', alias: 'gpt-5-mini', snapshot: 'gpt-5-mini-2025-08-07',
    price: [0.25, 2], tokens: [3200, 850], latencyMs: 9800, stream: false,
    system: 'Write the quarterly pipeline forecast narrative for the CRO: commit vs. best case, slipped deals and why, coverage ratio, and the three deals that decide the quarter.',
    prompts: ['Q4 pipeline snapshot: commit $4.1M, best case $5.6M, closed $2.2M. Slipped: Fabrikam ($480k, legal), Tailspin ($210k, budget freeze). Coverage 2.7x. Stage-weighted table follows: ...'],
  },
  {
    name: 'nl_report_generation', slug: 'anthropic/claude-sonnet-4.5', provider: 'anthropic', deployment: 'claude-sonnet-4-5-20250929', alias: 'claude-sonnet-4-5', snapshot: 'claude-sonnet-4-5-20250929',
    price: [3, 15], tokens: [2100, 1150], latencyMs: 12400, stream: true,
    system: 'Turn the user\'s question into a CRM report. Use the run_report tool to query data, then explain the result in plain language.',
    prompts: ['Which reps closed more than $100k last quarter, and how does their win rate compare to the team average?', 'Show me churned accounts this year by industry and the most common churn reason.'],
    tools: [{ type: 'function', function: { name: 'run_report', description: 'Run a CRM report query', parameters: { type: 'object', properties: { object: { type: 'string' }, filters: { type: 'array' }, group_by: { type: 'string' } }, required: ['object'] } } }],
  },
  {
    name: 'data_enrichment', slug: 'google/gemini-2.0-flash-001', provider: 'gemini', deployment: 'gemini-2.0-flash-001', alias: 'gemini-2.0-flash', snapshot: 'gemini-2.0-flash-001',
    price: [0.1, 0.4], tokens: [640, 160], latencyMs: 1300, stream: false,
    system: 'Extract company fields from the web snippet: legal name, industry, employee range, HQ country. Call set_fields with what you find; leave unknown fields out.',
    prompts: ['Snippet: "Tailspin Toys Ltd. — makers of educational toys since 1998, 250+ employees, headquartered in Leeds, UK."', 'Snippet: "Fourth Coffee is a specialty roaster with cafes in Seattle and Portland."'],
    tools: [{ type: 'function', function: { name: 'set_fields', parameters: { type: 'object', properties: { legal_name: { type: 'string' }, industry: { type: 'string' }, employees: { type: 'string' }, hq_country: { type: 'string' } } } } }],
  },
];
const TENANTS = ['acme-corp', 'globex', 'initech', 'umbrella-health', 'stark-logistics'];
const START = Date.UTC(2025, 10, 17, 7, 0, 0); // Mon 2025-11-17 07:00 UTC
const WEEK_MS = 7 * 24 * 3600 * 1000;

interface Call {
  f: Feature;
  tenant: string;
  user: string;
  at: Date;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  latencyMs: number;
  ttftMs: number | null;
  cost: number;
  finish: string;
  prompt: string;
}

function makeCall(i: number, n: number): Call {
  const f = FEATURES[i % FEATURES.length]!;
  const promptTokens = around(f.tokens[0]);
  const completionTokens = around(f.tokens[1]);
  const cachedTokens = rand() < 0.4 ? Math.round(promptTokens * 0.6) : 0;
  const reasoningTokens = f.slug === 'openai/gpt-5' ? around(180) : 0;
  const latencyMs = around(f.latencyMs, 0.5);
  const cost = +(((promptTokens - cachedTokens) * f.price[0] + cachedTokens * f.price[0] * 0.1 + (completionTokens + reasoningTokens) * f.price[1]) / 1e6).toFixed(7);
  return {
    f,
    tenant: pick(TENANTS),
    user: `usr_${hex(6)}`,
    at: new Date(START + Math.floor((i / n) * WEEK_MS) + Math.floor(rand() * 600_000)),
    promptTokens,
    completionTokens,
    cachedTokens,
    reasoningTokens,
    latencyMs,
    ttftMs: f.stream ? Math.min(latencyMs - 1, around(Math.min(700, latencyMs / 4))) : null,
    cost,
    finish: f.tools && rand() < 0.7 ? 'tool_calls' : rand() < 0.06 ? 'length' : 'stop',
    prompt: pick(f.prompts),
  };
}
const calls = (n: number) => Array.from({ length: n }, (_, i) => makeCall(i, n));
const messagesOf = (c: Call) => [{ role: 'system', content: c.f.system }, { role: 'user', content: c.prompt }];
const requestBody = (c: Call, model: string) => ({
  model,
  messages: messagesOf(c),
  ...(c.f.stream ? { stream: true } : {}),
  max_tokens: c.f.tokens[1] * 3,
  temperature: c.f.name === 'email_autocomplete' ? 0.4 : 0.2,
  ...(c.f.tools ? { tools: c.f.tools } : {}),
  ...(c.f.responseFormat ? { response_format: c.f.responseFormat } : {}),
});
const iso = (d: Date) => d.toISOString();
/** Postgres `timestamp(3)` as psql prints it in CSV. */
const pgTs = (d: Date) => iso(d).replace('T', ' ').replace('Z', '');
/** Langfuse blob export timestamps: `YYYY-MM-DD HH:MM:SS.ffffff` UTC. */
const lfTs = (d: Date) => `${iso(d).replace('T', ' ').slice(0, 23)}000`;
const later = (d: Date, ms: number) => new Date(d.getTime() + ms);

function csv(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

// ---------- OpenRouter: GET /api/v1/generation?id= responses, and the team's own request log ----------
const APP_IDS: Record<string, number> = Object.fromEntries(FEATURES.map((f, i) => [f.name, 184_201 + i * 17]));
function openrouter(): { generations: object[]; requests: object[] } {
  const generations: object[] = [];
  const requests: object[] = [];
  calls(28).forEach((c, i) => {
    const id = `gen-${Math.floor(c.at.getTime() / 1000)}-${alnum(20)}`;
    const provider = { anthropic: pick(['Anthropic', 'Amazon Bedrock', 'Google']), openai: 'OpenAI', deepseek: pick(['DeepSeek', 'DeepInfra', 'Novita']), gemini: 'Google AI Studio' }[c.f.provider]!;
    generations.push({
      data: {
        id,
        upstream_id: c.f.provider === 'openai' ? `chatcmpl-${alnum(29)}` : `msg_${alnum(24)}`,
        total_cost: c.cost,
        cache_discount: c.cachedTokens > 0 ? +(c.cachedTokens * c.f.price[0] * 0.9 / 1e6).toFixed(7) : null,
        upstream_inference_cost: null,
        created_at: iso(c.at).replace('Z', '+00:00'),
        model: c.f.slug,
        app_id: APP_IDS[c.f.name],
        streamed: c.f.stream,
        cancelled: false,
        provider_name: provider,
        latency: c.latencyMs,
        moderation_latency: null,
        generation_time: c.latencyMs - around(40),
        finish_reason: c.finish,
        tokens_prompt: Math.round(c.promptTokens * 0.97),
        tokens_completion: Math.round(c.completionTokens * 0.98),
        native_tokens_prompt: c.promptTokens,
        native_tokens_completion: c.completionTokens,
        native_tokens_completion_images: 0,
        native_tokens_reasoning: c.reasoningTokens,
        native_tokens_cached: c.cachedTokens,
        num_media_prompt: null,
        num_input_audio_prompt: null,
        num_media_completion: 0,
        num_search_results: null,
        origin: 'https://crm.example.com/',
        usage: c.cost,
        is_byok: false,
        native_finish_reason: c.finish === 'stop' && c.f.provider === 'anthropic' ? 'end_turn' : c.finish,
        external_user: c.user,
        api_type: 'completions',
        router: null,
        data_region: 'global',
      },
    });
    // The team logs its own requests; the log started mid-week, so the first third has no match.
    if (i >= 9) {
      requests.push({
        request_id: `req_${hex(16)}`,
        timestamp: iso(c.at),
        metadata: { feature: c.f.name, tenant_id: c.tenant },
        request: { ...requestBody(c, c.f.slug), user: c.user },
        response: { id, model: c.f.slug, choices: [{ index: 0, finish_reason: c.finish, message: { role: 'assistant', content: '…' } }] },
      });
    }
  });
  return { generations, requests };
}

// ---------- LiteLLM: rows of LiteLLM_SpendLogs ----------
/** psql CSV prints `timestamp(3)` columns bare; the /spend/logs API returns ISO strings. */
function litellm(withPrompts: boolean, n: number, ts: (d: Date) => string): Record<string, unknown>[] {
  return calls(n).map((c, i) => {
    const end = later(c.at, c.latencyMs);
    const tagStyle = i % 4;
    const tags = tagStyle === 3 ? [] : [`feature:${c.f.name}`, 'env:prod', ...(i % 5 === 0 ? ['User-Agent: OpenAI/Python 1.54.4'] : [])];
    const spendLogsMetadata = tagStyle === 3 ? { feature: c.f.name, tenant_id: c.tenant } : { tenant_id: c.tenant };
    const body = requestBody(c, c.f.alias);
    return {
      request_id: `chatcmpl-${uuid()}`,
      call_type: 'acompletion',
      api_key: hex(64),
      spend: c.cost,
      total_tokens: c.promptTokens + c.completionTokens,
      prompt_tokens: c.promptTokens,
      completion_tokens: c.completionTokens,
      startTime: ts(c.at),
      endTime: ts(end),
      request_duration_ms: c.latencyMs,
      completionStartTime: ts(c.ttftMs !== null ? later(c.at, c.ttftMs) : end),
      model: c.f.deployment,
      model_id: hex(64).slice(0, 36),
      model_group: c.f.alias,
      custom_llm_provider: c.f.provider,
      api_base: { anthropic: 'https://api.anthropic.com/v1/messages', openai: 'https://api.openai.com', deepseek: 'https://api.deepseek.com/beta', gemini: 'https://generativelanguage.googleapis.com' }[c.f.provider],
      user: 'svc-crm-backend',
      metadata: {
        user_api_key: hex(64),
        user_api_key_alias: 'crm-prod',
        user_api_key_team_id: uuid(),
        user_api_key_org_id: null,
        user_api_key_user_id: 'svc-crm-backend',
        user_api_key_team_alias: 'crm-platform',
        spend_logs_metadata: spendLogsMetadata,
        requester_ip_address: '',
        applied_guardrails: [],
        status: 'success',
        additional_usage_values: {
          completion_tokens_details: c.reasoningTokens ? { reasoning_tokens: c.reasoningTokens } : null,
          prompt_tokens_details: { cached_tokens: c.cachedTokens },
        },
      },
      cache_hit: 'False',
      cache_key: 'Cache OFF',
      request_tags: tags,
      team_id: 'b1f7c2de-crm-platform',
      organization_id: null,
      end_user: c.tenant,
      requester_ip_address: '',
      messages: withPrompts ? messagesOf(c) : {},
      response: withPrompts ? { id: `chatcmpl-${alnum(24)}`, choices: [{ index: 0, finish_reason: c.finish, message: { role: 'assistant', content: '…' } }] } : {},
      session_id: uuid(),
      status: 'success',
      mcp_namespaced_tool_name: null,
      agent_id: null,
      proxy_server_request: withPrompts ? { ...body, metadata: { tags } } : {},
    };
  });
}
const LITELLM_COLUMNS = [
  'request_id', 'call_type', 'api_key', 'spend', 'total_tokens', 'prompt_tokens', 'completion_tokens', 'startTime', 'endTime', 'request_duration_ms',
  'completionStartTime', 'model', 'model_id', 'model_group', 'custom_llm_provider', 'api_base', 'user', 'metadata', 'cache_hit', 'cache_key', 'request_tags',
  'team_id', 'organization_id', 'end_user', 'requester_ip_address', 'messages', 'response', 'session_id', 'status', 'mcp_namespaced_tool_name', 'agent_id', 'proxy_server_request',
];

// ---------- Langfuse: enriched observations (blob-storage export) ----------
function langfuse(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  calls(30).forEach((c, i) => {
    const traceId = hex(32);
    const traceName = c.f.name;
    const tags = ['prod', `tenant:${c.tenant}`];
    const common = { trace_id: traceId, project_id: 'cm3crmprod0001', environment: 'production', user_id: c.user, session_id: `sess_${hex(10)}`, trace_name: traceName, tags, release: 'v2025.11.3', bookmarked: false, public: false, version: '', created_at: lfTs(c.at), updated_at: lfTs(later(c.at, c.latencyMs + 1200)) };
    const spanId = hex(16);
    if (i % 3 === 0) {
      rows.push({ id: spanId, type: 'SPAN', parent_observation_id: '', start_time: lfTs(later(c.at, -120)), end_time: lfTs(later(c.at, c.latencyMs + 60)), name: `${c.f.name}.handler`, metadata: {}, level: 'DEFAULT', status_message: '', input: '', output: '', provided_model_name: '', model_parameters: '', usage_details: {}, cost_details: {}, completion_start_time: null, prompt_name: '', prompt_version: null, total_cost: 0, latency: (c.latencyMs + 180) / 1000, time_to_first_token: null, model_id: '', prompt_id: '', tool_calls: [], tool_call_names: [], tool_definitions: {}, ...common });
    }
    const end = later(c.at, c.latencyMs);
    const inputCost = +(c.promptTokens * c.f.price[0] / 1e6).toFixed(8);
    const outputCost = +((c.completionTokens + c.reasoningTokens) * c.f.price[1] / 1e6).toFixed(8);
    rows.push({
      id: hex(16),
      type: 'GENERATION',
      parent_observation_id: i % 3 === 0 ? spanId : '',
      start_time: lfTs(c.at),
      end_time: lfTs(end),
      name: c.f.provider === 'anthropic' ? 'anthropic.messages' : 'OpenAI-generation',
      // A few traces are named generically; their feature is in the observation metadata instead.
      metadata: i % 7 === 3 ? { feature: c.f.name, tenant_id: c.tenant } : { tenant_id: c.tenant },
      level: i === 13 ? 'ERROR' : 'DEFAULT',
      status_message: i === 13 ? 'Error code: 529 - overloaded_error' : '',
      input: JSON.stringify(messagesOf(c)),
      output: JSON.stringify({ role: 'assistant', content: '…' }),
      provided_model_name: c.f.snapshot,
      model_parameters: JSON.stringify({ temperature: '0.2', max_tokens: String(c.f.tokens[1] * 3), ...(c.f.responseFormat ? { response_format: JSON.stringify(c.f.responseFormat) } : {}) }),
      usage_details: { input: c.promptTokens - c.cachedTokens, input_cached_tokens: c.cachedTokens, output: c.completionTokens, ...(c.reasoningTokens ? { output_reasoning_tokens: c.reasoningTokens } : {}), total: c.promptTokens + c.completionTokens + c.reasoningTokens },
      cost_details: { input: inputCost, output: outputCost, total: +(inputCost + outputCost).toFixed(8) },
      completion_start_time: c.ttftMs !== null ? lfTs(later(c.at, c.ttftMs)) : null,
      prompt_name: '',
      prompt_version: null,
      total_cost: +(inputCost + outputCost).toFixed(8),
      latency: c.latencyMs / 1000,
      time_to_first_token: c.ttftMs !== null ? c.ttftMs / 1000 : null,
      model_id: `cm${hex(20)}`,
      prompt_id: '',
      tool_calls: [],
      tool_call_names: c.finish === 'tool_calls' ? [(c.f.tools![0] as { function: { name: string } }).function.name] : [],
      tool_definitions: c.f.tools ? Object.fromEntries(c.f.tools.map((t) => [(t as { function: { name: string } }).function.name, t])) : {},
      ...common,
      ...(i % 7 === 3 ? { trace_name: 'POST /api/ai' } : {}),
    });
    if (i % 5 === 1) {
      rows.push({ id: hex(16), type: 'EVENT', parent_observation_id: '', start_time: lfTs(end), end_time: null, name: 'guardrail.pii_check', metadata: { passed: 'true' }, level: 'DEFAULT', status_message: '', input: '', output: '', provided_model_name: '', model_parameters: '', usage_details: {}, cost_details: {}, completion_start_time: null, prompt_name: '', prompt_version: null, total_cost: 0, latency: null, time_to_first_token: null, model_id: '', prompt_id: '', tool_calls: [], tool_call_names: [], tool_definitions: {}, ...common });
    }
  });
  return rows;
}

/** The Generations table exported from the Langfuse UI as JSON: camelCase, `model`, `usage`. */
function langfuseUi(): object[] {
  return calls(12).map((c) => ({
    id: hex(16),
    traceId: hex(32),
    name: 'chat',
    type: 'GENERATION',
    model: c.f.snapshot,
    startTime: iso(c.at),
    endTime: iso(later(c.at, c.latencyMs)),
    completionStartTime: c.ttftMs !== null ? iso(later(c.at, c.ttftMs)) : null,
    input: messagesOf(c),
    output: { role: 'assistant', content: '…' },
    modelParameters: { temperature: 0.2 },
    usage: { input: c.promptTokens, output: c.completionTokens, total: c.promptTokens + c.completionTokens, unit: 'TOKENS' },
    totalCost: c.cost,
    level: 'DEFAULT',
    metadata: { feature: c.f.name, tenant_id: c.tenant },
    tags: ['prod'],
  }));
}

// ---------- Helicone: @helicone/export rows ----------
function helicone(withBodies: boolean, n: number): Record<string, unknown>[] {
  return calls(n).map((c, i) => {
    const reqId = uuid();
    const props: Record<string, string> = { feature: c.f.name, tenant: c.tenant, environment: 'production' };
    if (i % 6 === 5) delete props.feature; // a caller that forgot the Helicone-Property-Feature header
    return {
      response_id: uuid(),
      response_created_at: iso(later(c.at, c.latencyMs)),
      response_body: withBodies ? { id: `chatcmpl-${alnum(24)}`, model: c.f.snapshot, choices: [{ index: 0, finish_reason: c.finish, message: { role: 'assistant', content: '…' } }], usage: { prompt_tokens: c.promptTokens, completion_tokens: c.completionTokens, prompt_tokens_details: { cached_tokens: c.cachedTokens }, completion_tokens_details: { reasoning_tokens: c.reasoningTokens } } } : undefined,
      response_status: i === 11 ? 429 : 200,
      response_model: c.f.snapshot,
      request_id: reqId,
      request_created_at: iso(c.at),
      request_body: withBodies ? requestBody(c, c.f.alias) : {},
      request_path: c.f.provider === 'anthropic' ? 'https://anthropic.helicone.ai/v1/messages' : 'https://oai.helicone.ai/v1/chat/completions',
      request_user_id: c.user,
      request_properties: props,
      request_model: c.f.alias,
      model_override: null,
      helicone_user: 'f3c1d2e4-9a7b-4c1e-8d2f-00crmprod',
      provider: c.f.provider.toUpperCase(),
      delay_ms: c.latencyMs,
      time_to_first_token: c.ttftMs,
      total_tokens: c.promptTokens + c.completionTokens,
      prompt_tokens: c.promptTokens,
      prompt_cache_write_tokens: 0,
      prompt_cache_read_tokens: c.cachedTokens,
      completion_tokens: c.completionTokens,
      prompt_id: null,
      feedback_created_at: null,
      feedback_id: null,
      feedback_rating: null,
      signed_body_url: withBodies ? null : `https://request-response-storage.s3.us-west-2.amazonaws.com/organizations/crm/requests/${reqId}/raw_request_response_body`,
      llmSchema: null,
      country_code: 'US',
      asset_ids: null,
      asset_urls: null,
      scores: null,
      costUSD: c.cost,
      properties: props,
      assets: [],
      target_url: c.f.provider === 'anthropic' ? 'https://api.anthropic.com' : 'https://api.openai.com',
      model: c.f.snapshot,
    };
  });
}

/** `@helicone/export --format csv`: its fixed columns, object cells quoted twice over (as the exporter does). */
function heliconeCsv(rows: Record<string, unknown>[]): string {
  const fields = ['response_id', 'response_created_at', 'response_status', 'request_created_at', 'request_body', 'request_properties', 'request_user_id', 'model', 'prompt_tokens', 'completion_tokens', 'latency', 'cost_usd'];
  const line = (item: Record<string, unknown>) =>
    fields
      .map((field) => {
        let value = item[field];
        if (typeof value === 'object' && value !== null) value = JSON.stringify(value).replace(/"/g, '""');
        if (value === undefined || value === null) return '';
        return `"${String(value).replace(/"/g, '""')}"`;
      })
      .join(',');
  return [fields.join(','), ...rows.map(line)].join('\n') + '\n';
}

async function writeParquet(rows: Record<string, unknown>[], path: string): Promise<void> {
  const tmp = `${path}.tmp.jsonl`;
  // Object columns travel as JSON text so DuckDB does not merge them into one wide struct.
  const asText = (v: unknown) => JSON.stringify(v ?? {});
  writeFileSync(tmp, jsonl(rows.map((r) => ({ ...r, metadata: asText(r.metadata), usage_details: asText(r.usage_details), cost_details: asText(r.cost_details) }))));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  // Column types as a Langfuse Parquet export has them: maps for usage/cost, lists for tags.
  await conn.run(`COPY (
    SELECT id, trace_id, project_id, environment, type, parent_observation_id,
           start_time::TIMESTAMP AS start_time, end_time::TIMESTAMP AS end_time, name,
           CAST(metadata::JSON AS MAP(VARCHAR, VARCHAR)) AS metadata, level, status_message, version, input, output,
           provided_model_name, model_parameters,
           CAST(usage_details::JSON AS MAP(VARCHAR, BIGINT)) AS usage_details,
           CAST(cost_details::JSON AS MAP(VARCHAR, DOUBLE)) AS cost_details,
           completion_start_time::TIMESTAMP AS completion_start_time, prompt_name, prompt_version,
           total_cost, latency, time_to_first_token, model_id, user_id, session_id, trace_name, tags, release
    FROM read_json($1, format = 'newline_delimited')
  ) TO '${path.replace(/'/g, "''")}' (FORMAT parquet)`, [tmp]);
  conn.closeSync();
  rmSync(tmp);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const or = openrouter();
  writeFileSync(join(OUT, 'openrouter-generations.jsonl'), jsonl(or.generations));
  writeFileSync(join(OUT, 'openrouter-requests.jsonl'), jsonl(or.requests));
  const ll = litellm(false, 36, pgTs);
  writeFileSync(join(OUT, 'litellm-spend-logs.csv'), csv(ll, LITELLM_COLUMNS));
  writeFileSync(join(OUT, 'litellm-spend-logs-prompts.json'), JSON.stringify(litellm(true, 21, iso), null, 2) + '\n');
  const lf = langfuse();
  writeFileSync(join(OUT, 'langfuse-observations.jsonl'), jsonl(lf));
  writeFileSync(join(OUT, 'langfuse-observations.csv'), csv(lf, Object.keys(lf.find((r) => r.type === 'GENERATION')!)));
  await writeParquet(lf, join(OUT, 'langfuse-observations.parquet'));
  writeFileSync(join(OUT, 'langfuse-ui-generations.json'), JSON.stringify(langfuseUi(), null, 2) + '\n');
  const hc = helicone(false, 30);
  writeFileSync(join(OUT, 'helicone-export.jsonl'), jsonl(hc));
  writeFileSync(join(OUT, 'helicone-export.csv'), heliconeCsv(hc));
  writeFileSync(join(OUT, 'helicone-export-bodies.json'), JSON.stringify(helicone(true, 14), null, 2) + '\n');
  process.stdout.write(`wrote ${OUT}\n`);
}

await main();
