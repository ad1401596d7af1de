/**
 * Classifier throughput on one core: synthetic CRM-style chat requests of ~2 KB (system prompt +
 * user turn drawn from varied fragments), classified in a loop. Prints prompts/s and MB/s.
 *   npx tsx scripts/bench-classifier.ts [count=200000] [targetBytes=2048]
 */
import { classifyPrompt, type ClassifierInput } from '../src/core/classifier/index.js';

const count = Number(process.argv[2] ?? 200_000);
const target = Number(process.argv[3] ?? 2048);

const SYSTEMS = [
  'You are a helpful assistant for a CRM product. Answer concisely and never invent numbers that are not in the context.',
  'You summarize customer records for account executives. Use bullet points. Keep personal data out of the summary.',
  'You classify support tickets into Billing, Technical, Account Access, Feature Request or Other. Reply with JSON.',
  'Tu es un assistant commercial. Réponds en français et reste poli.',
];
const FRAGMENTS = [
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

function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
}

const r = rand(7);
const POOL = 2000;
const inputs: ClassifierInput[] = [];
let bytes = 0;
for (let i = 0; i < POOL; i++) {
  let text = `Request ${i}: `;
  while (text.length < target - 150) text += FRAGMENTS[Math.floor(r() * FRAGMENTS.length)]! + (r() < 0.3 ? '\n' : ' ');
  const system = SYSTEMS[i % SYSTEMS.length]!;
  bytes += text.length + system.length;
  inputs.push({
    system_prompt: system,
    messages: [{ role: 'user', content: text, attachments: 0 }],
    tools: null,
    response_format: null,
    max_tokens: 512,
    stream: i % 2 === 0,
    prompt_tokens: null,
    has_prompt_text: true,
  });
}
const avg = bytes / POOL;

for (let i = 0; i < 20_000; i++) classifyPrompt(inputs[i % POOL]!); // warm-up (JIT, weights load)
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
let sink = 0;
for (let i = 0; i < count; i++) sink += classifyPrompt(inputs[i % POOL]!).reasoning;
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(c0);
const cpuSecs = (cpu.user + cpu.system) / 1e6;
// Reference on the same machine and texts: the cheapest possible single pass (charCodeAt + FNV
// hash per character, nothing else). Our figure divided by this one is machine-independent.
const b0 = process.cpuUsage();
let h = 0;
for (let i = 0; i < count; i++) {
  const inp = inputs[i % POOL]!;
  for (const t of [inp.system_prompt!, inp.messages[0]!.content]) for (let j = 0; j < t.length; j++) h = Math.imul(h ^ t.charCodeAt(j), 16777619);
}
const bu = process.cpuUsage(b0);
const baseSecs = (bu.user + bu.system) / 1e6;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
// Wall time suffers when other processes share the core; CPU time is what this process used.
process.stdout.write(
  `classified ${count} prompts (avg ${avg.toFixed(0)} chars), one thread: ` +
    `${fmt(count / secs)} prompts/s wall (${secs.toFixed(2)} s), ${fmt(count / cpuSecs)} prompts/s per CPU-second ` +
    `(${((count * avg) / cpuSecs / 1e6).toFixed(0)} MB/s) (checksum ${sink.toFixed(1)})\n` +
    `reference bare character loop on the same texts: ${fmt(count / baseSecs)} prompts/s per CPU-second ` +
    `(classifier = ${((100 * baseSecs) / cpuSecs).toFixed(0)}% of it) (checksum ${h & 1})\n`,
);
