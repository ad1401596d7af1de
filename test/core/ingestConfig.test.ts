import { describe, expect, it } from 'vitest';
import { IngestConfigSchema, mappingOverrides } from '../../src/core/ingestConfig.js';

describe('ingest config', () => {
  it('accepts a path or a list of paths, and rejects unknown keys', () => {
    expect(IngestConfigSchema.parse({ fields: { tenant: 'metadata.account_id' }, formats: { litellm: { feature: ['a', 'b'] } }, join: 'r.jsonl' })).toEqual({
      fields: { tenant: ['metadata.account_id'] },
      formats: { litellm: { feature: ['a', 'b'] } },
      join: ['r.jsonl'],
    });
    expect(IngestConfigSchema.safeParse({ fields: { feature: 'x', product: 'y' } }).success).toBe(false);
  });

  it('lets --feature-field win over the config file, globally and per format', () => {
    const config = IngestConfigSchema.parse({ fields: { feature: 'a', tenant: 't' }, formats: { helicone: { feature: 'b', user: 'u' } } });
    expect(mappingOverrides(config, undefined)).toEqual({ all: { feature: ['a'], tenant: ['t'] }, formats: { helicone: { feature: ['b'], user: ['u'] } } });
    expect(mappingOverrides(config, ['flag.path'])).toEqual({ all: { feature: ['flag.path'], tenant: ['t'] }, formats: { helicone: { user: ['u'] } } });
    expect(mappingOverrides(undefined, undefined)).toEqual({ all: {}, formats: {} });
  });
});
