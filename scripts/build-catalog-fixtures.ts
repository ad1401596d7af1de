/**
 * Writes fixtures/catalog/: small trimmed copies of real OpenRouter /models responses from
 * ../shared/datasets (every field kept, so tolerance of unknown fields is tested) and broken
 * variants of them. Run: `npx tsx scripts/build-catalog-fixtures.ts`. Deterministic.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '..');
const SHARED = resolve(REPO, '../shared/datasets/openrouter_models');
const OUT = join(REPO, 'fixtures/catalog');
mkdirSync(OUT, { recursive: true });

type Response = { data: { id: string; pricing: Record<string, unknown> }[]; [k: string]: unknown };

function trim(file: string, ids: string[]): Response {
  const r = JSON.parse(readFileSync(join(SHARED, file), 'utf8')) as Response;
  const data = ids.map((id) => {
    const m = r.data.find((x) => x.id === id);
    if (!m) throw new Error(`${file}: no ${id}`);
    return m;
  });
  return { ...r, data, ...('total_count' in r ? { total_count: data.length } : {}) };
}

const write = (name: string, text: string): void => writeFileSync(join(OUT, name), text);

const latest = trim('openrouter_models_2026-08-19_unified-llm-pricing.json', [
  'anthropic/claude-sonnet-4.5',
  'openai/gpt-5',
  'openai/gpt-5-mini',
  'google/gemini-2.5-flash',
  'google/gemini-2.5-flash-lite',
  'google/gemini-2.5-pro',
  'deepseek/deepseek-v3.2',
  'deepseek/deepseek-v4-pro',
  'openai/gpt-oss-20b:free',
  'openrouter/auto',
]);
const latestText = JSON.stringify(latest, null, 2) + '\n';
write('openrouter-2026-08-19-trimmed.json', latestText);

const older = ['anthropic/claude-3.7-sonnet', 'google/gemini-2.0-flash-001', 'mistralai/devstral-small', 'mistralai/mistral-small-24b-instruct-2501', 'openai/gpt-4.1-mini'];
write('openrouter-2025-05-22-trimmed.json', JSON.stringify(trim('openrouter_models_2025-05-22_pydantic-llm-tester.json', older), null, 2) + '\n');
write(
  'openrouter-2025-05-23-trimmed.json',
  JSON.stringify(trim('openrouter_models_2025-05-23_pydantic-llm-tester.json', ['anthropic/claude-opus-4', 'anthropic/claude-sonnet-4', ...older]), null, 2) + '\n',
);

// Broken variants.
write('broken-truncated.json', latestText.slice(0, Math.floor(latestText.length * 0.6)));
write('broken-not-json.txt', 'upstream connect error or disconnect/reset before headers. reset reason: overflow\n');
write(
  'broken-error-page.html',
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1><p>The upstream server returned an invalid response.</p></body></html>\n',
);
const priceAsNumber = structuredClone(latest);
(priceAsNumber.data[1] as { pricing: Record<string, unknown> }).pricing.prompt = 0.00000125;
write('drift-price-number.json', JSON.stringify(priceAsNumber, null, 2) + '\n');
write('drift-data-not-array.json', JSON.stringify({ data: { models: latest.data } }, null, 2) + '\n');
const noId = structuredClone(latest);
delete (noId.data[0] as { id?: string }).id;
write('drift-missing-id.json', JSON.stringify(noId, null, 2) + '\n');
write('drift-empty.json', '{"data": []}\n');
process.stdout.write(`wrote ${OUT}\n`);
