// Writes docs/CLI.md from the CLI's own --help texts (see src/cli/reference.ts).
import { writeFileSync } from 'node:fs';
import { buildProgram } from '../src/main.js';
import { renderCliReference } from '../src/cli/reference.js';

writeFileSync(new URL('../docs/CLI.md', import.meta.url), renderCliReference(await buildProgram()));
process.stdout.write('wrote docs/CLI.md\n');
