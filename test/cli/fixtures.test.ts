import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../../scripts/fixtures/features/index.js';
import { FIXTURES, runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir('pnyx-cli-fixtures-');
afterAll(tmp.cleanup);

describe('pnyx analyze on the bundled fixtures', () => {
  it('stores every record of crm-sample.jsonl (0 rejected) and lists the seven features', () => {
    const sample = join(FIXTURES, 'crm-sample.jsonl');
    const lines = readFileSync(sample, 'utf8').trimEnd().split('\n').length;
    const r = runCli(['analyze', sample, '--db', join(tmp.path, 'sample.duckdb')]);
    expect(r.stderr).toContain(`${lines} read, ${lines} stored, 0 duplicates, 0 rejected`);
    expect(r.code).toBe(0);
    for (const f of FEATURES) expect(r.stdout).toContain(f.name);
  });

  // One per reader path (gzip JSONL, JSON array, DuckDB's CSV and Parquet readers); the flat and
  // canonical variants share the JSONL path and are compared record by record in test/fixtures.
  it.each(['crm-50.jsonl.gz', 'crm-50.json', 'crm-50.csv', 'crm-50.parquet'])('stores all 50 records of formats/%s (0 rejected)', (file) => {
    const r = runCli(['analyze', join(FIXTURES, 'formats', file), '--db', join(tmp.path, `${file}.duckdb`)]);
    expect(r.stderr).toContain('50 read, 50 stored, 0 duplicates, 0 rejected');
    expect(r.code).toBe(0);
    for (const f of FEATURES) expect(r.stdout).toContain(f.name);
  });

  // DuckDB wrote the Parquet copy from the JSONL: its response_format column is one struct for
  // all rows, so a row's to_json has "key":null for the keys other rows' schemas have (8 rows).
  it('reads the Parquet copy of crm-50.jsonl as the same 50 requests: all duplicates, none with different content', () => {
    const db = join(tmp.path, 'jsonl-then-parquet.duckdb');
    expect(runCli(['analyze', join(FIXTURES, 'formats', 'crm-50.jsonl'), '--db', db]).stderr).toContain('50 read, 50 stored, 0 duplicates, 0 rejected');
    const r = runCli(['analyze', join(FIXTURES, 'formats', 'crm-50.parquet'), '--db', db]);
    expect(r.stderr).toContain('50 read, 0 stored, 50 duplicates, 0 rejected');
    expect(r.stderr).not.toContain('different content');
    expect(r.code).toBe(0);
  });
});
