import type { RenderStyle } from './summaryTable.js';

export interface TaskMixRow {
  feature: string;
  task_type: string;
  n: number;
  share: number;
}

/** One line per feature: its task types by share, e.g. `email  text_generation 80% · rewrite 20%`. */
export function renderTaskMix(rows: TaskMixRow[], style: RenderStyle, top = 3): string {
  const byFeature = new Map<string, TaskMixRow[]>();
  for (const r of rows) byFeature.set(r.feature, [...(byFeature.get(r.feature) ?? []), r]);
  if (byFeature.size === 0) return '';
  const width = Math.max(...[...byFeature.keys()].map((f) => style.clean(f).length)) + 2;
  const lines = ['task mix per feature (capability profiles):'];
  for (const [feature, rs] of byFeature) {
    const parts = rs.slice(0, top).map((r) => `${r.task_type} ${Math.round(r.share * 100)}%`);
    if (rs.length > top) parts.push(`+${rs.length - top} more`);
    lines.push(`  ${style.clean(feature).padEnd(width)}${parts.join(' · ')}`);
  }
  return lines.join('\n');
}
