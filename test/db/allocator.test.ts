import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DUCKDB_ALLOCATOR_CONF, setAllocatorConf } from '../../src/allocator.js';
import { REPO } from '../helpers/cli.js';

describe('setAllocatorConf', () => {
  it('sets the decay times when the variable is unset', () => {
    const env: NodeJS.ProcessEnv = {};
    setAllocatorConf(env);
    expect(env.DUCKDB_JE_MALLOC_CONF).toBe('dirty_decay_ms:10000,muzzy_decay_ms:10000');
  });

  it('leaves a value the user set alone, even an empty one', () => {
    const env: NodeJS.ProcessEnv = { DUCKDB_JE_MALLOC_CONF: 'dirty_decay_ms:2000' };
    setAllocatorConf(env);
    expect(env.DUCKDB_JE_MALLOC_CONF).toBe('dirty_decay_ms:2000');
    const empty: NodeJS.ProcessEnv = { DUCKDB_JE_MALLOC_CONF: '' };
    setAllocatorConf(empty);
    expect(empty.DUCKDB_JE_MALLOC_CONF).toBe('');
  });
});

/**
 * DuckDB's bundled jemalloc (Linux builds only) reads the variable at DuckDB's first allocation.
 * A child imports the build's entry point the way bin/pnyx does, then opens DuckDB and asks
 * jemalloc to print its options at exit (stats_print): the decay times must be the ones set.
 */
const jemalloc = process.platform === 'linux';
if (!jemalloc) console.warn(`allocator.test: skipped on ${process.platform} (DuckDB uses jemalloc on Linux only)`);

function decayInChild(env: NodeJS.ProcessEnv): string | undefined {
  const main = pathToFileURL(join(REPO, 'dist/main.js')).href;
  const api = pathToFileURL(join(REPO, 'node_modules/@duckdb/node-api/lib/index.js')).href;
  const script = `
    await import(${JSON.stringify(main)});
    process.env.DUCKDB_JE_MALLOC_CONF += ',stats_print:true';
    const { DuckDBInstance } = await import(${JSON.stringify(api)});
    const conn = await (await DuckDBInstance.create()).connect();
    await conn.run('SELECT sum(range) FROM range(100000)');
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  expect(r.status, r.stderr.slice(0, 500)).toBe(0);
  return /opt\.dirty_decay_ms: (-?\d+)/.exec(r.stdout + r.stderr)?.[1];
}

describe.runIf(jemalloc)("DuckDB's allocator in the build", () => {
  const { DUCKDB_JE_MALLOC_CONF: _drop, ...inherited } = process.env;

  it('keeps freed memory for 10 s instead of DuckDB’s 1 s', () => {
    expect(DUCKDB_ALLOCATOR_CONF).toContain('dirty_decay_ms:10000');
    expect(decayInChild(inherited)).toBe('10000');
  });

  it('takes the user’s own setting when there is one', () => {
    expect(decayInChild({ ...inherited, DUCKDB_JE_MALLOC_CONF: 'dirty_decay_ms:2500' })).toBe('2500');
  });
});
