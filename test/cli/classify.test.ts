import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLASSIFIER_VERSION } from '../../src/core/classifier/index.js';
import { classifierEngine } from '../../src/core/classifier/native.js';
import { CapabilityProfileSchema } from '../../src/core/profile.js';
import { runCli, tempDir } from '../helpers/cli.js';

const t = tempDir();
afterAll(t.cleanup);
const db = join(t.path, 'x.duckdb');
const SECRET = 'Summarize the renewal call with Zyxwvut Holdings for the account owner';

describe('pnyx classify', () => {
  it('prints a card for a text argument, without echoing the prompt', () => {
    const r = runCli(['--db', db, 'classify', SECRET]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^task\s+summarization$/m);
    expect(r.stdout).toMatch(/^classifier\s+cls-/m);
    expect(r.stdout).toMatch(/^signals$/m);
    expect(r.stdout).not.toContain('Zyxwvut');
  });

  it('reads stdin and --file, and --json prints a valid profile', () => {
    const fromStdin = runCli(['--db', db, 'classify', '--json'], { input: 'Write a Python function that reverses a linked list.' });
    expect(fromStdin.code).toBe(0);
    const p = JSON.parse(fromStdin.stdout);
    expect(CapabilityProfileSchema.safeParse(p).success).toBe(true);
    expect([p.task_type, p.domain]).toEqual(['code_generation', 'software']);
    const file = join(t.path, 'prompt.txt');
    writeFileSync(file, 'Write a Python function that reverses a linked list.');
    expect(JSON.parse(runCli(['--db', db, 'classify', '--file', file, '--json']).stdout)).toEqual(p);
  });

  it('--jsonl streams one profile per line with the same id; a bad line is reported and fails the run', () => {
    const input = [
      JSON.stringify({ id: 'a', prompt: 'How do I kill a Python process?' }),
      '{"id": "broken", ',
      JSON.stringify({ id: 42, messages: [{ role: 'system', content: 'You are a support bot.' }, { role: 'user', content: 'Where is my refund?' }] }),
      JSON.stringify({ prompt: 'no id here' }),
    ].join('\n');
    const r = runCli(['--db', db, 'classify', '--jsonl', '-'], { input });
    expect(r.code).toBe(3);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['a', 42]);
    expect(lines[0].safety_risk).toBeLessThan(0.2);
    expect(lines[1].policy_sensitivity).toBeGreaterThan(0);
    expect(r.stderr).toContain('pnyx: stdin:2: (json): invalid JSON');
    expect(r.stderr).toContain('pnyx: stdin:4: id: missing id');
    expect(r.stderr).toContain('2 lines could not be classified');
  });

  it('names the engine that ran on the card: native when built, JavaScript with PNYX_NATIVE=0', () => {
    const engine = classifierEngine() === 'native' ? 'native engine' : 'JavaScript engine';
    expect(runCli(['--db', db, 'classify', SECRET]).stdout).toMatch(new RegExp(`^classifier\\s+${CLASSIFIER_VERSION}, ${engine}$`, 'm'));
    const js = runCli(['--db', db, 'classify', SECRET], { env: { PNYX_NATIVE: '0' } });
    expect(js.code).toBe(0);
    expect(js.stdout).toMatch(new RegExp(`^classifier\\s+${CLASSIFIER_VERSION}, JavaScript engine$`, 'm'));
    // Both engines give the same profile.
    const profile = (env: Record<string, string>) => JSON.parse(runCli(['--db', db, 'classify', '--json', SECRET], { env }).stdout);
    expect(profile({ PNYX_NATIVE: '0' })).toEqual(profile({}));
  });

  it('refuses two inputs at once and an empty prompt', () => {
    expect(runCli(['--db', db, 'classify', 'x', '--file', 'y']).code).toBe(2);
    expect(runCli(['--db', db, 'classify'], { input: '  \n' }).code).toBe(3);
  });
});
