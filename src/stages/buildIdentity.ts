import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUNDLED_DIR } from '../db/bundledCatalog.js';

/** pnyx's own code (dist/ when installed, src/ under vitest): this file's parent folder. */
const CODE_DIR = fileURLToPath(new URL('../', import.meta.url));

let cached: string | null = null;

/**
 * Identifies this build of pnyx: a hash of the name, size and modification time of every file of
 * its code and bundled catalog data. A stored result keyed by it is not reused by another build,
 * even one with the same version number (a rebuild during development). Stats a few hundred
 * files: a few milliseconds, once per process.
 */
export function buildIdentity(): string {
  if (cached !== null) return cached;
  const h = createHash('sha256');
  for (const root of [CODE_DIR, BUNDLED_DIR]) {
    for (const name of (readdirSync(root, { recursive: true }) as string[]).sort()) {
      const st = statSync(root + name);
      if (st.isFile()) h.update(`${name}\0${st.size}\0${st.mtimeMs}\n`);
    }
  }
  cached = h.digest('hex');
  return cached;
}
