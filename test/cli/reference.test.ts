import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCliReference } from '../../src/cli/reference.js';
import { buildProgram } from '../../src/main.js';
import { REPO } from '../helpers/cli.js';

describe('docs/CLI.md', () => {
  it('is the current --help of every command (regenerate with `npm run docs:cli`)', async () => {
    const committed = readFileSync(join(REPO, 'docs/CLI.md'), 'utf8');
    expect(committed).toBe(renderCliReference(await buildProgram()));
  });
  it('covers every registered command', async () => {
    const names = (await buildProgram()).commands.map((c) => c.name());
    const doc = readFileSync(join(REPO, 'docs/CLI.md'), 'utf8');
    for (const n of names) expect(doc).toContain(`## \`pnyx ${n}\``);
    expect(names).toEqual(expect.arrayContaining(['analyze', 'classify', 'explain', 'catalog', 'db']));
  });
});
