import { createHash } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, OVERLONG_KEPT_BYTES } from '../../src/core/jsonlLine.js';
import type { PnyxDb } from '../../src/db/database.js';
import type { ParseJob } from '../../src/stages/parseBatch.js';
import { appendedTo, fileSha256, readBatches, type SourceInfo } from '../../src/stages/sources.js';
import { tempDir } from '../helpers/cli.js';

/**
 * The JSONL reader cuts a file into parse jobs of whole lines, read straight into the block a
 * worker takes (plain files) or copied from the gunzip stream: nothing lost, nothing doubled,
 * every block but the last ends at a line break, and `onBytes` sees the file's own bytes.
 */
const t = tempDir('pnyx-read-batches-');
afterAll(t.cleanup);

/** JSONL needs no database: only Parquet is read through DuckDB. */
const NO_DB = undefined as unknown as PnyxDb;

type ByteJob = Extract<ParseJob, { bytes: Uint8Array }>;

async function read(path: string, gzip: boolean, batchBytes: number, start = 0): Promise<{ jobs: ByteJob[]; seen: Buffer }> {
  const info: SourceInfo = { path, kind: 'jsonl', gzip, size: statSync(path).size };
  const jobs: ByteJob[] = [];
  const seen: Buffer[] = [];
  for await (const job of readBatches(info, NO_DB, batchBytes, (b) => seen.push(Buffer.from(b)), start)) {
    if (!('bytes' in job)) throw new Error('a JSONL file gave a job of texts');
    // Copy now: a worker would own the block; the reader must not write into it again.
    jobs.push({ ...job, bytes: Uint8Array.from(job.bytes) });
  }
  return { jobs, seen: Buffer.concat(seen) };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('readBatches (JSONL)', () => {
  const line = fc.oneof(
    fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, ' ')),
    fc.integer({ min: 0, max: 6000 }).map((n) => 'x'.repeat(n)),
    fc.constant(''),
    fc.constant('crlf\r'),
  );
  const file = fc.record({ lines: fc.array(line, { maxLength: 60 }), endsWithBreak: fc.boolean(), batchBytes: fc.integer({ min: 1, max: 9000 }) });


  for (const gzip of [false, true]) {
    it(`cuts ${gzip ? 'a gzipped' : 'a plain'} file into whole-line blocks, every byte once`, async () => {
      let k = 0;
      await fc.assert(
        fc.asyncProperty(file, async ({ lines, endsWithBreak, batchBytes }) => {
          const text = Buffer.from(lines.join('\n') + (endsWithBreak && lines.length > 0 ? '\n' : ''));
          const path = join(t.path, `f${k++}.jsonl${gzip ? '.gz' : ''}`);
          const onDisk = gzip ? gzipSync(text) : text;
          writeFileSync(path, onDisk);
          const { jobs, seen } = await read(path, gzip, batchBytes);
          if (text.length === 0) {
            expect(jobs).toEqual([]);
            return;
          }
          expect(sha(Buffer.concat(jobs.map((j) => j.bytes)))).toBe(sha(text));
          expect(sha(seen)).toBe(sha(onDisk));
          expect(jobs.map((j) => j.firstBatch)).toEqual(jobs.map((_, i) => i === 0));
          for (const j of jobs.slice(0, -1)) expect(j.bytes.at(-1)).toBe(10);
          expect(jobs.every((j) => j.overlongBytes === undefined)).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('resumes at an offset: the blocks hold the rest of the file, none is the first batch', async () => {
    const path = join(t.path, 'resume.jsonl');
    const lines = Array.from({ length: 500 }, (_, i) => `{"id":"r-${i}","pad":"${'p'.repeat(i % 97)}"}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const start = Buffer.byteLength(`${lines.slice(0, 200).join('\n')}\n`);
    const { jobs, seen } = await read(path, false, 1000, start);
    expect(Buffer.concat(jobs.map((j) => j.bytes)).toString()).toBe(`${lines.slice(200).join('\n')}\n`);
    expect(seen.length).toBe(statSync(path).size - start);
    expect(jobs.some((j) => j.firstBatch)).toBe(false);
  });

  for (const gzip of [false, true]) {
    it(`sends a line past the record limit as a job of its own, its start kept (${gzip ? 'gzip' : 'plain'})`, async () => {
      // Longer than the limit by more than a read (gunzip hands over 1 MiB at a time): the line is
      // given up before its break arrives. (A line that ends within the read that crosses the
      // limit goes out whole and the parser rejects it: same reject.)
      const long = MAX_RECORD_BYTES + 3 * 1024 * 1024 + 12_345;
      const body = Buffer.alloc(long, 0x78);
      body.write('{"id":"huge","p":"', 0);
      const text = Buffer.concat([Buffer.from('{"id":"a"}\n'), body, Buffer.from('\n{"id":"b"}\n{"id":"c"}\n')]);
      const path = join(t.path, `overlong.jsonl${gzip ? '.gz' : ''}`);
      writeFileSync(path, gzip ? gzipSync(text, { level: 1 }) : text);
      const { jobs } = await read(path, gzip, 4096);
      const over = jobs.filter((j) => j.overlongBytes !== undefined);
      expect(over.map((j) => [j.overlongBytes, j.bytes.length])).toEqual([[long, OVERLONG_KEPT_BYTES]]);
      expect(Buffer.from(over[0]!.bytes.subarray(0, 18)).toString()).toBe('{"id":"huge","p":"');
      const rest = jobs.filter((j) => j.overlongBytes === undefined).map((j) => Buffer.from(j.bytes).toString());
      expect(rest.join('')).toBe('{"id":"a"}\n{"id":"b"}\n{"id":"c"}\n');
      // In file order: the short line before, the long one, the two after.
      expect(jobs.map((j) => (j.overlongBytes === undefined ? Buffer.from(j.bytes).toString() : 'LONG'))).toEqual(['{"id":"a"}\n', 'LONG', '{"id":"b"}\n{"id":"c"}\n']);
    });
  }
});

describe('fileSha256 and appendedTo (files read in 4 MiB blocks into one buffer)', () => {
  // 9 MiB and a bit: three blocks, the last one short; a line break every 1,000 bytes or so.
  const body = Buffer.alloc(9 * 1024 * 1024 + 4321, 0x61);
  for (let i = 999; i < body.length; i += 1001) body[i] = 10;
  body[body.length - 1] = 10;
  const path = join(t.path, 'hash.jsonl');
  writeFileSync(path, body);

  it('hashes every byte once, in order', async () => {
    expect(await fileSha256(path)).toBe(sha(body));
    const empty = join(t.path, 'empty.jsonl');
    writeFileSync(empty, '');
    expect(await fileSha256(empty)).toBe(sha(Buffer.alloc(0)));
  });

  it('finds a prefix that spans blocks and counts its lines; refuses a changed or cut prefix', async () => {
    // The prefix ends at a line break past the first two blocks.
    const prefix = body.lastIndexOf(10, 8 * 1024 * 1024 + 500) + 1;
    const got = await appendedTo(path, prefix, sha(body.subarray(0, prefix)));
    const lines = body.subarray(0, prefix).filter((b) => b === 10).length;
    expect(got && { offset: got.offset, lines: got.lines }).toEqual({ offset: prefix, lines });
    // The hash state goes on with the rest of the file to the whole file's digest.
    expect(got!.hash.update(body.subarray(prefix)).digest('hex')).toBe(sha(body));
    expect(await appendedTo(path, prefix, sha(body.subarray(1, prefix + 1)))).toBeUndefined();
    // A prefix that does not end at a line break is no place to go on from.
    expect(await appendedTo(path, prefix - 1, sha(body.subarray(0, prefix - 1)))).toBeUndefined();
  });
});
