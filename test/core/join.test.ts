import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import { readRecord } from '../../src/core/ingestRecord.js';
import { enrichFromJoin, joinKeys, suggestFeatureNames, tallyRename, toJoined, type FeatureRenameTally } from '../../src/core/join.js';

const read = (rec: Record<string, unknown>) => {
  const out = readRecord(rec, { mapping: DEFAULT_MAPPING });
  if (!out.ok) throw new Error(out.reason);
  return out.request;
};

const generation = { data: { id: 'gen-123', model: 'openai/gpt-5-mini', created_at: '2025-11-18T09:00:00Z', provider_name: 'OpenAI', native_tokens_prompt: 900, native_tokens_completion: 120, total_cost: 0.0005, latency: 2100, app_id: 7, external_user: 'u1' } };
const logged = {
  request_id: 'req_own_1',
  metadata: { feature: 'support_ticket_drafting', tenant_id: 'globex' },
  request: { model: 'openai/gpt-5-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Refund?' }], max_tokens: 500, tools: [{ type: 'function', function: { name: 'refund' } }] },
  response: { id: 'gen-123', choices: [{ finish_reason: 'stop' }] },
};

describe('join', () => {
  it('keys a request-log record by its own id and the generation id it logged', () => {
    expect(joinKeys(logged, read(logged))).toEqual(['req_own_1', 'gen-123']);
  });

  it('gives the metadata-only record the prompt, settings and feature, keeping its measurements', () => {
    const g = read(generation);
    const out = enrichFromJoin(g, toJoined(read(logged), 'requests.jsonl:1'));
    expect(out).toStrictEqual({
      ...g,
      feature: 'support_ticket_drafting',
      tenant_id: 'globex',
      system_prompt: 'Be brief.',
      messages: [{ role: 'user', content: 'Refund?', attachments: 0 }],
      has_prompt_text: true,
      tools: [{ type: 'function', function: { name: 'refund' } }],
      max_tokens: 500,
      metadata: { ...g.metadata, pnyx_joined_from: 'requests.jsonl:1' },
    });
    expect([out.prompt_tokens, out.cost_usd, out.latency_ms, out.served_model]).toEqual([900, 0.0005, 2100, 'openai/gpt-5-mini']);
  });

  it("keeps the gateway's feature when the request log names none", () => {
    const g = read(generation);
    const unnamed = read({ ...logged, metadata: {} });
    expect(enrichFromJoin(g, toJoined(unnamed, 'x')).feature).toBe('openrouter-app-7');
  });
});

describe('feature name suggestions', () => {
  it('suggests a rename only where every joined record agreed', () => {
    const t: FeatureRenameTally = new Map();
    tallyRename(t, 'openrouter-app-7', 'email_autocomplete');
    tallyRename(t, 'openrouter-app-7', 'email_autocomplete');
    tallyRename(t, 'openrouter-app-9', 'lead_scoring');
    tallyRename(t, 'openrouter-app-9', 'data_enrichment');
    tallyRename(t, 'same', 'same');
    tallyRename(t, '(unattributed)', 'x');
    expect(suggestFeatureNames(t)).toEqual([{ from: 'openrouter-app-7', to: 'email_autocomplete', joined: 2 }]);
  });
});
