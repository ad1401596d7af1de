/**
 * The classifier's golden outputs: the profile of every case of goldenCorpus.ts, as the current
 * code classifies it. test/core/classifier.golden.test.ts asserts that the classifier still gives
 * exactly these profiles (speed work must not change a single byte).
 *
 *   npx tsx scripts/classifier/golden.ts           compare, list the cases that differ (exit 1 if any)
 *   npx tsx scripts/classifier/golden.ts --write   regenerate test/core/classifier.golden.jsonl
 *
 * Regenerate only when the rules, features or weights change on purpose, and bump
 * CLASSIFIER_VERSION in the same commit (stored profiles must then be recomputed).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLASSIFIER_VERSION, classifyPrompt } from '../../src/core/classifier/index.js';
import { GOLDEN_PATH, goldenCases, goldenLine, type GoldenLine } from './goldenCorpus.js';

const lines = goldenCases().map((c) => goldenLine(c, classifyPrompt(c.input)));
const path = fileURLToPath(GOLDEN_PATH);
const header = { classifier_version: CLASSIFIER_VERSION, cases: lines.length };

if (process.argv.includes('--write')) {
  writeFileSync(path, [header, ...lines].map((l) => JSON.stringify(l)).join('\n') + '\n');
  process.stdout.write(`wrote ${lines.length} golden profiles (${CLASSIFIER_VERSION}) to ${path}\n`);
} else {
  const [head, ...stored] = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as GoldenLine & typeof header);
  const byId = new Map(stored.map((l) => [l.id, l]));
  let diff = 0;
  for (const l of lines) {
    const old = byId.get(l.id);
    if (old?.sha === l.sha) continue;
    diff++;
    if (diff <= 20) process.stdout.write(`${l.id}: ${old ? `sha ${old.sha} -> ${l.sha}` : 'new case'}\n`);
  }
  const versionNote = head?.classifier_version === CLASSIFIER_VERSION ? '' : ` (golden file is ${head?.classifier_version}, code is ${CLASSIFIER_VERSION})`;
  process.stdout.write(`${lines.length} cases, ${diff} differ from the golden file, ${stored.length} stored${versionNote}\n`);
  process.exitCode = diff > 0 || stored.length !== lines.length || versionNote ? 1 : 0;
}
