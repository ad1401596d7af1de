import type { Command } from 'commander';
import { PnyxError } from '../../core/errors.js';
import type { ChatMessage } from '../../core/request.js';
import { requestWithProfile } from '../../db/profiles.js';
import { formatMs, formatUsd } from '../../render/summaryTable.js';
import { renderProfileCard } from '../../render/profileCard.js';
import { openDb } from '../db.js';
import { resolveGlobalOptions, sanitizeForTerminal } from '../context.js';

interface ExplainFlags {
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('explain')
    .description("show one stored request's capability profile, the signals behind it, and its metadata")
    .argument('<request-id>', 'the request id (as stored by `pnyx analyze`)')
    .option('--json', 'print request metadata and profile as JSON')
    .addHelpText('after', '\nThe stored prompt text (system prompt and messages) is shown only with the global --show-text flag:\n  pnyx explain req-123 --show-text')
    .action(async (requestId: string, flags: ExplainFlags, cmd: Command) => {
      const g = resolveGlobalOptions(cmd.optsWithGlobals());
      const showText = g.showText;
      const db = await openDb(g, { readOnly: true });
      try {
        const r = await requestWithProfile(db, requestId);
        if (!r) throw new PnyxError('not_found', `no stored request with id ${requestId}`);
        const messages = r.messages ? (JSON.parse(r.messages) as ChatMessage[]) : [];
        if (flags.json) {
          const { system_prompt, messages: _m, ...meta } = r;
          const out = showText ? { ...meta, system_prompt, messages } : meta;
          process.stdout.write(JSON.stringify(out, null, 2) + '\n');
          return;
        }
        const meta: Array<[string, string]> = [
          ['request', r.request_id],
          ['feature', r.feature],
          ['model', r.model],
          ['time', r.ts ? r.ts.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—'],
          ['tokens in/out', `${r.prompt_tokens ?? '—'} / ${r.completion_tokens ?? '—'}`],
          ['cost', formatUsd(r.cost_usd)],
          ['latency', formatMs(r.latency_ms)],
        ];
        const width = Math.max(...meta.map(([k]) => k.length)) + 2;
        const out: string[] = meta.map(([k, v]) => `${k.padEnd(width)}${sanitizeForTerminal(v)}`);
        out.push('');
        if (r.profile) {
          out.push(renderProfileCard(r.profile, { color: g.color, clean: sanitizeForTerminal }, [['classifier', r.profile.classifier_version]]));
        } else out.push('no profile stored yet: run `pnyx analyze` to classify stored requests');
        if (showText) {
          out.push('', '--- prompt text ---');
          if (r.system_prompt) out.push(`[system]\n${sanitizeForTerminal(r.system_prompt)}`);
          for (const m of messages) out.push(`[${sanitizeForTerminal(m.role)}]\n${sanitizeForTerminal(m.content)}`);
        }
        process.stdout.write(out.join('\n') + '\n');
      } finally {
        db.close();
      }
    });
}
