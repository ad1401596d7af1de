import Table from 'cli-table3';
import type { Verdict } from '../core/recommend/assessFeature.js';
import type { Report } from '../core/report.js';
import { formatCount, type RenderStyle } from './summaryTable.js';
import { confidenceText, currentModelsText, featureDetails, headerLines, monthlyText, routesText } from './reportText.js';

const VERDICT_COLOR: Record<Verdict, number> = { 'over-provisioned': 33, 'under-provisioned': 31, mixed: 35, 'well-matched': 32 };

function paint(s: string, code: number, on: boolean): string {
  return on ? `\u001b[${code}m${s}\u001b[39m` : s;
}
const bold = (s: string, on: boolean): string => (on ? `\u001b[1m${s}\u001b[22m` : s);

/** The terminal report: a summary table, then a section per feature. Colors only when style.color. */
export function renderReportTable(r: Report, style: RenderStyle): string {
  const table = new Table({
    head: ['feature', 'requests', 'verdict', 'assigned', 'recommended', 'monthly now → projected', 'confidence'],
    style: style.color ? { head: ['cyan'] } : { head: [], border: [] },
    wordWrap: true,
    colWidths: [null, null, null, 28, 40, null, null],
  });
  for (const f of r.features) {
    table.push([
      style.clean(f.feature),
      formatCount(f.requests),
      paint(f.verdict, VERDICT_COLOR[f.verdict], style.color),
      style.clean(currentModelsText(f)),
      style.clean(routesText(f)),
      monthlyText(f),
      confidenceText(f),
    ]);
  }
  const out = [...headerLines(r).map((l) => style.clean(l)), table.toString()];
  for (const f of r.features) {
    out.push('', bold(`${style.clean(f.feature)}: ${paint(f.verdict, VERDICT_COLOR[f.verdict], style.color)}`, style.color));
    for (const d of featureDetails(f)) out.push(`  ${d.label === 'VIOLATION' ? paint(d.label, 31, style.color) : d.label}: ${style.clean(d.text)}`);
  }
  for (const w of r.warnings) out.push(`note: ${style.clean(w)}`);
  return out.join('\n');
}

/** The short verdict table `pnyx analyze` prints after its summary. */
export function renderVerdictTable(r: Report, style: RenderStyle): string {
  const table = new Table({
    head: ['feature', 'verdict', 'recommended', 'monthly now → projected', 'confidence'],
    style: style.color ? { head: ['cyan'] } : { head: [], border: [] },
  });
  for (const f of r.features) {
    table.push([style.clean(f.feature), paint(f.verdict, VERDICT_COLOR[f.verdict], style.color), style.clean(routesText(f)), monthlyText(f), confidenceText(f)]);
  }
  return table.toString();
}
