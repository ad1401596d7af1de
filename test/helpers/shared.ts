import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** ../shared/datasets beside the checkout (CI has it; a fresh clone elsewhere may not). */
export const SHARED_DATASETS = resolve(here, '../../../shared/datasets');
export const HAS_SHARED = existsSync(SHARED_DATASETS);

if (!HAS_SHARED) {
  // Visible in the test output, so a skipped suite is never mistaken for a passing one.
  process.stderr.write(`NOTICE: ${SHARED_DATASETS} is absent: tests that need ../shared/datasets are skipped\n`);
}

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DATASETS, ...parts);
}
