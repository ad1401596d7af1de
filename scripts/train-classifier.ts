/**
 * Trains the capability classifier's weights on the TRAIN split of ../shared/datasets plus the
 * hand-written seed set, and writes data/classifier/weights.bin. Deterministic (seeded).
 *   npx tsx scripts/train-classifier.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLASSIFIER_VERSION } from '../src/core/classifier/index.js';
import { encodeModel, quantize } from '../src/core/classifier/model.js';
import { REPO, isHeldOut, loadExamples } from './classifier/datasets.js';
import { trainModel } from './classifier/train.js';

const all = loadExamples();
// The seed set is always trained on and never scored (see README "Classifier").
const train = all.filter((e) => e.source === 'seed' || !isHeldOut(e));
const t0 = Date.now();
const model = trainModel(train, CLASSIFIER_VERSION);
const bytes = encodeModel(quantize(model));
const out = join(REPO, 'data/classifier/weights.bin');
writeFileSync(out, bytes);
const counts = Object.entries(model.meta.trainedOn ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
process.stdout.write(`trained on ${train.length} of ${all.length} examples (${counts}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
process.stdout.write(`wrote ${out} (${(bytes.length / 1024).toFixed(0)} KiB)\n`);
