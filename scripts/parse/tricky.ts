import { Rng } from '../fixtures/prng.js';

/**
 * Strings that sit on the edges of the redaction patterns (src/core/redact.ts): key prefixes
 * with too few or enough characters, glued to words or not, emails, digit runs that are or are
 * not cards and phones, IBAN look-alikes, `name = value` assignments in any case. Shared by the
 * parse golden file (scripts/golden-parse.ts) and the property tests of redactText.
 */
export const TRICKY_FRAGMENTS: readonly string[] = [
  // key prefixes
  'sk-', 'sk-proj-', 'sk-ant-api03-', 'AKIA', 'ASIA', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'xoxb-', 'xoxp-', 'xoxa-',
  'AIza', 'sk_live_', 'rk_test_', 'sk_test_', 'glpat-', 'hf_', 'eyJ', 'eyJhbGciOiJIUzI1NiJ9.', 'Bearer ', 'bearer ', 'Bearer\t',
  // key bodies
  'abcdefghijklmnopqrstuvwxyz0123456789', 'ABCDEFGHIJKLMNOP', 'IOSFODNN7EXAMPLE', 'a-b_c', '0123456789', 'Zz9_-', '.', '..', '=', '==',
  // emails
  '@', 'jane.doe+crm@acme-corp.co.uk', 'a@b', 'user@localhost', 'x@y.io', '@mention', 'first.last', '%', '.com', '-',
  // digits: cards, phones, dates
  '4111 1111 1111 1111', '4111111111111111', '4111111111111112', '3782-822463-10005', '5555555555554444', '+49 30 1234567', '(555) 123-4567',
  '555.123.4567', '0171-1234567', '030 1234567', '2026-08-10', '1754817300000', '12/27', '+1', '(', ')', '/',
  // IBANs
  'DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', 'DE89370400440532013001', 'FR14 2004 1010 0505 0001 3M02 606', 'DE00', 'GB82 WEST',
  // assignments
  'password', 'Password', 'PASSWD', 'passphrase', 'pwd', 'secret', 'client_secret', 'client-secret', 'clientsecret', 'api_key', 'API-KEY',
  'apikey', 'access_key', 'secret_key', 'access_token', 'auth-token', 'refresh_token', 'private_key', 'token', 'key', 'keys', 'monkey',
  'passage', 'Secretary', ': ', '=', ' = ', '"', "'", '":"', 'hunter2!!', 's3cr3t-value', 'short',
  // glue and other text
  ' ', ' ', '\n', '\t', ',', ';', 'x', 'word', 'Ref 459843', 'é', 'ß', '日本', '😀', '\u0000', '\u200b', 'K', 'k',
];

const KEY_PREFIXES = ['sk-', 'sk-proj-', 'AKIA', 'ASIA', 'ghp_', 'ghs_', 'github_pat_', 'xoxb-', 'AIza', 'sk_live_', 'rk_test_', 'glpat-', 'hf_', 'eyJ'];
const KEY_BODIES = ['abcdefghijklmnopqrstuvwxyz0123456789', 'IOSFODNN7EXAMPLE', 'IOSFODNN7EXAMPLE5555555555554444', 'SyA1234567890abcdefghijklmnopqrstuv', 'a-b_c'];

/**
 * A deterministic corpus: every fragment alone, every key prefix before every key body (alone and
 * inside words), then random concatenations of 1-12 fragments.
 */
export function trickyStrings(count = 4000, seed = 7): string[] {
  const rng = new Rng(seed);
  const out: string[] = [...TRICKY_FRAGMENTS];
  for (const p of KEY_PREFIXES) for (const b of KEY_BODIES) out.push(p + b, `x ${p}${b}.`, `x${p}${b}`);
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rng.next() * 12);
    let s = '';
    for (let k = 0; k < n; k++) s += TRICKY_FRAGMENTS[Math.floor(rng.next() * TRICKY_FRAGMENTS.length)]!;
    out.push(s);
  }
  return out;
}

/**
 * A JSONL log whose records carry the tricky strings in every kind of field: messages (string and
 * multi-part content), system prompt, metadata, error, tools, unknown keys and prompt-text keys of
 * the raw record. Some records are rejects (bad timestamp, non-string feature) so rejected raw text
 * is masked too.
 */
export function trickyLog(strings: readonly string[]): string {
  const lines: string[] = [];
  for (let i = 0; i + 3 < strings.length; i += 4) {
    const [a, b, c, d] = [strings[i]!, strings[i + 1]!, strings[i + 2]!, strings[i + 3]!];
    const k = i / 4;
    const rec: Record<string, unknown> = {
      id: k % 7 === 0 ? undefined : `t-${k}`,
      timestamp: k % 23 === 5 ? c : '2026-10-01T00:00:30.173Z',
      metadata: { feature: k % 19 === 3 ? { nested: a } : `f${k % 5}`, tenant_id: `tenant-${k % 3}`, note: b, list: [c, d, k] },
      request: {
        model: 'm/x',
        messages: [
          { role: 'system', content: a },
          { role: 'user', content: k % 3 === 0 ? [{ type: 'text', text: b }, { type: 'image_url', image_url: { url: c } }] : b },
          { role: 'assistant', content: d },
        ],
        tools: k % 4 === 0 ? [{ type: 'function', function: { name: 'f', description: c, parameters: { type: 'object' } } }] : undefined,
        temperature: 0.2,
      },
      response: { choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: d } }], usage: { prompt_tokens: k, completion_tokens: 1 } },
      error: k % 5 === 0 ? c : k % 5 === 1 ? { message: d, code: 500 } : undefined,
      [`x_${k % 4}`]: a,
      prompt_note: d,
    };
    lines.push(JSON.stringify(rec));
  }
  return lines.join('\n') + '\n';
}
