import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, detectAdapter } from '../../../src/core/adapters/index.js';
import { FIXTURES } from '../../helpers/cli.js';

const dir = join(FIXTURES, 'gateways');
function records(file: string): Record<string, unknown>[] {
  const text = readFileSync(join(dir, file), 'utf8');
  return file.endsWith('.jsonl') ? text.trim().split('\n').map((l) => JSON.parse(l)) : JSON.parse(text);
}

describe('format detection', () => {
  it.each([
    ['openrouter-generations.jsonl', 'openrouter'],
    ['litellm-spend-logs-prompts.json', 'litellm'],
    ['langfuse-observations.jsonl', 'langfuse'],
    ['langfuse-ui-generations.json', 'langfuse'],
    ['helicone-export.jsonl', 'helicone'],
    ['helicone-export-bodies.json', 'helicone'],
    // The team's own request log next to the OpenRouter records is an ordinary OpenAI chat log.
    ['openrouter-requests.jsonl', 'openai'],
  ])('detects every record of %s as %s', (file, format) => {
    const rs = records(file);
    expect(rs.length).toBeGreaterThan(10);
    expect(new Set(rs.map((r) => detectAdapter(r).name))).toEqual(new Set([format]));
  });

  it('keeps detecting the chat and canonical shapes as before', () => {
    const openai = { request: { model: 'gpt-5-mini', messages: [{ role: 'user', content: 'hi' }] }, response: { id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: 3 } }, request_id: 'r1', metadata: { feature: 'x' } };
    const flat = { id: 'chatcmpl-2', model: 'gpt-5-mini', messages: [{ role: 'user', content: 'hi' }], choices: [{ finish_reason: 'stop' }], usage: { prompt_tokens: 3 }, created_at: '2025-11-18T09:00:00Z' };
    const canonical = { request_id: 'c1', timestamp: '2025-11-18T09:00:00Z', feature: 'x', model: 'gpt-5-mini', messages: [{ role: 'user', content: 'hi' }], prompt_tokens: 3, latency_ms: 400, cost_usd: 0.0001, status: 'ok', user_id: 'u' };
    const canonicalPrompt = { model: 'gpt-5-mini', prompt: 'hi', provider_name: 'OpenAI', total_cost: 0.1, finish_reason: 'stop' };
    expect(detectAdapter(openai).name).toBe('openai');
    expect(detectAdapter(flat).name).toBe('openai-flat');
    expect(detectAdapter(canonical).name).toBe('canonical');
    expect(detectAdapter(canonicalPrompt).name).toBe('canonical');
  });

  it('lists the gateway formats before the catch-all canonical shape', () => {
    const names = ADAPTERS.map((a) => a.name);
    expect(names).toEqual(['litellm', 'langfuse', 'helicone', 'openrouter', 'openai', 'openai-flat', 'canonical']);
  });
});
