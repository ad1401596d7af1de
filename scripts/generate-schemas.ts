/** Writes the published JSON Schemas from their zod sources: `npm run schemas`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../src/core/config.js';
import { reportJsonSchema } from '../src/core/report.js';

const out = join(import.meta.dirname, '..', 'schemas');
writeFileSync(join(out, 'pnyx.config.schema.json'), JSON.stringify(configJsonSchema(), null, 2) + '\n');
writeFileSync(join(out, 'report.schema.json'), JSON.stringify(reportJsonSchema(), null, 2) + '\n');
console.log(`wrote ${out}/pnyx.config.schema.json and report.schema.json`);
