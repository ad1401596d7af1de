import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../../src/core/adapters/attribution.js';
import { detectAdapter } from '../../../src/core/adapters/index.js';
import { readRecord } from '../../../src/core/ingestRecord.js';

/** One row of `npx @helicone/export --format jsonl` (no --include-body): Helicone's request query fields. */
const row = {
  response_id: '0b6f3c3e-1c1a-4f0e-9a55-6b3c2a9d8e71',
  response_created_at: '2025-11-18T09:12:04.100Z',
  response_status: 200,
  response_model: 'gpt-5-mini-2025-08-07',
  request_id: '5d9c1e2a-7b3f-4c8d-9e0f-1a2b3c4d5e6f',
  request_created_at: '2025-11-18T09:12:00.000Z',
  request_body: {},
  request_path: 'https://oai.helicone.ai/v1/chat/completions',
  request_user_id: 'usr_9f8e7d',
  request_properties: { Feature: 'support_ticket_drafting', tenant: 'globex' },
  request_model: 'gpt-5-mini',
  model_override: null,
  helicone_user: null,
  provider: 'OPENAI',
  delay_ms: 4100,
  time_to_first_token: 380,
  total_tokens: 1700,
  prompt_tokens: 1300,
  prompt_cache_write_tokens: 0,
  prompt_cache_read_tokens: 512,
  completion_tokens: 400,
  prompt_id: null,
  signed_body_url: 'https://request-response-storage.s3.amazonaws.com/x',
  country_code: 'US',
  costUSD: 0.000965,
  model: 'gpt-5-mini-2025-08-07',
};

const read = (rec: unknown, opts = {}) => readRecord(rec, { mapping: DEFAULT_MAPPING, ...opts });

describe('helicone adapter', () => {
  it('maps an export row without bodies: metadata-only, feature from a custom property (any case)', () => {
    const out = read(row);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.request).toStrictEqual({
      request_id: '5d9c1e2a-7b3f-4c8d-9e0f-1a2b3c4d5e6f',
      timestamp: new Date('2025-11-18T09:12:00.000Z'),
      feature: 'support_ticket_drafting',
      tenant_id: 'globex',
      user_id: 'usr_9f8e7d',
      requested_model: 'gpt-5-mini',
      served_model: 'gpt-5-mini-2025-08-07',
      provider: 'OPENAI',
      system_prompt: null,
      messages: [],
      has_prompt_text: false,
      tools: null,
      response_format: null,
      max_tokens: null,
      temperature: null,
      stream: null,
      prompt_tokens: 1300,
      completion_tokens: 400,
      reasoning_tokens: null,
      cached_tokens: 512,
      cost_usd: 0.000965,
      latency_ms: 4100,
      ttft_ms: 380,
      finish_reason: null,
      status: '200',
      error: null,
      metadata: {
        request_path: 'https://oai.helicone.ai/v1/chat/completions',
        country_code: 'US',
        request_properties: { Feature: 'support_ticket_drafting', tenant: 'globex', feature: 'support_ticket_drafting' },
      },
      source_format: 'helicone',
    });
  });

  it('reads the bodies of an --include-body export', () => {
    const out = read({
      ...row,
      request_body: { model: 'gpt-5-mini', messages: [{ role: 'system', content: 'Reply politely.' }, { role: 'user', content: 'Where is my invoice?' }], stream: true, max_tokens: 800 },
      response_body: { choices: [{ index: 0, finish_reason: 'stop' }], usage: { completion_tokens_details: { reasoning_tokens: 128 } } },
    });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.request).toMatchObject({
      has_prompt_text: true,
      system_prompt: 'Reply politely.',
      messages: [{ role: 'user', content: 'Where is my invoice?', attachments: 0 }],
      stream: true,
      max_tokens: 800,
      finish_reason: 'stop',
      reasoning_tokens: 128,
    });
  });

  it('reads an Anthropic body whose system prompt is a list of content blocks', () => {
    const out = read({
      ...row,
      provider: 'ANTHROPIC',
      request_body: {
        model: 'claude-sonnet-4-5',
        system: [{ type: 'text', text: 'You complete the email draft.', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi Dana, as discussed, I' }] }],
        max_tokens: 120,
      },
    });
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.request).toMatchObject({
      has_prompt_text: true,
      system_prompt: 'You complete the email draft.',
      messages: [{ role: 'user', content: 'Hi Dana, as discussed, I', attachments: 0 }],
      max_tokens: 120,
    });
  });

  it("reads the exporter's CSV row: response_id as id, object cells with doubled quotes", () => {
    const csvRow = {
      response_id: 'b87f5731-5cad-455e-af80-b26a0c7a69d2',
      response_created_at: '2025-11-17T07:08:31.437Z',
      response_status: '200',
      request_created_at: '2025-11-17T07:08:30.393Z',
      request_body: '{}',
      request_properties: '{""feature"":""email_autocomplete"",""tenant"":""initech""}',
      request_user_id: 'usr_482d1f',
      model: 'claude-sonnet-4-5-20250929',
      prompt_tokens: '281',
      completion_tokens: '38',
      latency: null,
      cost_usd: null,
    };
    expect(detectAdapter(csvRow).name).toBe('helicone');
    const out = read(csvRow);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.request).toMatchObject({
      request_id: 'b87f5731-5cad-455e-af80-b26a0c7a69d2',
      feature: 'email_autocomplete',
      tenant_id: 'initech',
      requested_model: 'claude-sonnet-4-5-20250929',
      prompt_tokens: 281,
      completion_tokens: 38,
      cost_usd: null,
      latency_ms: null,
      has_prompt_text: false,
    });
  });

  it('keeps the error of a failed request', () => {
    const out = read({ ...row, response_status: 429, response_body: { error: { message: 'Rate limit reached for gpt-5-mini' } } });
    expect(out.ok && [out.request.status, out.request.error]).toEqual(['429', 'Rate limit reached for gpt-5-mini']);
  });
});
