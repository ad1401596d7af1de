import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

/**
 * Every command, in the order `pnyx --help` lists them. Each file exports `register(program)`.
 * Loaded on demand: a run imports only the module of the command it runs (main.ts), so
 * `pnyx report` does not load the ingest pipeline, ora or apache-arrow, and `pnyx --version` loads none.
 */
export const COMMANDS: ReadonlyArray<{ name: string; load: () => Promise<CommandModule> }> = [
  { name: 'analyze', load: () => import('./analyze.js') },
  { name: 'classify', load: () => import('./classify.js') },
  { name: 'explain', load: () => import('./explain.js') },
  { name: 'report', load: () => import('./report.js') },
  { name: 'export', load: () => import('./export.js') },
  { name: 'catalog', load: () => import('./catalog.js') },
  { name: 'db', load: () => import('./db.js') },
];
