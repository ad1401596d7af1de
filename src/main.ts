// First: DuckDB's allocator reads its settings when DuckDB first allocates (see allocator.ts).
import './allocator.js';
import { Command, CommanderError } from 'commander';
import { PnyxError } from './core/errors.js';
import { sanitizeForTerminal } from './cli/context.js';
import { COMMANDS, type CommandModule } from './cli/commands/index.js';
import { packageVersion } from './cli/version.js';

/** Global options that take a value: the word after them is not the command name. */
const VALUE_OPTIONS = new Set(['--db', '--memory-limit']);

/** The command an argv runs (`pnyx [global options] <command> ...`), if it names one. */
export function commandName(argv: string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/**
 * The program with the commands `argv` needs: only the named command's module when it names a
 * known one (startup cost: see commands/index.ts), else every command (help, usage errors).
 * Without argv: every command (docs/CLI.md).
 */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const name = argv ? commandName(argv) : undefined;
  const versionOnly = name === undefined && argv !== undefined && argv.some((a) => a === '-V' || a === '--version');
  const known = COMMANDS.find((c) => c.name === name);
  const chosen = versionOnly ? [] : known ? [known] : COMMANDS;
  const modules = await Promise.all(chosen.map((c) => c.load()));
  return programWith(modules);
}

function programWith(modules: CommandModule[]): Command {
  const program = new Command('pnyx')
    .description('Offline workload analysis for AI features: ingest request logs, profile every prompt, and find the right model per feature.')
    .version(packageVersion(), '-V, --version')
    .option('--db <path>', 'database file (env PNYX_DB; default .pnyx/pnyx.duckdb)')
    .option('-q, --quiet', 'no progress output on stderr')
    .option('--no-color', 'plain output (also when NO_COLOR is set or stdout is not a terminal)')
    .option('--debug', 'show stack traces for unexpected errors')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 512MB, 2GB (env PNYX_MEMORY_LIMIT; default 1GB); DuckDB spills to disk beyond it. A Parquet file of 32 MB or more is read by a second DuckDB instance with the same limit')
    .option('--show-text', 'allow prompt text and quotes of offending log values in output and messages (off: never printed)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const m of modules) m.register(program);
  return program;
}

/** The one error boundary: typed errors print one line; anything else is a bug. */
export async function run(argv: string[]): Promise<void> {
  // `pnyx ... | head`: a reader that stops early is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const debug = argv.includes('--debug') || process.env.PNYX_DEBUG === '1';
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help/version/usage errors.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof PnyxError) {
      process.stderr.write(`pnyx: ${sanitizeForTerminal(err.message)}\n`);
      if (debug && err.cause instanceof Error) process.stderr.write(`${err.cause.stack}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    const msg = err instanceof Error ? err.message : String(err);
    const line = msg.split('\n')[0] ?? '';
    process.stderr.write(`pnyx: internal error: ${sanitizeForTerminal(argv.includes('--show-text') ? line : withoutQuotedData(line))}\n`);
    if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('pnyx: run again with --debug for details, and please report it\n');
    process.exitCode = 70;
  }
}

/**
 * An unexpected error's message without the data it may quote: DuckDB's messages can end with the
 * input they failed on (`Input: "[{"role":"user","content":...`) or quote a value, which can be a
 * prompt. Printed only with --show-text (--debug's stack trace shows the whole message).
 */
export function withoutQuotedData(message: string): string {
  return message.replace(/\s+Input: .*$/, ' (input not shown; --show-text shows it)').replace(/"[^"]{16,}"|'[^']{16,}'/g, '"…"');
}

