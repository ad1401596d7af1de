import { Chalk } from 'chalk';
import type { CapabilityProfile } from '../core/profile.js';

export interface CardStyle {
  color: boolean;
  /** Makes log-derived text safe to print (strips control sequences). */
  clean: (s: string) => string;
}

const BAR = 10;

function bar(x: number): string {
  const n = Math.round(x * BAR);
  return '█'.repeat(n) + '░'.repeat(BAR - n);
}

/**
 * A capability profile as a readable card (what `pnyx classify` and `pnyx explain` print).
 * Never includes prompt text: only the profile's labels, scores and signals.
 */
export function renderProfileCard(p: CapabilityProfile, style: CardStyle, extra: Array<[string, string]> = []): string {
  const c = new Chalk({ level: style.color ? 1 : 0 });
  const level = (x: number, invert = false) => {
    const hot = invert ? x < 0.34 : x >= 0.67;
    const warm = x >= 0.34 && x < 0.67;
    const s = `${bar(x)} ${x.toFixed(2)}`;
    return hot ? c.red(s) : warm ? c.yellow(s) : c.green(s);
  };
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const rows: Array<[string, string]> = [
    ['task', c.bold(p.task_type)],
    ['domain', c.bold(p.domain)],
    ['output', `${p.output_format}${p.structured_output ? ' (structured)' : ''}`],
    ['reasoning', level(p.reasoning)],
    ['complexity', level(p.complexity)],
    ['latency', level(p.latency_sensitivity)],
    ['safety risk', level(p.safety_risk)],
    ['policy', level(p.policy_sensitivity)],
    ['context', `${p.context_tokens.toLocaleString('en-US')} tokens`],
    ['language', p.language],
    ['tools', yes(p.needs_tools)],
    ['multimodal', yes(p.multimodal)],
    ...extra.map(([k, v]): [string, string] => [k, style.clean(v)]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = rows.map(([k, v]) => `${c.dim(k.padEnd(width))}${v}`);
  if (p.signals.length > 0) {
    lines.push(c.dim('signals'));
    for (const s of p.signals) lines.push(`  - ${style.clean(s)}`);
  }
  return lines.join('\n');
}
