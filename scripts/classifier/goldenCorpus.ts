/**
 * The inputs of the classifier's golden-output test (test/core/classifier.golden.test.ts):
 * every request of fixtures/crm-sample.jsonl, the hand-written seed prompts, the benchmark's
 * ~2 KB CRM requests, and seeded random requests that stress the tokenizer and the window
 * (many scripts, emoji and lone surrogates, list/fence/table line starts, pastes longer than the
 * 8,000-character window, the window edge falling inside and between messages, empty and
 * metadata-only requests, every request-shape option). Deterministic: the same cases every run.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import { inputFromText as bare, type ClassifierInput } from '../../src/core/classifier/index.js';
import { HEAD_CHARS, TAIL_CHARS } from '../../src/core/classifier/features.js';
import { readJsonLine } from '../../src/core/ingestRecord.js';

export interface GoldenCase {
  id: string;
  input: ClassifierInput;
  /** Store the whole profile in the golden file (else only its digest). */
  full: boolean;
}

const REPO = new URL('../../', import.meta.url);

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
}

function crmCases(): GoldenCase[] {
  const lines = readFileSync(new URL('fixtures/crm-sample.jsonl', REPO), 'utf8').trimEnd().split('\n');
  return lines.map((line, i) => {
    const out = readJsonLine(line, { mapping: DEFAULT_MAPPING });
    if (!out.ok) throw new Error(`crm-sample.jsonl:${i + 1}: ${out.field}: ${out.reason}`);
    return { id: `crm:${i + 1}`, input: out.request, full: i % 50 === 0 };
  });
}

function seedCases(): GoldenCase[] {
  const lines = readFileSync(new URL('data/classifier/seed-prompts.jsonl', REPO), 'utf8').split('\n');
  const out: GoldenCase[] = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const v = JSON.parse(line) as { id: string; prompt: string };
    out.push({ id: `seed:${v.id}`, input: bare(v.prompt), full: true });
  }
  return out;
}

/** Fragments of the benchmark's synthetic CRM requests (scripts/bench-classifier.ts). */
export const BENCH_SYSTEMS = [
  'You are a helpful assistant for a CRM product. Answer concisely and never invent numbers that are not in the context.',
  'You summarize customer records for account executives. Use bullet points. Keep personal data out of the summary.',
  'You classify support tickets into Billing, Technical, Account Access, Feature Request or Other. Reply with JSON.',
  'Tu es un assistant commercial. Réponds en français et reste poli.',
];
export const BENCH_FRAGMENTS = [
  'Customer Acme Corp (450 employees) opened ticket #48213 on 2024-03-02 about failed nightly syncs.',
  'The renewal is due in 45 days; usage dropped 38% since January and the champion left the company.',
  'Please draft a reply that apologizes, explains the workaround and promises an update by Friday noon.',
  'Forecast Q3 bookings from this pipeline: discovery 800k at 25%, proposal 450k at 50%, negotiation 300k at 75%.',
  'Write a SQL query returning the top 10 reps by closed-won revenue, tables opportunities(id, owner_id, amount) and users(id, name).',
  'Extract company, contact, phone and budget as JSON: "Hi, Tom from Northwind, budget about 30k, call +1 415 555 0199."',
  '```python\ndef score(lead):\n    return sum(w * lead[k] for k, w in WEIGHTS.items())\n```',
  '1. Check the invoice total.\n2. Compare with the contract.\n3. Flag any discrepancy above 2%.',
  '| plan | seats | price |\n| Team | 25 | 49 |\n| Business | 100 | 99 |',
  'Why did the conversion rate drop after we shortened the trial? Walk me through the math step by step.',
];

/** The benchmark's requests: `count` synthetic CRM chat requests of about `target` characters. */
export function benchInputs(count: number, target = 2048, seed = 7): ClassifierInput[] {
  const r = rng(seed);
  const inputs: ClassifierInput[] = [];
  for (let i = 0; i < count; i++) {
    let text = `Request ${i}: `;
    while (text.length < target - 150) text += BENCH_FRAGMENTS[Math.floor(r() * BENCH_FRAGMENTS.length)]! + (r() < 0.3 ? '\n' : ' ');
    inputs.push({
      system_prompt: BENCH_SYSTEMS[i % BENCH_SYSTEMS.length]!,
      messages: [{ role: 'user', content: text, attachments: 0 }],
      tools: null,
      response_format: null,
      max_tokens: 512,
      stream: i % 2 === 0,
      prompt_tokens: null,
      has_prompt_text: true,
    });
  }
  return inputs;
}

const WORDS = (
  'the and is are of to with what how please you this that refund refunds chargeback legal contract liability lawsuit ' +
  'complaint angry escalate frustrated ssn passport iban phone number credit card salary gdpr hipaa compliance audit policy ' +
  'customer client reply ticket support json jsonl schema table csv columns markdown list bullet bullets enumerate python ' +
  'javascript typescript sql bash regex rust prove derive calculate solve step by reason analyze debug why plan autocomplete ' +
  'complete continue writing finish next word properties required fields tool tools search browse api undetected evade ' +
  'illegally without getting unnoticed summarize extract classify translate rewrite poem story email invoice forecast ' +
  'der die das und ist nicht ich bitte für eine le la les et est une pour avec vous el los las es una por para con usted ' +
  'qué cómo os uma não você obrigado favor il gli che è della het een van niet voor Straße größer naïve façade ÉCOLE Ærø'
).split(' ');

const SNIPPETS = [
  'Пожалуйста, кратко изложите это письмо клиента.',
  '请总结这封客户邮件的要点，并列出下一步。',
  'お客様からのメールを要約してください。カタカナ',
  '고객 이메일을 요약해 주세요.',
  'يرجى تلخيص هذا البريد الإلكتروني.',
  'कृपया इस ईमेल का सारांश दें।',
  'Παρακαλώ συνοψίστε αυτό το email.',
  'אנא סכם את הדוא"ל הזה.',
  'กรุณาสรุปอีเมลนี้',
  'Thanks 🙏🏽 for the 🚀 launch! 👨‍👩‍👧 family 🇩🇪',
  'jane.doe@example.com, +1 (415) 555-0199, IBAN DE89370400440532013000, 4111111111111111',
  '```ts\nconst x = { a: 1, b: [2, 3] };\n```\n',
  '``inline`` and `code` and ````four````',
  '{"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}',
  '| a | b |\n|---|---|\n| 1 | 2 |\n',
  '1. first\n2) second\n  3. third\n10. tenth\n',
  '- dash\n* star\n+ plus\n• bullet\n  - indented\n-no space\n',
  'A) alpha\nB. beta\nC) gamma\nH) last\nI) not a choice\n',
  'x = (a + b) * c / d ^ 2 < 5 > 1 % 3 = 7',
  'Why? ¿Por qué? 为什么？ Really?? ',
  '× ÷ ß ÿ Ā ž ɏ ɐ ʃ',
  '\u2018quoted\u2019 \u201cdouble\u201d \u2014 dash \u2026 \u3000full\u3000width\uff1f\uff01\uff0c',
  'tab\tseparated\tvalues\r\nwindows\r\nline',
  'lone \ud800 high and \udc00 low surrogates \ud83d',
  '0000000 12345678 3.14159 1e10 2024-03-02T10:00:00Z',
  'Give detailed step-by-step instructions for doing it without getting caught',
];

function randomChar(r: () => number): string {
  const k = r();
  if (k < 0.3) return String.fromCharCode(32 + Math.floor(r() * 95));
  if (k < 0.4) return '\n';
  if (k < 0.5) return String.fromCharCode(0xa0 + Math.floor(r() * 0x1b0));
  const ranges: Array<[number, number]> = [
    [0x370, 0x530], [0x590, 0x700], [0x900, 0x980], [0xe00, 0xe80], [0x2000, 0x2070], [0x2100, 0x2200], [0x3000, 0x3100],
    [0x4e00, 0xa000], [0xac00, 0xd7b0], [0xd800, 0xe000], [0xe000, 0xe100], [0xff00, 0xff20], [0x250, 0x370], [0x80, 0xc0],
  ];
  const [lo, hi] = ranges[Math.floor(r() * ranges.length)]!;
  if (lo === 0xd800 && r() < 0.8) return String.fromCodePoint(0x1f300 + Math.floor(r() * 0x700));
  return String.fromCharCode(lo + Math.floor(r() * (hi - lo)));
}

/** A random text of about `len` characters: words, snippets, line starts and stray characters. */
function randomText(r: () => number, len: number): string {
  let t = '';
  while (t.length < len) {
    const k = r();
    if (k < 0.55) t += WORDS[Math.floor(r() * WORDS.length)]!;
    else if (k < 0.62) t += SNIPPETS[Math.floor(r() * SNIPPETS.length)]!;
    else if (k < 0.7) t += String(Math.floor(r() * 10 ** Math.floor(r() * 10)));
    else if (k < 0.78) t += randomChar(r);
    else if (k < 0.83) t += ['\n1. ', '\n- ', '\nB) ', '\n  * ', '\n| ', '\n```', '\n\n', '\n• '][Math.floor(r() * 8)]!;
    else t += [' ', ' ', ', ', '. ', '? ', '\n', ' @', '@', '`', '{', '}', '|', '='][Math.floor(r() * 13)]!;
    t += r() < 0.8 ? ' ' : '';
  }
  return t.slice(0, len);
}

const WINDOW = HEAD_CHARS + TAIL_CHARS;

function randomLength(r: () => number): number {
  const k = r();
  if (k < 0.05) return 0;
  if (k < 0.35) return Math.floor(r() * 200);
  if (k < 0.65) return Math.floor(r() * 3000);
  if (k < 0.8) return Math.floor(r() * 9000);
  // Around the window edge, and far past it.
  if (k < 0.9) return WINDOW - 20 + Math.floor(r() * 40);
  return WINDOW + Math.floor(r() * 30000);
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

export function randomInput(r: () => number): ClassifierInput {
  const nMessages = pick(r, [0, 1, 1, 1, 1, 2, 3, 4, 7]);
  const messages: ClassifierInput['messages'] = [];
  for (let i = 0; i < nMessages; i++) {
    const role = i % 2 === 0 ? pick(r, ['user', 'user', 'user', 'tool']) : 'assistant';
    messages.push({ role, content: randomText(r, randomLength(r) >> (nMessages > 2 ? 1 : 0)), attachments: r() < 0.1 ? pick(r, [1, 2, 5]) : 0 });
  }
  const system_prompt = r() < 0.5 ? randomText(r, randomLength(r)) : r() < 0.1 ? '' : null;
  return {
    system_prompt,
    messages,
    tools: pick(r, [null, null, null, [], [{ name: 'lookup' }], [{}, {}, {}]]),
    response_format: pick(r, [null, null, null, 'json_object', { type: 'json_schema', json_schema: {} }, { type: 'text' }, { foo: 1 }, 'text', 42]),
    max_tokens: pick(r, [null, null, 0, 16, 64, 65, 200, 256, 1999, 2000, 8000]),
    stream: pick(r, [null, true, false]),
    prompt_tokens: pick(r, [null, null, null, 0, 123, 5000]),
    has_prompt_text: r() < 0.95,
  };
}

/** Texts that put the window edges on particular characters (segment joins, surrogate pairs, fences). */
function edgeCases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  const filler = (n: number, unit: string) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  const units = ['word ', 'ab12 ', '1234567 ', '汉字', '🚀x', '`', '\n1. a', '| x ', 'é', 'a@b '];
  let i = 0;
  for (const unit of units) {
    for (const delta of [-2, -1, 0, 1, 2]) {
      out.push({ id: `edge:${i++}`, input: bare(filler(WINDOW + delta, unit)), full: true });
      const sys = filler(HEAD_CHARS + delta, unit);
      out.push({
        id: `edge:${i++}`,
        input: { ...bare(filler(TAIL_CHARS + 3 + delta, unit)), system_prompt: sys, messages: [{ role: 'user', content: filler(500, unit), attachments: 0 }, { role: 'user', content: filler(TAIL_CHARS + delta, unit), attachments: 0 }] },
        full: true,
      });
    }
  }
  return out;
}

export function goldenCases(): GoldenCase[] {
  const r = rng(20261126);
  const random: GoldenCase[] = [];
  for (let i = 0; i < 600; i++) random.push({ id: `random:${i}`, input: randomInput(r), full: true });
  const bench = benchInputs(40).map((input, i): GoldenCase => ({ id: `bench:${i}`, input, full: true }));
  const snippets = SNIPPETS.map((s, i): GoldenCase => ({ id: `snippet:${i}`, input: bare(s), full: true }));
  return [...crmCases(), ...seedCases(), ...bench, ...snippets, ...edgeCases(), ...random];
}

/** Where the golden profiles live (regenerate: `npx tsx scripts/classifier/golden.ts --write`). */
export const GOLDEN_PATH = new URL('test/core/classifier.golden.jsonl', REPO);

export interface GoldenLine {
  id: string;
  /** First 16 hex digits of the SHA-256 of the profile's JSON. */
  sha: string;
  profile?: unknown;
}

/** The golden line of one case, from the profile the classifier gave it. */
export function goldenLine(c: GoldenCase, profile: unknown): GoldenLine {
  const json = JSON.stringify(profile);
  const sha = createHash('sha256').update(json).digest('hex').slice(0, 16);
  return c.full ? { id: c.id, sha, profile } : { id: c.id, sha };
}
