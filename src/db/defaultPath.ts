/** Default database location, relative to the working directory (apart from database.ts: the CLI reads it without loading DuckDB). */
export const DEFAULT_DB_PATH = '.pnyx/pnyx.duckdb';
