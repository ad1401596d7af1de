import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../src/core/adapters/attribution.js';
import { PnyxDb } from '../../src/db/database.js';
import { ProfileObserver } from '../../src/stages/classify.js';
import { ingestFile } from '../../src/stages/ingest.js';
import { tempDir } from '../helpers/cli.js';

/**
 * Stored text crosses from the parser to DuckDB as UTF-8 bytes: a NUL character inside a prompt
 * or an id is stored whole (not cut at the NUL), a lone surrogate (which JSON can carry as a
 * `\ud800` escape) as U+FFFD, which is what DuckDB's own string appends stored before; the
 * profile's request_id matches its request's. The JSON columns (`messages`, `metadata`, `tools`,
 * `raw`) hold a lone surrogate as the escape `\ufffd`: DuckDB's JSON functions reject `\ud800`.
 */
const t = tempDir('pnyx-ingest-bytes-');
afterAll(t.cleanup);

function rec(id: string, content: string): string {
  return JSON.stringify({
    id,
    timestamp: '2026-08-10T08:00:00.000Z',
    metadata: { feature: 'support_reply', tenant_id: 't1' },
    request: { model: 'openai/gpt-4o-mini', messages: [{ role: 'system', content }, { role: 'user', content: 'Reply, please.' }] },
    response: { usage: { prompt_tokens: 100, completion_tokens: 20 } },
  });
}

describe('ingest stores text byte for byte', () => {
  it('keeps NULs, turns lone surrogates into U+FFFD, and profiles the same ids', async () => {
    const f = join(t.path, 'odd.jsonl');
    const ids = ['nul\u0000id', 'lone\ud800', 'plain-id-that-is-long', 'é'];
    writeFileSync(f, [rec(ids[0]!, 'before\u0000after'), rec(ids[1]!, 'x \udc00 y'), rec(ids[2]!, '中文 😀'), rec(ids[3]!, '\u0000')].join('\n') + '\n');
    const db = await PnyxDb.open(join(t.path, 'odd.duckdb'));
    try {
      const r = await ingestFile(db, f, { mapping: DEFAULT_MAPPING, workers: 0, storeText: 'full', observers: [new ProfileObserver()] });
      expect([r.stored, r.rejected]).toEqual([4, 0]);
      const rows = await db.all<{ id: string; msg: string; profiled: boolean }>(
        `SELECT hex(encode(r.request_id)) AS id, hex(encode(r.system_prompt)) AS msg,
                EXISTS (SELECT 1 FROM profiles p WHERE p.request_id = r.request_id) AS profiled
         FROM requests r ORDER BY r.source_line`,
      );
      const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
      expect(rows).toEqual([
        { id: '6E756C006964', msg: hex('before') + '00' + hex('after'), profiled: true },
        { id: hex('lone') + 'EFBFBD', msg: hex('x ') + 'EFBFBD' + hex(' y'), profiled: true },
        { id: hex('plain-id-that-is-long'), msg: hex('中文 😀'), profiled: true },
        { id: 'C3A9', msg: '00', profiled: true },
      ]);
    } finally {
      await db.close();
    }
  });

  it('keeps the JSON columns readable by DuckDB when a prompt has a lone surrogate, also for a conflicting duplicate', async () => {
    // Before: the conflicting copy's `messages` ("\ud800" escape) failed json_object at commit,
    // an internal error that quoted the prompt.
    const f = join(t.path, 'lone-json.jsonl');
    const line = (content: string, meta: string) =>
      JSON.stringify({
        request_id: 'r1',
        timestamp: '2026-08-01T00:00:00Z',
        feature: 'email',
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content }],
        tools: [{ type: 'function', function: { name: `f${meta}` } }],
        metadata: { note: meta },
      });
    // The log writes lone surrogates as escapes, and one valid pair as escapes too (kept).
    writeFileSync(f, [line('hi \ud800 there', 'x\udc00'), line('different \ud800', 'y'), line('pair \ud83d\ude00 ok', 'z').replace('"r1"', '"r2"')].join('\n') + '\n');
    for (const storeText of ['full', 'redacted'] as const) {
      const db = await PnyxDb.open(join(t.path, `lone-json-${storeText}.duckdb`));
      try {
        const r = await ingestFile(db, f, { mapping: DEFAULT_MAPPING, workers: 0, storeText, storeRaw: true, observers: [new ProfileObserver()] });
        // The conflicting copy is kept as a reject (not counted as a duplicate).
        expect([r.stored, r.duplicates, r.rejected], storeText).toEqual([2, 0, 1]);
        const rows = await db.all<{ id: string; content: string; note: string; tool: string; raw: string }>(
          `SELECT request_id AS id, messages->>'$[0].content' AS content, metadata->>'note' AS note,
                  tools->>'$[0].function.name' AS tool, raw->>'$.messages[0].content' AS raw
           FROM requests ORDER BY request_id`,
        );
        expect(rows, storeText).toEqual([
          { id: 'r1', content: 'hi \ufffd there', note: 'x\ufffd', tool: 'fx\ufffd', raw: 'hi \ufffd there' },
          { id: 'r2', content: 'pair 😀 ok', note: 'z', tool: 'fz', raw: 'pair 😀 ok' },
        ]);
        const reject = await db.one<{ content: string }>(`SELECT raw::JSON->>'$.messages[0].content' AS content FROM rejects`);
        expect(reject?.content, storeText).toBe('different \ufffd');
      } finally {
        await db.close();
      }
    }
  });
});
