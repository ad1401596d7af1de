import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CONFIG_FILE_NAMES, parseConfig, type PnyxConfig } from '../core/config.js';
import { PnyxError } from '../core/errors.js';

/** Reads the routing policy: `--config PATH`, else the first pnyx.config.{json,yaml,yml} in `cwd`, else none. */
export function loadConfig(explicit: string | undefined, cwd: string): { config: PnyxConfig; path: string | null } {
  const path = explicit ?? CONFIG_FILE_NAMES.map((n) => join(cwd, n)).find((p) => existsSync(p));
  if (!path) return { config: {}, path: null };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PnyxError('config', `cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new PnyxError('config', `${path}: not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
  }
  const r = parseConfig(raw, path);
  if (!r.ok) throw new PnyxError('config', r.message);
  return { config: r.config, path };
}
