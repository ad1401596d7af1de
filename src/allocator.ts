/**
 * How long DuckDB's allocator keeps memory it freed before handing it back to the kernel.
 *
 * DuckDB's Linux builds allocate through a bundled jemalloc, which reads DUCKDB_JE_MALLOC_CONF
 * (not glibc's MALLOC_* variables) once, at DuckDB's first allocation; on other systems the
 * variable is ignored. DuckDB sets `dirty_decay_ms` and `muzzy_decay_ms` to 1000: the memory of
 * a row group freed after it is written goes back to the kernel within about a second, and the
 * next row group faults the same amount in again, page by page (page faults are expensive on
 * virtual machines). Keeping freed pages for 10 s lets the next row group reuse them. Measured
 * on the 1M-row bench log (docs/PERFORMANCE_LOG.md, "Twelfth pass"): page faults −26–34%, wall and
 * CPU time 4–14% lower in three of four alternating rounds, peak RSS +30–90 MB (JSONL) and
 * +150–230 MB (Parquet); at 10M JSONL rows ("Thirteenth pass") CPU −10%, page faults −47%,
 * peak RSS 2.53 GB against 2.12 GB. 60 s saved more but took a 1M Parquet run over 2 GB.
 *
 * This module must be imported before anything loads DuckDB (first import of main.ts). A value
 * the user set, even an empty one, is left alone.
 */
export const DUCKDB_ALLOCATOR_CONF = 'dirty_decay_ms:10000,muzzy_decay_ms:10000';

export function setAllocatorConf(env: NodeJS.ProcessEnv = process.env): void {
  env.DUCKDB_JE_MALLOC_CONF ??= DUCKDB_ALLOCATOR_CONF;
}

setAllocatorConf();
