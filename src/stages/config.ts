import { parseConfig, type PnyxConfig } from '../core/config.js';
import { PnyxError } from '../core/errors.js';
import { findConfigFile, readConfigFile } from './ingestConfig.js';

/** Reads and validates the whole config file: `--config PATH`, else pnyx.config.{json,yaml,yml} in `cwd`, else none. */
export function loadConfig(explicit: string | undefined, cwd: string): { config: PnyxConfig; path: string | null } {
  const path = findConfigFile(explicit, cwd);
  if (!path) return { config: {}, path: null };
  const r = parseConfig(readConfigFile(path), path);
  if (!r.ok) throw new PnyxError('config', r.message);
  return { config: r.config, path };
}
