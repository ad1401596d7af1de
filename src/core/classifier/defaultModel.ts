import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PnyxError } from '../errors.js';
import { decodeModel, type QuantizedModel } from './model.js';

/**
 * The shipped weights (data/classifier/weights.bin), read once on first use. The path is resolved
 * relative to this module, so it works from dist/ and from src/ (vitest, tsx) alike.
 * The only file read in src/core: a read-only package asset, not user input.
 */
export const WEIGHTS_URL = new URL('../../../data/classifier/weights.bin', import.meta.url);

let cached: QuantizedModel | undefined;

export function defaultModel(): QuantizedModel {
  if (cached) return cached;
  const path = fileURLToPath(WEIGHTS_URL);
  if (!existsSync(path)) {
    throw new PnyxError('config', `classifier weights missing at ${path}: reinstall pnyx or run \`npx tsx scripts/train-classifier.ts\``);
  }
  cached = decodeModel(readFileSync(path));
  return cached;
}
