import type { Command } from 'commander';
import { register as analyze } from './analyze.js';
import { register as catalog } from './catalog.js';
import { register as exportCmd } from './export.js';
import { register as report } from './report.js';

/** Every command, in the order `pnyx --help` lists them. Each file exports `register(program)`. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [analyze, report, exportCmd, catalog];
