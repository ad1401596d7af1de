/**
 * Deterministic synthetic request log for the benchmark: the OpenAI nested log shape that
 * src/core/adapters/chat.ts reads, ~2 KB per request on average with a long-tailed length
 * distribution, several features, models and tenants, and a small share of re-shipped
 * (duplicate) records as real log pipelines produce.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FeatureSpec {
  name: string;
  weight: number;
  models: string[];
  system: string;
  /** Median user-text length in characters and the log-normal spread. */
  median: number;
  sigma: number;
  words: string[];
  turns: number;
  json?: boolean;
  tools?: boolean;
}

const COMMON = 'the a of to and in for with on is that this we our your please can you it be as by from at are will need customer account team deal'.split(' ');
const FEATURES: FeatureSpec[] = [
  {
    name: 'email_autocomplete', weight: 30, models: ['anthropic/claude-sonnet-4.5', 'openai/gpt-4.1-mini'], median: 400, sigma: 0.6, turns: 1,
    system: 'You complete sales emails in the user\'s voice. Keep it short and friendly; never invent prices or dates.',
    words: 'follow up meeting proposal thanks regards next week call schedule pricing demo contract renewal quick question attached deck'.split(' '),
  },
  {
    name: 'support_chat', weight: 22, models: ['openai/gpt-4.1', 'anthropic/claude-haiku-4.5'], median: 600, sigma: 0.8, turns: 3,
    system: 'You are the support assistant of Acme CRM. Follow the refund policy strictly, escalate legal threats, answer in the customer\'s language.',
    words: 'refund invoice login password error sync import export billing plan upgrade cancel ticket urgent broken integration webhook'.split(' '),
  },
  {
    name: 'lead_scoring', weight: 18, models: ['deepseek/deepseek-v3.2', 'openai/gpt-4.1-mini'], median: 700, sigma: 0.4, turns: 1, json: true,
    system: 'Score the lead from 0 to 100 and return JSON {"score": number, "reasons": string[]}.',
    words: 'company employees revenue industry visited pricing page downloaded whitepaper title director vp budget timeline region emea'.split(' '),
  },
  {
    name: 'meeting_summary', weight: 12, models: ['google/gemini-2.5-flash', 'anthropic/claude-sonnet-4.5'], median: 1700, sigma: 0.7, turns: 1,
    system: 'Summarize the call transcript: decisions, action items with owners, open questions, as markdown bullet lists.',
    words: 'speaker agreed roadmap quarter blocker timeline owner action item decision budget migration rollout concern legal review'.split(' '),
  },
  {
    name: 'sql_assistant', weight: 8, models: ['openai/gpt-4.1', 'qwen/qwen3-coder'], median: 1400, sigma: 0.5, turns: 2, tools: true,
    system: 'Write DuckDB SQL for the CRM warehouse. Tables: accounts(id, name, region, arr), deals(id, account_id, stage, amount, closed_at). Return only SQL.',
    words: 'select count sum group by region stage closed won pipeline quarter average arr top accounts join where last month'.split(' '),
  },
  {
    name: 'contract_review', weight: 5, models: ['anthropic/claude-opus-4.1', 'openai/o3'], median: 2400, sigma: 0.8, turns: 1,
    system: 'Review the contract clause by clause. Flag liability caps, auto-renewal, termination and data-processing terms; cite the clause numbers.',
    words: 'clause party liability indemnify terminate notice renewal governing law confidential data processing agreement term fees warranty'.split(' '),
  },
  {
    name: 'product_description', weight: 5, models: ['mistralai/mistral-small-3.2', 'openai/gpt-4.1-nano'], median: 300, sigma: 0.5, turns: 1,
    system: 'Write a product description for the listing in the given tone.',
    words: 'premium lightweight durable waterproof eco friendly design colors sizes warranty shipping bundle bestseller'.split(' '),
  },
];
const TENANTS = Array.from({ length: 40 }, (_, i) => `tenant-${String(i + 1).padStart(3, '0')}`);

/** A pool of sentences per feature, built once; requests stitch sentences and unique tokens. */
function sentencePool(f: FeatureSpec, r: () => number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 6 + Math.floor(r() * 14);
    const ws: string[] = [];
    for (let k = 0; k < len; k++) ws.push(r() < 0.55 ? f.words[Math.floor(r() * f.words.length)]! : COMMON[Math.floor(r() * COMMON.length)]!);
    const s = ws.join(' ');
    out.push(s[0]!.toUpperCase() + s.slice(1) + (r() < 0.15 ? '?' : '.'));
  }
  return out;
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

export interface GenerateResult {
  rows: number;
  bytes: number;
  duplicates: number;
}

/** Writes `rows` JSONL records to `path`; the same seed always writes the same bytes. */
export function generateLog(path: string, rows: number, seed = 7): GenerateResult {
  const r = rng(seed);
  const pools = FEATURES.map((f) => sentencePool(f, r, 4000));
  const totalWeight = FEATURES.reduce((s, f) => s + f.weight, 0);
  const t0 = Date.UTC(2026, 9, 1);
  const fd = openSync(path, 'w');
  let buf: string[] = [];
  let bufLen = 0;
  let bytes = 0;
  let dups = 0;
  let last = '';
  const flush = () => {
    const b = Buffer.from(buf.join(''), 'utf8');
    writeSync(fd, b);
    bytes += b.length;
    buf = [];
    bufLen = 0;
  };
  const text = (fi: number, chars: number) => {
    const pool = pools[fi]!;
    const parts: string[] = [];
    let n = 0;
    while (n < chars) {
      let s = pool[Math.floor(r() * pool.length)]!;
      if (r() < 0.2) s += ` Ref ${Math.floor(r() * 1e6)} for ${TENANTS[Math.floor(r() * TENANTS.length)]}.`;
      parts.push(s);
      n += s.length + 1;
    }
    return parts.join(' ');
  };
  for (let i = 0; i < rows; i++) {
    if (i > 0 && r() < 0.001) {
      // A re-shipped record: the same line again.
      buf.push(last);
      bufLen += last.length;
      dups += 1;
      continue;
    }
    let pick = r() * totalWeight;
    let fi = 0;
    while (pick >= FEATURES[fi]!.weight) pick -= FEATURES[fi++]!.weight;
    const f = FEATURES[fi]!;
    const model = f.models[r() < 0.7 ? 0 : 1]!;
    const userChars = Math.max(40, Math.round(f.median * Math.exp(f.sigma * gaussian(r))));
    const messages: { role: string; content: string }[] = [{ role: 'system', content: f.system }];
    const turns = Math.max(1, Math.round(f.turns * (0.5 + r())));
    for (let t = 0; t < turns; t++) {
      if (t > 0) messages.push({ role: 'assistant', content: text(fi, 80 + Math.floor(r() * 150)) });
      messages.push({ role: 'user', content: text(fi, Math.round(userChars / turns)) });
    }
    const promptChars = messages.reduce((s, m) => s + m.content.length, 0);
    const promptTokens = Math.round(promptChars / 4);
    const completionTokens = Math.round(40 + r() * (f.json ? 80 : 400));
    const ts = new Date(t0 + Math.floor((i / rows) * 7 * 86400_000) + Math.floor(r() * 60_000));
    const request: Record<string, unknown> = { model, messages, temperature: Math.round(r() * 10) / 10, max_tokens: 1024 };
    if (f.json) request.response_format = { type: 'json_object' };
    if (f.tools) request.tools = [{ type: 'function', function: { name: 'run_sql', parameters: { type: 'object', properties: { sql: { type: 'string' } } } } }];
    const rec = {
      id: `chatcmpl-${seed}-${i.toString(36)}`,
      timestamp: ts.toISOString(),
      metadata: { feature: f.name, tenant_id: TENANTS[Math.floor(Math.pow(r(), 2) * TENANTS.length)], user_id: `u-${Math.floor(r() * 5000)}`, env: 'prod' },
      request,
      response: {
        model,
        choices: [{ index: 0, finish_reason: r() < 0.97 ? 'stop' : 'length', message: { role: 'assistant', content: text(fi, completionTokens) } }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      },
      latency_ms: Math.round(200 + completionTokens * (8 + r() * 20)),
      cost_usd: Math.round((promptTokens * 2.5e-6 + completionTokens * 1e-5) * 1e8) / 1e8,
    };
    last = JSON.stringify(rec) + '\n';
    buf.push(last);
    bufLen += last.length;
    if (bufLen > 8 << 20) flush();
  }
  flush();
  closeSync(fd);
  return { rows, bytes, duplicates: dups };
}
