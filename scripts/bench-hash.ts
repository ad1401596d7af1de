/**
 * Hashing a whole file, as ingest does before reading anything but plain JSONL (Parquet, CSV,
 * JSON, .gz) and to tell a repeated file from a new one (the skip of a file ingested before with
 * the same content and options): `fileSha256` against a read stream's 64 KB chunks. Alternating
 * rounds; prints wall and CPU seconds of each, and GB/s.
 *
 *   npx tsx scripts/bench-hash.ts FILE [--rounds 3]
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileSha256 } from '../src/stages/sources.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '3' } } });
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: npx tsx scripts/bench-hash.ts FILE [--rounds 3]\n');
  process.exit(2);
}
const size = statSync(file).size;

async function streamSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const ways: [string, (p: string) => Promise<string>][] = [
  ['read stream (64 KB chunks)', streamSha256],
  ['fileSha256 (one 4 MB buffer)', fileSha256],
];
let digest: string | undefined;
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [name, hash] of ways) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const d = await hash(file);
    const cpu = process.cpuUsage(c0);
    const s = (performance.now() - t0) / 1000;
    if (digest !== undefined && d !== digest) throw new Error(`${name}: a different digest`);
    digest = d;
    console.log(`round ${round}  ${name.padEnd(30)} ${s.toFixed(2)} s  cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s  ${(size / 1e9 / s).toFixed(2)} GB/s`);
  }
}
