import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../../src/core/adapters/attribution.js';
import { detectAdapter } from '../../../src/core/adapters/index.js';
import { readRecord } from '../../../src/core/ingestRecord.js';

/** A LiteLLM_SpendLogs row as psql's CSV export hands it over: every cell text, JSON columns as JSON text. */
const csvRow = {
  request_id: 'chatcmpl-7f1c2b9e-1d2a-4c55-9a0e-2b8f4c1d9e77',
  call_type: 'acompletion',
  api_key: '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b',
  spend: '0.0023175',
  total_tokens: '1345',
  prompt_tokens: '1120',
  completion_tokens: '225',
  startTime: '2025-11-18 09:12:00.123',
  endTime: '2025-11-18 09:12:03.623',
  request_duration_ms: null,
  completionStartTime: '2025-11-18 09:12:00.523',
  model: 'gpt-5-mini-2025-08-07',
  model_id: 'f0c2b5e1-aaaa-bbbb-cccc-0123456789ab',
  model_group: 'gpt-5-mini',
  custom_llm_provider: 'openai',
  api_base: 'https://api.openai.com',
  user: 'svc-crm-backend',
  metadata: JSON.stringify({
    user_api_key_alias: 'crm-prod',
    user_api_key_team_alias: 'crm-platform',
    user_api_key_user_id: 'svc-crm-backend',
    spend_logs_metadata: { tenant_id: 'globex' },
    status: 'success',
    additional_usage_values: { prompt_tokens_details: { cached_tokens: 640 }, completion_tokens_details: { reasoning_tokens: 64 } },
  }),
  cache_hit: 'False',
  cache_key: 'Cache OFF',
  request_tags: JSON.stringify(['User-Agent: OpenAI/Python 1.54.4', 'feature:support_ticket_drafting', 'env:prod']),
  team_id: 'b1f7c2de-crm-platform',
  organization_id: null,
  end_user: 'globex',
  messages: '{}',
  response: '{}',
  session_id: null,
  status: 'success',
  proxy_server_request: '{}',
};

const read = (rec: unknown, opts = {}) => readRecord(rec, { mapping: DEFAULT_MAPPING, ...opts });

describe('litellm adapter', () => {
  it('maps a spend-log row without stored prompts: metadata-only, tags name the feature', () => {
    const out = read(csvRow);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.request).toStrictEqual({
      request_id: 'chatcmpl-7f1c2b9e-1d2a-4c55-9a0e-2b8f4c1d9e77',
      timestamp: new Date('2025-11-18T09:12:00.123Z'),
      feature: 'support_ticket_drafting',
      tenant_id: 'globex',
      user_id: 'svc-crm-backend',
      requested_model: 'gpt-5-mini',
      served_model: 'gpt-5-mini-2025-08-07',
      provider: 'openai',
      system_prompt: null,
      messages: [],
      has_prompt_text: false,
      tools: null,
      response_format: null,
      max_tokens: null,
      temperature: null,
      stream: null,
      prompt_tokens: 1120,
      completion_tokens: 225,
      reasoning_tokens: 64,
      cached_tokens: 640,
      cost_usd: 0.0023175,
      latency_ms: 3500,
      ttft_ms: 400,
      finish_reason: null,
      status: 'success',
      error: null,
      metadata: {
        user_api_key_alias: 'crm-prod',
        user_api_key_team_alias: 'crm-platform',
        user_api_key_user_id: 'svc-crm-backend',
        spend_logs_metadata: { tenant_id: 'globex' },
        status: 'success',
        additional_usage_values: { prompt_tokens_details: { cached_tokens: 640 }, completion_tokens_details: { reasoning_tokens: 64 } },
        call_type: 'acompletion',
        model_id: 'f0c2b5e1-aaaa-bbbb-cccc-0123456789ab',
        api_base: 'https://api.openai.com',
        cache_hit: 'False',
        team_id: 'b1f7c2de-crm-platform',
        request_tags: ['User-Agent: OpenAI/Python 1.54.4', 'feature:support_ticket_drafting', 'env:prod'],
      },
      source_format: 'litellm',
    });
  });

  it('reads stored prompts and the proxy request body when store_prompts_in_spend_logs is on', () => {
    const body = {
      model: 'gpt-5-mini',
      messages: [{ role: 'system', content: 'Draft a reply.' }, { role: 'user', content: 'Ticket #1: refund please' }],
      max_tokens: 900,
      temperature: 0.2,
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'lookup_invoice' } }],
    };
    const out = read({
      ...csvRow,
      metadata: { spend_logs_metadata: { feature: 'support_ticket_drafting' } },
      request_tags: [],
      messages: body.messages,
      response: { choices: [{ index: 0, finish_reason: 'tool_calls' }] },
      proxy_server_request: body,
    });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.request).toMatchObject({
      feature: 'support_ticket_drafting',
      system_prompt: 'Draft a reply.',
      messages: [{ role: 'user', content: 'Ticket #1: refund please', attachments: 0 }],
      has_prompt_text: true,
      tools: body.tools,
      response_format: { type: 'json_object' },
      max_tokens: 900,
      temperature: 0.2,
      finish_reason: 'tool_calls',
    });
  });

  it('reads the stored input of an embedding call (a list of strings) as its prompt text', () => {
    const out = read({ ...csvRow, call_type: 'aembedding', messages: JSON.stringify(['Acme Corp, logistics', 'Globex, energy']), completion_tokens: '0' });
    expect(out.ok && [out.request.has_prompt_text, out.request.messages]).toEqual([true, [{ role: 'user', content: 'Acme Corp, logistics\nGlobex, energy', attachments: 0 }]]);
    expect(out.ok && out.request.metadata.call_type).toBe('aembedding');
  });

  it('falls back to the team alias when no tag or metadata names the feature, and honours overrides', () => {
    const noTags = { ...csvRow, request_tags: '[]' };
    const a = read(noTags);
    expect(a.ok && a.request.feature).toBe('crm-platform');
    const b = read(noTags, { overrides: { all: { feature: ['metadata.user_api_key_alias'] } } });
    expect(b.ok && b.request.feature).toBe('crm-prod');
  });

  it('rejects a row whose end precedes its start, naming the field', () => {
    const out = read({ ...csvRow, request_duration_ms: null, endTime: '2025-11-18 09:11:00.000' });
    expect(out).toEqual({ ok: false, field: 'endTime', reason: 'ends 60123 ms before it starts' });
  });

  it('is detected before the canonical adapter, which would also accept it', () => {
    expect(detectAdapter(csvRow).name).toBe('litellm');
  });
});
