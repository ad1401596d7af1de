import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PnyxError } from '../../src/core/errors.js';
import { parseCatalogText } from '../../src/stages/catalogSync.js';
import { FIXTURES } from '../helpers/cli.js';

describe('parseCatalogText', () => {
  it('parseCatalogText throws only PnyxError, for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseCatalogText(s, 'x');
        } catch (err) {
          expect(err).toBeInstanceOf(PnyxError);
        }
      }),
      { numRuns: 300 },
    );
  });


  it('names the problem of each broken fixture in one line', () => {
    const msg = (name: string): string => {
      try {
        parseCatalogText(readFileSync(join(FIXTURES, 'catalog', name), 'utf8'), name);
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(msg('broken-error-page.html')).toBe('broken-error-page.html: got an HTML/XML page instead of OpenRouter /models JSON (error page or captive portal?)');
    expect(msg('drift-empty.json')).toBe('drift-empty.json: the response lists no models');
    expect(msg('broken-truncated.json')).toMatch(/^broken-truncated\.json: truncated JSON \(the response ended early\): /);
    expect(msg('openrouter-2025-05-22-trimmed.json')).toBe('accepted');
  });
});
