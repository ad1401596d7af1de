import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid, redactText } from '../../src/core/redact.js';
import { fingerprint, maskText, textForStorage } from '../../src/core/storeText.js';
import { readRecord } from '../../src/core/ingestRecord.js';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';

describe('redactText', () => {
  it.each([
    ['write to jane.doe+crm@acme-corp.co.uk today', 'write to [EMAIL] today'],
    ['card 4111 1111 1111 1111 exp 12/27', 'card [CARD] exp 12/27'],
    ['amex 3782-822463-10005', 'amex [CARD]'],
    ['pay to DE89 3704 0044 0532 0130 00 please', 'pay to [IBAN] please'],
    ['GB82WEST12345698765432', '[IBAN]'],
    ['call +49 30 1234567 or (555) 123-4567 or 555.123.4567 or 0171-1234567', 'call [PHONE] or [PHONE] or [PHONE] or [PHONE]'],
    ['OPENAI_API_KEY=sk-proj-Abc123def456ghi789jkl012mno', 'OPENAI_API_KEY=[API_KEY]'],
    ['anthropic sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123', 'anthropic [API_KEY]'],
    ['aws AKIAIOSFODNN7EXAMPLE', 'aws [API_KEY]'],
    ['gh ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'gh [API_KEY]'],
    ['slack xoxb-123456789012-abcdefghijkl', 'slack [API_KEY]'],
    ['Authorization: Bearer abc.def-123_456~xyz=', 'Authorization: Bearer [TOKEN]'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'jwt [TOKEN]'],
    ['password: hunter2!! and "client_secret": "s3cr3t-value"', 'password: [SECRET] and "client_secret": "[SECRET]"'],
  ])('%s', (input, want) => {
    expect(redactText(input)).toBe(want);
  });

  it.each([
    'Meeting on 2026-08-10 at 10:30, order #12345, v1.2.3, budget $1,234.56',
    'ts 1754817300000 and id 4111111111111112 (fails Luhn)',
    'DE89370400440532013001 fails mod 97',
    'an @mention, a@b, user@localhost',
    'sk-short and the word skeleton-key',
  ])('leaves look-alikes alone: %s', (input) => {
    expect(redactText(input)).toBe(input);
  });

  it('checksums', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
  });

  const email = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9._]{0,10}[a-z0-9]$/), fc.stringMatching(/^[a-z]{2,10}$/), fc.constantFrom('com', 'de', 'io', 'co.uk')).map(([l, d, t]) => `${l}@${d}.${t}`);
  const card = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }).map((ds) => {
    const body = [4, ...ds];
    for (let c = 0; c <= 9; c++) if (luhnValid([...body, c].join(''))) return [...body, c].join('');
    return '';
  });
  const filler = fc.string({ maxLength: 30 }).map((s) => s.replace(/[A-Za-z0-9._%+@-]/g, ' '));

  it('property: never throws, is idempotent, and removes every generated email and card', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(email, card, filler), { maxLength: 8 }), (parts) => {
        const text = parts.join(' ');
        const out = redactText(text);
        expect(redactText(out)).toBe(out);
        for (const p of parts) if (/@/.test(p) || /^\d{15}$/.test(p)) expect(out).not.toContain(p);
      }),
      { numRuns: 300 },
    );
  });

  it('property: any string in, a string out, deterministic', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const a = redactText(s);
        expect(typeof a).toBe('string');
        expect(redactText(s)).toBe(a);
      }),
      { numRuns: 300 },
    );
  });
});

describe('textForStorage', () => {
  const record = {
    id: 'r1',
    model: 'openai/gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a CRM assistant. Escalate to ops@acme.com.' },
      { role: 'user', content: [{ type: 'text', text: 'My card is 4111 1111 1111 1111' }] },
    ],
    metadata: { feature: 'support', contact: 'bob@example.org' },
  };
  const rawText = JSON.stringify(record);
  const out = readRecord(record, { mapping: DEFAULT_MAPPING });
  if (!out.ok) throw new Error('fixture must read');

  it('full keeps everything byte for byte', () => {
    const t = textForStorage(out.request, out.raw, rawText, 'full');
    expect(t.raw).toBe(rawText);
    expect(t.system_prompt).toBe('You are a CRM assistant. Escalate to ops@acme.com.');
  });

  it('redacted masks prompts, messages, metadata and raw', () => {
    const t = textForStorage(out.request, out.raw, rawText, 'redacted');
    expect(t.system_prompt).toBe('You are a CRM assistant. Escalate to [EMAIL].');
    expect(JSON.parse(t.messages!)).toEqual([{ role: 'user', content: 'My card is [CARD]', attachments: 0 }]);
    expect(JSON.parse(t.metadata)).toEqual({ feature: 'support', contact: '[EMAIL]' });
    expect(t.raw).not.toContain('4111');
    expect(t.raw).not.toContain('@');
    expect(JSON.parse(t.raw!).messages[1].content[0]).toEqual({ type: 'text', text: 'My card is [CARD]' });
  });

  it('hash keeps fingerprints of texts only; none keeps no text', () => {
    const h = textForStorage(out.request, out.raw, rawText, 'hash');
    expect(h.system_prompt).toBe(fingerprint('You are a CRM assistant. Escalate to ops@acme.com.'));
    expect(JSON.parse(h.raw!).messages[0]).toEqual({ role: 'system', content: fingerprint('You are a CRM assistant. Escalate to ops@acme.com.') });
    const n = textForStorage(out.request, out.raw, rawText, 'none');
    expect(n.system_prompt).toBeNull();
    expect(JSON.parse(n.messages!)).toEqual([{ role: 'user', content: '', attachments: 0 }]);
    expect(JSON.parse(n.raw!)).toEqual({ ...record, messages: [{ role: 'system', content: null }, { role: 'user', content: [{ type: 'text', text: null }] }], metadata: { feature: 'support', contact: '[EMAIL]' } });
  });

  it('a text without anything to mask keeps the original raw text (no re-serialisation)', () => {
    const plain = { id: 'p', model: 'm', prompt: 'Summarise the call.' };
    const text = ' {"id":"p",  "model":"m", "prompt":"Summarise the call."}';
    const o = readRecord(plain, { mapping: DEFAULT_MAPPING });
    if (!o.ok) throw new Error('must read');
    expect(textForStorage(o.request, o.raw, text, 'redacted').raw).toBe(text);
    expect(maskText('x@y.com', 'none')).toBeNull();
  });
});
