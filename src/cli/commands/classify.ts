import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { parseBatchLine } from '../../core/classifier/batchInput.js';
import { CLASSIFIER_VERSION, classifyPrompt } from '../../core/classifier/index.js';
import { classifierEngine } from '../../core/classifier/native.js';
import { PnyxError, RecordError } from '../../core/errors.js';
import { renderProfileCard } from '../../render/profileCard.js';
import { resolveGlobalOptions, sanitizeForTerminal } from '../context.js';

interface ClassifyFlags {
  file?: string;
  json?: boolean;
  jsonl?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams `--jsonl`: one profile line per input line, errors to stderr; returns the failure count. */
async function classifyJsonl(source: string): Promise<number> {
  if (source !== '-' && !existsSync(source)) throw new PnyxError('input', `${source}: no such file`);
  const stream = source === '-' ? process.stdin : createReadStream(source, { encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  const name = source === '-' ? 'stdin' : source;
  let lineNo = 0;
  let failed = 0;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      const { id, input } = parseBatchLine(line);
      const out = JSON.stringify({ id, classifier_version: CLASSIFIER_VERSION, ...classifyPrompt(input) });
      if (!process.stdout.write(out + '\n')) await new Promise((r) => process.stdout.once('drain', r));
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      failed++;
      process.stderr.write(sanitizeForTerminal(`pnyx: ${name}:${lineNo}: ${err.field}: ${err.message}`) + '\n');
    }
  }
  return failed;
}

export function register(program: Command): void {
  program
    .command('classify')
    .description('profile prompts offline: task, domain, reasoning, output format, latency, safety, policy (no database, no network)')
    .argument('[text]', 'the prompt text (or use --file, --jsonl, or pipe it on stdin)')
    .option('--file <path>', 'read the prompt from a file')
    .option('--json', 'print the profile as JSON instead of a card')
    .option('--jsonl <file|->', 'batch: JSON lines with `id` and `prompt` (string) or `messages` (chat array); writes one JSON profile per line with the same id')
    .addHelpText(
      'after',
      '\nThe card shows the profile and the signals behind it, never the prompt text.\n' +
        'In --jsonl mode a bad line prints one error on stderr (file:line: field: reason), the rest continue,\n' +
        'and the exit code is 3 if any line failed. Optional per-line fields: system, max_tokens, stream, tools, response_format.\n' +
        'The card names the engine that ran: native (compiled at install) or JavaScript (PNYX_NATIVE=0, or not built).\n\n' +
        'Examples:\n  pnyx classify "Summarize this ticket for the account owner: ..."\n  pnyx classify --file prompt.txt --json\n  cat prompts.jsonl | pnyx classify --jsonl -',
    )
    .action(async (text: string | undefined, flags: ClassifyFlags, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      const sources = [text !== undefined, flags.file !== undefined, flags.jsonl !== undefined].filter(Boolean).length;
      if (sources > 1) throw new PnyxError('usage', 'give the prompt one way: a text argument, --file, or --jsonl');
      if (flags.jsonl !== undefined) {
        const failed = await classifyJsonl(flags.jsonl);
        if (failed > 0) throw new PnyxError('input', `${failed} line${failed > 1 ? 's' : ''} could not be classified (see above)`);
        return;
      }
      let prompt: string;
      if (text !== undefined) prompt = text;
      else if (flags.file !== undefined) {
        if (!existsSync(flags.file)) throw new PnyxError('input', `${flags.file}: no such file`);
        prompt = readFileSync(flags.file, 'utf8');
      } else if (!process.stdin.isTTY) prompt = await readStdin();
      else throw new PnyxError('usage', 'no prompt: pass text, --file <path>, --jsonl <file|->, or pipe text on stdin');
      if (prompt.trim() === '') throw new PnyxError('input', 'the prompt is empty');
      const profile = classifyPrompt(prompt);
      if (flags.json) process.stdout.write(JSON.stringify({ classifier_version: CLASSIFIER_VERSION, ...profile }, null, 2) + '\n');
      else process.stdout.write(renderProfileCard(profile, { color: g.color, clean: sanitizeForTerminal }, [['classifier', `${CLASSIFIER_VERSION}, ${classifierEngine() === 'native' ? 'native engine' : 'JavaScript engine'}`]]) + '\n');
    });
}
