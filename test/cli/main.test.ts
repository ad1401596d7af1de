import { describe, expect, it } from 'vitest';
import { buildProgram, commandName, withoutQuotedData } from '../../src/main.js';

describe('lazy command loading', () => {
  it('finds the command after global options, skipping their values', () => {
    expect(commandName(['node', 'pnyx', 'report', '--format', 'json'])).toBe('report');
    expect(commandName(['node', 'pnyx', '--db', 'report', 'analyze', 'x.jsonl'])).toBe('analyze');
    expect(commandName(['node', 'pnyx', '--memory-limit', '1GB', '-q', 'db', 'info'])).toBe('db');
    expect(commandName(['node', 'pnyx', '--db=x.duckdb', 'export'])).toBe('export');
    expect(commandName(['node', 'pnyx', '--help'])).toBeUndefined();
  });

  it('registers only the command a run names; every command for help, unknown names and docs', async () => {
    const names = async (argv?: string[]) => (await buildProgram(argv)).commands.map((c) => c.name());
    expect(await names(['node', 'pnyx', '--db', 'x.duckdb', 'report', '--format', 'json'])).toEqual(['report']);
    expect(await names(['node', 'pnyx', '--version'])).toEqual([]);
    const all = ['analyze', 'classify', 'explain', 'report', 'export', 'catalog', 'db'];
    expect(await names(['node', 'pnyx', '--help'])).toEqual(all);
    expect(await names(['node', 'pnyx', 'repor'])).toEqual(all);
    expect(await names()).toEqual(all);
  });
});

describe('unexpected errors', () => {
  it('leave out the data DuckDB quotes (it can be a prompt), keep the rest of the message', () => {
    // DuckDB's message for a lone surrogate in a JSON column (before storableJson fixed that).
    const duck = 'Invalid Input Error: Malformed JSON at byte 36 of input: no low surrogate in string.  Input: "[{"role":"user","content":"hi \\ud800 there","at..."';
    expect(withoutQuotedData(duck)).toBe('Invalid Input Error: Malformed JSON at byte 36 of input: no low surrogate in string. (input not shown; --show-text shows it)');
    expect(withoutQuotedData(`Conversion Error: Could not convert string 'Dear Ms. Smith, your refund' to INT32`)).toBe('Conversion Error: Could not convert string "…" to INT32');
    expect(withoutQuotedData('Binder Error: Referenced column "x" not found')).toBe('Binder Error: Referenced column "x" not found');
  });
});
