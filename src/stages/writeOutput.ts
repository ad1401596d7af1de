import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PnyxError } from '../core/errors.js';
import { writePrivateFile } from './privateFile.js';

/** Default folder for report and export files. */
export const DEFAULT_OUTPUT_DIR = 'reports';

/**
 * Where a file goes: `out` when it names a file, `out/<defaultName>` when it is a folder (exists as
 * one, or ends with a slash), `reports/<defaultName>` when absent.
 */
export function resolveOutputPath(out: string | undefined, defaultName: string): string {
  if (!out) return join(DEFAULT_OUTPUT_DIR, defaultName);
  if (/[\\/]$/.test(out) || (existsSync(out) && statSync(out).isDirectory())) return join(out, defaultName);
  return out;
}

/**
 * Writes a file readable by its owner only (reports carry workload details); folders are created
 * 0700. The file itself goes through writePrivateFile: 0600 from its first byte, atomically.
 */
export function writeOwnerOnly(path: string, data: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new PnyxError('input', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  writePrivateFile(path, data);
}
