import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../../src/core/adapters/attribution.js';
import { detectAdapter } from '../../../src/core/adapters/index.js';
import { readRecord } from '../../../src/core/ingestRecord.js';

/** One row of Langfuse's enriched blob-storage export (observations_v2), JSONL spelling. */
const generation = {
  id: 'a1b2c3d4e5f60718',
  trace_id: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  project_id: 'cm3crmprod0001',
  environment: 'production',
  type: 'GENERATION',
  parent_observation_id: '',
  start_time: '2025-11-18 09:12:00.123000',
  end_time: '2025-11-18 09:12:04.623000',
  name: 'OpenAI-generation',
  metadata: { tenant_id: 'initech' },
  level: 'DEFAULT',
  status_message: '',
  version: '',
  input: JSON.stringify([{ role: 'system', content: 'Score the lead.' }, { role: 'user', content: 'Lead: VP Ops, 1,200 employees' }]),
  output: JSON.stringify({ role: 'assistant', content: '{"score": 82}' }),
  provided_model_name: 'deepseek-v3.2',
  model_parameters: JSON.stringify({ temperature: '0.2', max_tokens: '1500', response_format: '{"type":"json_object"}' }),
  usage_details: { input: 1400, input_cached_tokens: 500, output: 310, total: 2210 },
  cost_details: { input: 0.000532, output: 0.00013, total: 0.000662 },
  completion_start_time: null,
  prompt_name: '',
  prompt_version: null,
  total_cost: 0.000662,
  latency: 4.5,
  time_to_first_token: null,
  model_id: 'cm0000',
  user_id: 'usr_1a2b3c',
  session_id: 'sess_42',
  trace_name: 'lead_scoring_analysis',
  tags: ['prod', 'tenant:initech'],
  tool_definitions: {},
};

const read = (rec: unknown, opts = {}) => readRecord(rec, { mapping: DEFAULT_MAPPING, ...opts });

describe('langfuse adapter', () => {
  it('maps a GENERATION observation of the blob-storage export', () => {
    const out = read(generation);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.request).toStrictEqual({
      request_id: 'a1b2c3d4e5f60718',
      timestamp: new Date('2025-11-18T09:12:00.123Z'),
      feature: 'lead_scoring_analysis',
      tenant_id: 'initech',
      user_id: 'usr_1a2b3c',
      requested_model: 'deepseek-v3.2',
      served_model: null,
      provider: null,
      system_prompt: 'Score the lead.',
      messages: [{ role: 'user', content: 'Lead: VP Ops, 1,200 employees', attachments: 0 }],
      has_prompt_text: true,
      tools: null,
      response_format: { type: 'json_object' },
      max_tokens: 1500,
      temperature: 0.2,
      stream: null,
      // Langfuse's own "input tokens": every usage key containing "input".
      prompt_tokens: 1900,
      completion_tokens: 310,
      reasoning_tokens: null,
      cached_tokens: 500,
      cost_usd: 0.000662,
      latency_ms: 4500,
      ttft_ms: null,
      finish_reason: null,
      status: 'ok',
      error: null,
      metadata: {
        tenant_id: 'initech',
        trace_id: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
        session_id: 'sess_42',
        environment: 'production',
        level: 'DEFAULT',
        cost_details: { input: 0.000532, output: 0.00013, total: 0.000662 },
        observation_name: 'OpenAI-generation',
      },
      source_format: 'langfuse',
    });
  });

  it('marks a generation exported without the io field group as metadata-only, not as an empty prompt', () => {
    const out = read({ ...generation, input: '', output: '' });
    expect(out.ok && out.request.has_prompt_text).toBe(false);
    expect(out.ok && out.request.messages).toEqual([]);
  });

  it('uses seconds for latency only when the timestamps are missing', () => {
    const out = read({ ...generation, end_time: null, latency: 2.25, completion_start_time: null, time_to_first_token: 0.4 });
    expect(out.ok && [out.request.latency_ms, out.request.ttft_ms]).toEqual([2250, 400]);
  });

  it('rejects other observation types with the reason, so they are counted', () => {
    for (const type of ['SPAN', 'EVENT', 'EMBEDDING']) {
      expect(read({ ...generation, type })).toEqual({
        ok: false,
        field: 'type',
        reason: `${type} observation is not a model call (only GENERATION observations are analyzed)`,
      });
    }
  });

  it('reads the camelCase UI export: model, usage, totalCost, metadata.feature first', () => {
    const ui = {
      id: 'obs_1', traceId: 'trace_1', name: 'openai-chat', type: 'GENERATION', model: 'gpt-4o-mini',
      startTime: '2025-04-12T10:23:14.512Z', endTime: '2025-04-12T10:23:16.108Z',
      input: [{ role: 'user', content: 'Summarize the email below.' }], output: { role: 'assistant', content: 'The email asks ...' },
      usage: { input: 412, output: 87, total: 499, unit: 'TOKENS' }, totalCost: 0.000183, level: 'DEFAULT',
      metadata: { feature: 'record_summarization' }, tags: ['prod', 'summarize'],
    };
    expect(detectAdapter(ui).name).toBe('langfuse');
    const out = read(ui);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.request).toMatchObject({
      feature: 'record_summarization', requested_model: 'gpt-4o-mini', prompt_tokens: 412, completion_tokens: 87,
      cost_usd: 0.000183, latency_ms: 1596, has_prompt_text: true,
      messages: [{ role: 'user', content: 'Summarize the email below.', attachments: 0 }],
    });
  });
});
