import type { Command } from 'commander';
import { register as analyze } from './analyze.js';
import { register as catalog } from './catalog.js';
import { register as classify } from './classify.js';
import { register as db } from './db.js';
import { register as explain } from './explain.js';
import { register as exportCmd } from './export.js';
import { register as report } from './report.js';

/** Every command, in the order `pnyx --help` lists them. Each file exports `register(program)`. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [analyze, classify, explain, report, exportCmd, catalog, db];
