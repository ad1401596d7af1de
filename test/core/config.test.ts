import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, parseConfig, policyFor } from '../../src/core/config.js';
import { reportJsonSchema } from '../../src/core/report.js';
import { REPO } from '../helpers/cli.js';

describe('routing policy config', () => {
  it('a feature block overrides the global policy field by field', () => {
    const r = parseConfig({ policy: { quality_floor: 0.5, blocked_providers: ['x-ai'] }, features: { email: { quality_floor: 0.3 } } }, 'pnyx.config.json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(policyFor(r.config, 'email')).toEqual({ quality_floor: 0.3, blocked_providers: ['x-ai'] });
    expect(policyFor(r.config, 'other')).toEqual({ quality_floor: 0.5, blocked_providers: ['x-ai'] });
  });

  it('names every bad field', () => {
    const r = parseConfig({ policy: { quality_floor: 2 }, features: { a: { max_monthly_cost_usd: -1, typo: 1 } } }, 'pnyx.config.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/^pnyx\.config\.yaml: invalid config: /);
    expect(r.message).toContain('policy.quality_floor');
    expect(r.message).toContain('features.a.max_monthly_cost_usd');
    expect(r.message).toContain('typo');
  });
});

describe('published JSON Schemas are the generated ones (run `npm run schemas` after changing a schema)', () => {
  it('schemas/pnyx.config.schema.json', () => {
    expect(JSON.parse(readFileSync(join(REPO, 'schemas/pnyx.config.schema.json'), 'utf8'))).toEqual(configJsonSchema());
  });
  it('schemas/report.schema.json', () => {
    expect(JSON.parse(readFileSync(join(REPO, 'schemas/report.schema.json'), 'utf8'))).toEqual(reportJsonSchema());
  });
});
