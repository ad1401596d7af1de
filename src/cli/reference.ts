import type { Command } from 'commander';

/** Width used for the generated reference, so it does not depend on the terminal. */
const REFERENCE_WIDTH = 100;

function walk(cmd: Command, path: string[], out: string[]): void {
  const name = [...path, cmd.name()].join(' ');
  cmd.configureHelp({ helpWidth: REFERENCE_WIDTH });
  out.push(`## \`${name}\``, '', '```text', cmd.helpInformation().trimEnd(), '```', '');
  for (const sub of cmd.commands) walk(sub, [...path, cmd.name()], out);
}

/**
 * The command reference in docs/CLI.md: every command's `--help`, verbatim. A test regenerates
 * it and fails when the committed file differs, so the docs cannot drift from the code.
 */
export function renderCliReference(program: Command): string {
  const out = ['# pnyx command reference', '', 'Generated from `--help` by `npm run docs:cli`; do not edit by hand.', ''];
  walk(program, [], out);
  return out.join('\n');
}
