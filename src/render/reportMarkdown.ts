import type { Report } from '../core/report.js';
import { formatCount } from './summaryTable.js';
import { confidenceText, currentModelsText, featureDetails, headerLines, monthlyText, routesText } from './reportText.js';

/** Escapes text for GitHub-flavored markdown (table cells included): no HTML, links or emphasis from log data. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1');
}

const VERDICT_BADGE: Record<string, string> = { 'over-provisioned': '🟠', 'under-provisioned': '🔴', mixed: '🟣', 'well-matched': '🟢' };

/** The report as GitHub-flavored markdown, for a CI job summary or a PR comment. */
export function renderReportMarkdown(r: Report): string {
  const e = escapeMarkdown;
  const out: string[] = ['# pnyx report', ''];
  for (const l of headerLines(r)) out.push(`${e(l)}  `);
  out.push('', '| feature | requests | verdict | assigned | recommended | monthly now → projected | confidence |', '|---|---:|---|---|---|---|---|');
  for (const f of r.features) {
    out.push(
      `| ${e(f.feature)} | ${formatCount(f.requests)} | ${VERDICT_BADGE[f.verdict]} ${f.verdict} | ${e(currentModelsText(f))} | ${e(routesText(f))} | ${e(monthlyText(f))} | ${e(confidenceText(f))} |`,
    );
  }
  for (const f of r.features) {
    out.push('', `## ${e(f.feature)}: ${f.verdict}`, '');
    for (const d of featureDetails(f)) out.push(`- **${e(d.label)}**: ${e(d.text)}`);
  }
  if (r.warnings.length) out.push('', ...r.warnings.map((w) => `> ${e(w)}`));
  return out.join('\n') + '\n';
}
