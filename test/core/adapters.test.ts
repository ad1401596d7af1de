import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING, resolveFeature } from '../../src/core/adapters/attribution.js';
import { detectAdapter } from '../../src/core/adapters/index.js';
import { readJsonLine, readRecord } from '../../src/core/ingestRecord.js';
import { CanonicalRequestSchema, UNATTRIBUTED_FEATURE } from '../../src/core/request.js';

const opts = { mapping: DEFAULT_MAPPING };

const nested = {
  id: 'req-1',
  timestamp: '2026-08-10T09:15:00Z',
  metadata: { feature: 'email_autocomplete', tenant_id: 'acme', user_id: 'u-7' },
  provider: 'Anthropic',
  request: {
    model: 'anthropic/claude-sonnet-4.5',
    messages: [
      { role: 'system', content: 'Continue the email.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi Dana,' }, { type: 'image_url', image_url: { url: 'x' } }] },
    ],
    max_tokens: 48,
    temperature: 0.2,
    stream: true,
    response_format: { type: 'json_object' },
    tools: [{ type: 'function', function: { name: 'lookup' } }],
  },
  response: {
    id: 'gen-1',
    model: 'anthropic/claude-sonnet-4.5-20250929',
    choices: [{ message: { role: 'assistant', content: ' thanks' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 31, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 8 }, completion_tokens_details: { reasoning_tokens: 0 } },
  },
  latency_ms: 412,
  ttft_ms: 180,
  cost_usd: 0.00015,
};

describe('openai nested adapter', () => {
  it('maps every canonical field', () => {
    const out = readRecord(nested, opts);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(CanonicalRequestSchema.parse(out.request)).toEqual(out.request);
    expect(out.request).toEqual({
      request_id: 'req-1',
      timestamp: new Date('2026-08-10T09:15:00Z'),
      feature: 'email_autocomplete',
      tenant_id: 'acme',
      user_id: 'u-7',
      requested_model: 'anthropic/claude-sonnet-4.5',
      served_model: 'anthropic/claude-sonnet-4.5-20250929',
      provider: 'Anthropic',
      system_prompt: 'Continue the email.',
      messages: [{ role: 'user', content: 'Hi Dana,', attachments: 1 }],
      has_prompt_text: true,
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      response_format: { type: 'json_object' },
      max_tokens: 48,
      temperature: 0.2,
      stream: true,
      prompt_tokens: 31,
      completion_tokens: 4,
      reasoning_tokens: 0,
      cached_tokens: 8,
      cost_usd: 0.00015,
      latency_ms: 412,
      ttft_ms: 180,
      finish_reason: 'stop',
      status: null,
      error: null,
      metadata: { feature: 'email_autocomplete', tenant_id: 'acme', user_id: 'u-7' },
      source_format: 'openai',
    });
  });

  it('detects nested, flattened and canonical shapes', () => {
    expect(detectAdapter(nested).name).toBe('openai');
    expect(detectAdapter({ model: 'm', messages: [], choices: [], usage: {} }).name).toBe('openai-flat');
    expect(detectAdapter({ model: 'm', prompt: 'hi', feature: 'x' }).name).toBe('canonical');
  });
});

describe('flattened and canonical shapes', () => {
  it('reads usage from the flattened variant', () => {
    const rec = { id: 'f1', model: 'openai/gpt-5', messages: [{ role: 'user', content: 'Sum up' }], choices: [{ finish_reason: 'length' }], usage: { prompt_tokens: 10, completion_tokens: 99 }, feature: 'summ' };
    const out = readRecord(rec, opts);
    expect(out.ok && out.request).toMatchObject({ request_id: 'f1', requested_model: 'openai/gpt-5', served_model: null, feature: 'summ', prompt_tokens: 10, completion_tokens: 99, finish_reason: 'length', source_format: 'openai-flat' });
  });

  it('reads the canonical shape with a bare prompt and string numbers', () => {
    const rec = { request_id: 'c1', model: 'openai/gpt-5-mini', prompt: 'Forecast Q3', prompt_tokens: '1200', completion_tokens: 300, cost_usd: '0.0042', timestamp: 1786000000 };
    const out = readRecord(rec, opts);
    expect(out.ok && out.request).toMatchObject({
      request_id: 'c1',
      feature: UNATTRIBUTED_FEATURE,
      messages: [{ role: 'user', content: 'Forecast Q3', attachments: 0 }],
      prompt_tokens: 1200,
      cost_usd: 0.0042,
      timestamp: new Date(1786000000 * 1000),
      source_format: 'canonical',
    });
  });

  it('uses a content hash as id when the record has none, the same whatever the key order', () => {
    const a = readJsonLine(JSON.stringify({ model: 'm', prompt: 'hello', metadata: { a: 1, b: 2 } }), opts);
    const b = readJsonLine(JSON.stringify({ metadata: { b: 2, a: 1 }, prompt: 'hello', model: 'm' }), opts);
    const c = readJsonLine(JSON.stringify({ model: 'm', prompt: 'hello!' }), opts);
    expect(a.ok && a.request.request_id).toMatch(/^[0-9a-f]{64}$/);
    expect(a.ok && b.ok && a.request.request_id === b.request.request_id).toBe(true);
    expect(a.ok && c.ok && a.request.request_id !== c.request.request_id).toBe(true);
  });
});

describe('rejects name the field', () => {
  // [line, field, reason (never quotes log text), excerpt (the quote, for --show-text)]
  const cases: [string, string, string, string?][] = [
    ['{"id": 1, "model": "m", "prompt": "x", "prompt_tokens": -5}', 'prompt_tokens', 'must be >= 0, got -5'],
    ['{"id": 1, "model": "m", "prompt": "x", "prompt_tokens": "lots"}', 'prompt_tokens', 'expected a number, got a string of 4 characters', '"lots"'],
    ['{"id": 1, "model": "m", "prompt": "x", "completion_tokens": 1e12}', 'completion_tokens', 'implausibly large: 1000000000000'],
    ['{"id": 1, "model": "m", "prompt": "x", "timestamp": "last tuesday"}', 'timestamp', 'unreadable timestamp (a string of 12 characters)', '"last tuesday"'],
    ['{"id": 1, "messages": [{"role":"user","content":"hi"}]}', 'model', 'missing model'],
    ['{"request": {"model": "m", "messages": "hi"}}', 'request.messages', 'expected an array of messages, got a string of 2 characters', '"hi"'],
    ['{"id": 1, "model": "m", "prompt": "x", "metadata": {"feature": true}}', 'metadata.feature', 'feature name must be a string'],
    ['{"hello": "world"}', '(record)', 'unknown log format (fields: hello)'],
    ['[1,2]', '(record)', 'expected a JSON object, got an array'],
    ['{"id": 1, "model": ', '(json)', 'invalid JSON: the record ends early (truncated line?)'],
  ];
  it.each(cases)('%s', (line, field, reason, excerpt) => {
    const out = readJsonLine(line, opts);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.field).toBe(field);
    expect(out.reason.startsWith(reason)).toBe(true);
    expect(out.excerpt).toBe(excerpt);
  });
});

describe('feature attribution', () => {
  it('reads tags and custom paths', () => {
    expect(resolveFeature({ tags: ['prod', 'feature:lead_scoring'] }, DEFAULT_MAPPING.feature)).toBe('lead_scoring');
    expect(resolveFeature({ tags: ['email'] }, DEFAULT_MAPPING.feature)).toBe('email');
    expect(resolveFeature({ headers: { 'X-Title': 'CRM Reports' } }, DEFAULT_MAPPING.feature)).toBe('CRM Reports');
    expect(resolveFeature({ ctx: { surface: 'forecast' } }, ['ctx.surface'])).toBe('forecast');
    expect(resolveFeature({}, DEFAULT_MAPPING.feature)).toBe(UNATTRIBUTED_FEATURE);
  });
});
