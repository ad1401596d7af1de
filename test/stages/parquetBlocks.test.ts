import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import { PnyxDb } from '../../src/db/database.js';
import { streamJsonlBlocks, streamJsonRows } from '../../src/db/readers.js';
import { ingestFile } from '../../src/stages/ingest.js';
import { tempDir } from '../helpers/cli.js';

/**
 * Parquet rows reach the parse workers as blocks of JSON lines (streamJsonlBlocks): line n of the
 * blocks is row n, so stored rows and rejects name their row number across block boundaries.
 */
const t = tempDir('pnyx-parquet-blocks-');
afterAll(t.cleanup);

describe('Parquet as JSONL blocks', () => {
  it('numbers rows and rejects by row across many blocks', async () => {
    const n = 3000;
    const file = join(t.path, 'rows.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    // Rows 1000 and 2500 (1-based) have a negative token count: rejected with their row number.
    // Prompts carry a line break and quotes: JSON escapes them, so each row stays one line.
    await c.run(
      `COPY (SELECT 'pq-' || range AS id, 'openai/gpt-4o-mini' AS model, 'note ' || range || E'\\n"quoted" é 😀' AS prompt,
                    'notes' AS feature, CASE WHEN range IN (999, 2499) THEN -1 ELSE 10 + range % 7 END AS prompt_tokens
             FROM range(${n}) ORDER BY range) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 512)`,
    );
    c.closeSync();
    inst.closeSync();
    // Inline parsing (the worker pool needs the build; test/cli/ingestWorkers.test.ts covers it).
    for (const workers of [0]) {
      const db = await PnyxDb.open(join(t.path, `rows-${workers}.duckdb`));
      try {
        // ~100-byte rows in 4 KiB blocks: dozens of blocks.
        const r = await ingestFile(db, file, { mapping: DEFAULT_MAPPING, workers, batchBytes: 4096 });
        expect([r.read, r.stored, r.rejected], `workers ${workers}`).toEqual([n, n - 2, 2]);
        const rows = await db.all<{ id: string; line: number }>(`SELECT request_id AS id, source_line::INTEGER AS line FROM requests ORDER BY source_line`);
        expect(rows.length).toBe(n - 2);
        expect(rows.every((row) => row.id === `pq-${row.line - 1}`), `workers ${workers}`).toBe(true);
        const rejects = await db.all<{ line: number; field: string }>('SELECT line::INTEGER AS line, field FROM rejects ORDER BY line');
        expect(rejects.map((x) => x.line)).toEqual([1000, 2500]);
        const text = await db.one<{ p: string }>(`SELECT messages->>'$[0].content' AS p FROM requests WHERE request_id = 'pq-7'`);
        expect(text?.p).toBe('note 7\n"quoted" é 😀');
      } finally {
        await db.close();
      }
    }
  });

  it('rows come in order, and a reader that stops early (a failed ingest) leaves the database usable', async () => {
    // Each stream runs on a connection of its own, closed when its reader stops.
    const file = join(t.path, 'early.parquet');
    const db = await PnyxDb.open(join(t.path, 'early.duckdb'));
    try {
      await db.run(`COPY (SELECT 'e-' || range AS id, repeat('x', 500) AS prompt FROM range(50000)) TO '${file}' (FORMAT parquet)`);
      for (let round = 0; round < 3; round++) {
        let blocks = 0;
        let seen = 0;
        for await (const block of streamJsonlBlocks(db, file, 4096, 0)) {
          const lines = new TextDecoder().decode(block).trimEnd().split('\n');
          expect(lines.map((l) => JSON.parse(l).id)).toEqual(lines.map((_, i) => `e-${seen + i}`));
          seen += lines.length;
          if (++blocks === 2) break;
        }
        let rows = 0;
        for await (const row of streamJsonRows(db, 'parquet', file)) {
          expect(JSON.parse(row)).toEqual({ id: `e-${rows}`, prompt: 'x'.repeat(500) });
          if (++rows === 3000) break;
        }
        expect([blocks, rows]).toEqual([2, 3000]);
      }
      // Read whole, every row arrives once and in order.
      let count = 0;
      let last = '';
      for await (const block of streamJsonlBlocks(db, file, 1 << 20, 0)) {
        const lines = new TextDecoder().decode(block).trimEnd().split('\n');
        count += lines.length;
        last = lines.at(-1)!;
      }
      expect([count, JSON.parse(last).id]).toEqual([50000, 'e-49999']);
      expect(await db.one<{ n: number }>('SELECT 40 + 2 AS n')).toEqual({ n: 42 });
    } finally {
      await db.close();
    }
  });
});
