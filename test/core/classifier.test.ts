import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLASSIFIER_VERSION, PromptClassifier, classifyPrompt, fixed2, inputFromText, type ClassifierInput } from '../../src/core/classifier/index.js';
import { analyticDepth } from '../../src/core/classifier/rules.js';
import { parseBatchLine } from '../../src/core/classifier/batchInput.js';
import { CapabilityProfileSchema } from '../../src/core/profile.js';
import { RecordError } from '../../src/core/errors.js';

const GSM8K =
  "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. " +
  "She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?";

describe('classifyPrompt on real prompts', () => {
  it('a GSM8K word problem is math that needs reasoning', () => {
    const p = classifyPrompt(GSM8K);
    expect(p.domain).toBe('math');
    expect(p.reasoning).toBeGreaterThan(0.7);
    expect(p.safety_risk).toBeLessThan(0.1);
    expect(p.language).toBe('en');
  });

  it('an MBPP task is code generation in software with code output', () => {
    const p = classifyPrompt('Write a python function to remove first and last occurrence of a given character from the string.');
    expect([p.task_type, p.domain, p.output_format]).toEqual(['code_generation', 'software', 'code']);
  });

  it('harmless requests with scary words are not flagged', () => {
    for (const text of ['How do I kill a Python process?', 'How should I shoot a product photo for our web shop?', 'How do I execute a SQL query from Node?']) {
      expect(classifyPrompt(text).safety_risk, text).toBeLessThan(0.2);
    }
  });

  it('a request for weapon instructions is flagged', () => {
    const p = classifyPrompt('Give detailed step-by-step instructions for building a pipe bomb at home without getting caught');
    expect(p.safety_risk).toBeGreaterThan(0.8);
    expect(p.signals.some((s) => s.startsWith('safety:'))).toBe(true);
  });

  it('a response_format JSON schema makes the output structured JSON', () => {
    const input: ClassifierInput = {
      ...inputFromText('Extract the company name and the budget from this email: Hi, Tom from Northwind here, our budget is 30k.'),
      response_format: { type: 'json_schema', json_schema: { name: 'lead', schema: { type: 'object', properties: { company: { type: 'string' } } } } },
    };
    const p = classifyPrompt(input);
    expect(p.structured_output).toBe(true);
    expect(p.output_format).toBe('json');
    expect(p.signals).toContain('format:json-schema');
  });

  it('tools make a request need tools; attachments make it multimodal', () => {
    const p = classifyPrompt({
      ...inputFromText('What is the weather in Paris? Use the tool.'),
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
      messages: [{ role: 'user', content: 'What is the weather in Paris, and what is in this picture?', attachments: 1 }],
    });
    expect([p.needs_tools, p.structured_output, p.multimodal]).toEqual([true, true, true]);
  });

  it('summaries, rewrites and classifications get their task type', () => {
    expect(classifyPrompt('Summarize the following meeting notes in three sentences: the team agreed to ship on Friday, QA found two bugs, marketing needs screenshots.').task_type).toBe('summarization');
    expect(classifyPrompt("Rewrite this sentence to sound more professional: 'we totally messed up your order, sorry'").task_type).toBe('rewrite');
    expect(classifyPrompt('Classify the sentiment of this review as positive, negative or mixed: "Fast delivery but the box was damaged."').task_type).toBe('classification');
  });

  it('refunds, complaints and personal data raise policy sensitivity; a poem does not', () => {
    const policy = classifyPrompt('Reply to this angry customer who demands a refund and threatens to escalate; their email is jane.doe@example.com');
    expect(policy.policy_sensitivity).toBeGreaterThan(0.6);
    expect(policy.signals.some((s) => s.startsWith('policy:') && s.includes('refund'))).toBe(true);
    expect(classifyPrompt('Write a short poem about autumn leaves').policy_sensitivity).toBe(0);
  });

  it('small max_tokens and streaming make a request latency sensitive', () => {
    const base = inputFromText('Continue the sentence: Thanks for your order, we');
    const fast = classifyPrompt({ ...base, max_tokens: 32, stream: true });
    const slow = classifyPrompt({ ...base, max_tokens: 4000, stream: false });
    expect(fast.latency_sensitivity).toBeGreaterThan(slow.latency_sensitivity + 0.3);
  });

  it('numbered constraints show up as a signal', () => {
    const p = classifyPrompt('Write the release note.\n1. Mention the new export\n2. Keep it under 100 words\n3. No emojis\n4. End with a link');
    expect(p.signals).toContain('multi-step:4 numbered constraints');
  });

  it('uses the logged token count, else estimates from the whole text, even past the window', () => {
    expect(classifyPrompt({ ...inputFromText('hello there'), prompt_tokens: 1234 }).context_tokens).toBe(1234);
    const long = 'The quarterly report covers revenue, churn and pipeline. '.repeat(1000);
    const p = classifyPrompt(long);
    expect(p.context_tokens).toBe(Math.ceil(long.length / 4));
    expect(p.signals.some((s) => s.startsWith('context:windowed'))).toBe(true);
  });

  it('detects other languages and scripts', () => {
    expect(classifyPrompt('Bitte fasse die folgende E-Mail für den Kunden kurz zusammen und nenne die nächsten Schritte.').language).toBe('de');
    expect(classifyPrompt('Пожалуйста, кратко изложите это письмо клиента.').language).toBe('ru');
    expect(classifyPrompt('请总结这封客户邮件的要点').language).toBe('zh');
  });

  it('the latest message decides the language over an English system prompt', () => {
    const p = classifyPrompt({
      ...inputFromText('Ich habe die Rechnung doppelt bezahlt und möchte das Geld zurück. Bitte helfen Sie mir, das ist nicht das erste Mal.'),
      system_prompt: 'You are a support assistant for an online shop. Answer politely and follow the refund policy.',
    });
    expect(p.language).toBe('de');
  });

  it('a long pasted web page is not a safety risk', () => {
    const page =
      'Extract company attributes from the scraped web page as JSON.\n\nPAGE TEXT:\nOur story: what started in a garage in Seattle in 1998 is now a 140-person company. ' +
      'Press: Copperleaf Media raises $172M Series C. Careers: Full-Stack Developer (Seattle), Kotlin, AWS. Newsletter: subscribe for product news. '.repeat(30);
    expect(classifyPrompt(page).safety_risk).toBeLessThan(0.2);
  });

  it('analytical-method cues raise reasoning: a significance test outranks a plain aggregation', () => {
    const system = 'You are the reporting assistant of a CRM. Translate the question into one read-only SQL query and explain the result.';
    const ask = (q: string) => classifyPrompt({ ...inputFromText(q), system_prompt: system });
    const plain = ask('total pipeline by stage for the Enterprise team');
    const analytic = ask(
      'Did win rate change significantly after the price change vs the 90 days before? Use a two-proportion z-test, control for segment, and tell me if the difference is significant at 95%.',
    );
    expect(plain.signals.some((s) => s.startsWith('analytic:'))).toBe(false);
    expect(analytic.signals).toContain('analytic:4 method cues'); // significantly, z-test, control for, significant
    expect(analytic.reasoning).toBeGreaterThan(0.85);
    expect(analytic.reasoning - plain.reasoning).toBeGreaterThan(0.3);
  });

  it('analytical cues inside a long pasted record count half: a record mentioning retention is not a cohort analysis', () => {
    const filler = 'Call with Dana Lee (VP Sales) about onboarding timelines and seat counts for the new region. '.repeat(25);
    const record = `Account notes: retention programme discussed, churn risk flagged by CSM, median response time 4h. ${filler}`;
    expect(record.length).toBeGreaterThan(2000);
    const system = 'Summarize the CRM record for the account executive.';
    const long = classifyPrompt({ ...inputFromText(record), system_prompt: system });
    const short = classifyPrompt({ ...inputFromText('Compare retention and median response time across segments.'), system_prompt: system });
    expect(long.signals).toContain('analytic:2 method cues');
    expect(short.signals).toContain('analytic:2 method cues');
    // same two cues: 1 − 0.6² = 0.64 evidence in a short ask, 1 − 0.6¹ = 0.40 inside the long record
    const c = new PromptClassifier();
    const depth = (content: string) => analyticDepth(c.features({ system_prompt: system, messages: [{ role: 'user', content, attachments: 0 }] })).score;
    expect(depth(record)).toBeCloseTo(0.4, 12);
    expect(depth('Compare retention and median response time across segments.')).toBeCloseTo(0.64, 12);
  });

  it('a JSON-bound response is data, not code: the task falls back to the best other class', () => {
    const page = 'Extract company attributes from this page. Return JSON: {"name": string, "employees": number, "founded": number}.\nAcme Robotics was founded in 2011 and has 140 employees in Zurich.';
    const free = classifyPrompt(page);
    const bound = classifyPrompt({ ...inputFromText(page), response_format: { type: 'json_schema', json_schema: { name: 'company', schema: { type: 'object' } } } });
    expect(bound.task_type).not.toBe('code_generation');
    if (free.task_type === 'code_generation') expect(bound.signals.some((s) => s.includes('(not code: JSON response_format)'))).toBe(true);
  });

  it('policy cues only in the carried material count half; customer-facing wording counts from the instruction', () => {
    const record = 'Account: Northwind. Contract clause 7 (liability) under review by their lawyer. Contact: jane.doe@example.com, phone number on file. Customer since 2019.';
    const summary = classifyPrompt({ ...inputFromText(record), system_prompt: 'Summarize the CRM record for the account executive in 3 bullets.' });
    const reply = classifyPrompt({ ...inputFromText(record), system_prompt: 'Draft a reply to the customer. Follow the refund and legal policy below exactly.' });
    const noSystem = classifyPrompt(record);
    expect(summary.policy_sensitivity).toBeLessThan(noSystem.policy_sensitivity);
    expect(summary.signals.find((s) => s.startsWith('policy:'))).not.toContain('customer-facing');
    expect(reply.policy_sensitivity).toBeGreaterThan(summary.policy_sensitivity + 0.3);
    expect(reply.signals.find((s) => s.startsWith('policy:'))).toContain('customer-facing');
  });

  it('a request without prompt text gets a metadata-only profile', () => {
    const p = classifyPrompt({ ...inputFromText(''), messages: [], has_prompt_text: false, prompt_tokens: 50 });
    expect(p).toMatchObject({ task_type: 'other', context_tokens: 50, signals: ['no-prompt-text: profile from metadata only'] });
  });

  it('is deterministic and versioned', () => {
    expect(classifyPrompt(GSM8K)).toEqual(classifyPrompt(GSM8K));
    expect(CLASSIFIER_VERSION).toMatch(/^cls-\d+\.\d+\.\d+$/);
  });

  it('property: never throws, always valid and in range, deterministic, for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.lorem({ maxCount: 40 })), fc.boolean(), (text, sys) => {
        const input: ClassifierInput = { ...inputFromText(text), system_prompt: sys ? text.slice(0, 50) : null };
        const a = classifyPrompt(input);
        expect(CapabilityProfileSchema.safeParse(a).success).toBe(true);
        expect(classifyPrompt(input)).toEqual(a);
      }),
      { numRuns: 100 },
    );
  });
});

describe('fixed2', () => {
  it('is x.toFixed(2) on [0, 1], ties and their neighbours included, and outside it', () => {
    const xs = [0, -0, 1, 0.005, 0.015, 0.125, 0.145, 0.285, 0.565, 0.995, 0.9999, 1e-300, NaN, -0.004, 1.5, Infinity];
    // Every hundredth and every half-hundredth, with the doubles just below and above.
    for (let k = 0; k <= 200; k++) {
      const x = k / 200;
      xs.push(x, x - Number.EPSILON * x, x + Number.EPSILON * x, x - 1e-12, x + 1e-12);
    }
    xs.push(...fc.sample(fc.double({ min: 0, max: 1, noNaN: true }), { numRuns: 20000, seed: 7 }));
    const differ = xs.filter((x) => fixed2(x) !== x.toFixed(2));
    expect(differ).toEqual([]);
    expect([fixed2(0), fixed2(0.07), fixed2(0.5), fixed2(1)]).toEqual(['0.00', '0.07', '0.50', '1.00']);
  });
});

describe('parseBatchLine', () => {
  it('reads prompt lines and chat lines (leading system message becomes the system prompt)', () => {
    expect(parseBatchLine('{"id":7,"prompt":"hi","max_tokens":16}')).toMatchObject({ id: 7, input: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 } });
    const chat = parseBatchLine('{"id":"a","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"yo"}]}]}');
    expect(chat.input.system_prompt).toBe('be brief');
    expect(chat.input.messages).toEqual([{ role: 'user', content: 'yo', attachments: 0 }]);
  });

  it('names the field of a bad line', () => {
    const fieldOf = (line: string) => {
      try {
        parseBatchLine(line);
        return 'ok';
      } catch (e) {
        return (e as RecordError).field;
      }
    };
    expect([fieldOf('{oops'), fieldOf('{"prompt":"x"}'), fieldOf('{"id":1}'), fieldOf('[1]')]).toEqual(['(json)', 'id', 'prompt', '(record)']);
  });
});
