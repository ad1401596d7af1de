import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeGolden, PARSE_GOLDEN_PATH, type Golden } from '../../scripts/golden-parse.js';

/**
 * The parse path stores exactly what test/stages/parse.golden.json recorded: every requests column
 * and every reject of each fixture and corpus file under each --store-text mode, redactText over the
 * tricky-string corpus, and a log carrying those strings in every field. content_sha256 in
 * particular is compared with hashes earlier versions stored. After an intended change of what is
 * stored, run `npx tsx scripts/golden-parse.ts --write` and say why in the commit.
 */
describe('parse golden outputs', () => {
  it('every stored column and reject is unchanged', async () => {
    const want = JSON.parse(readFileSync(PARSE_GOLDEN_PATH, 'utf8')) as Golden;
    const got = await computeGolden();
    expect(Object.keys(got.files)).toEqual(Object.keys(want.files));
    expect(got.redact).toEqual(want.redact);
    expect(got.trickyLog).toEqual(want.trickyLog);
    for (const [file, modes] of Object.entries(want.files)) expect({ file, modes: got.files[file] }).toEqual({ file, modes });
  }, 60_000);
});
