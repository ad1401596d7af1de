import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { adapterByName } from '../core/adapters/index.js';
import { PnyxError } from '../core/errors.js';
import { ConfigFileSchema, type IngestConfig } from '../core/ingestConfig.js';

/** yaml is loaded only to read a YAML config: it added ~40 ms to the start of every command that reads the config (`pnyx report`). */
const parseYaml = (text: string): unknown => (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

export const CONFIG_FILE_NAMES = ['pnyx.config.json', 'pnyx.config.yaml', 'pnyx.config.yml'] as const;

/** The config file named by --config, else the first pnyx.config.{json,yaml,yml} in `cwd`, else none. */
export function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new PnyxError('config', `${explicit}: no such config file`);
    return explicit;
  }
  return CONFIG_FILE_NAMES.map((n) => resolve(cwd, n)).find((p) => existsSync(p));
}

/** Parses a config file as JSON (.json) or YAML (anything else), without validating it. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PnyxError('config', `cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new PnyxError('config', `${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Reads the `ingest` section; `join` paths come back resolved against the config file's folder. */
export function loadIngestConfig(path: string | undefined): IngestConfig | undefined {
  if (!path) return undefined;
  const raw = readConfigFile(path);
  const parsed = ConfigFileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PnyxError('config', `${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const ingest = parsed.data.ingest;
  if (!ingest) return undefined;
  for (const name of Object.keys(ingest.formats ?? {})) {
    if (!adapterByName(name)) throw new PnyxError('config', `${path}: ingest.formats.${name}: unknown format`);
  }
  return { ...ingest, join: ingest.join?.map((p) => resolve(dirname(path), p)) };
}
