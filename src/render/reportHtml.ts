import { CAPABILITIES } from '../core/catalog/types.js';
import type { FeatureReport, Report } from '../core/report.js';
import { formatCount, formatUsd } from './summaryTable.js';
import { confidenceText, currentModelsText, featureDetails, headerLines, monthlyText, routesText } from './reportText.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const VERDICT_CLASS: Record<string, string> = { 'over-provisioned': 'over', 'under-provisioned': 'under', mixed: 'mixed', 'well-matched': 'ok' };
const BAND_COLORS = ['#dbe7f3', '#9ec3e6', '#4f8fcf', '#1c4f8a'];

/** Grouped horizontal bars: monthly cost now vs projected, per feature. */
function costChart(features: FeatureReport[]): string {
  const rows = features.filter((f) => f.monthly_cost.current !== null || f.monthly_cost.projected !== null);
  if (rows.length === 0) return '<p class="muted">No monthly cost could be extrapolated (no time window in the logs).</p>';
  const max = Math.max(...rows.flatMap((f) => [f.monthly_cost.current ?? 0, f.monthly_cost.projected ?? 0]), 1e-9);
  const label = 190;
  const width = 520;
  const rowH = 34;
  const h = rows.length * rowH + 30;
  const bars = rows
    .map((f, i) => {
      const y = i * rowH + 4;
      const cw = ((f.monthly_cost.current ?? 0) / max) * width;
      const pw = ((f.monthly_cost.projected ?? 0) / max) * width;
      return `<text x="${label - 6}" y="${y + 16}" text-anchor="end">${escapeHtml(f.feature)}</text>
<rect x="${label}" y="${y}" width="${cw.toFixed(1)}" height="12" fill="#9aa5b1"><title>now ${escapeHtml(formatUsd(f.monthly_cost.current))}</title></rect>
<rect x="${label}" y="${y + 13}" width="${pw.toFixed(1)}" height="12" fill="#2f7d4f"><title>projected ${escapeHtml(formatUsd(f.monthly_cost.projected))}</title></rect>
<text x="${label + Math.max(cw, pw) + 6}" y="${y + 16}" class="muted">${escapeHtml(monthlyText(f))}</text>`;
    })
    .join('\n');
  return `<svg role="img" aria-label="monthly cost now vs projected per feature" viewBox="0 0 ${label + width + 200} ${h}" width="100%">
${bars}
<rect x="${label}" y="${h - 18}" width="10" height="10" fill="#9aa5b1"/><text x="${label + 14}" y="${h - 9}">now</text>
<rect x="${label + 60}" y="${h - 18}" width="10" height="10" fill="#2f7d4f"/><text x="${label + 74}" y="${h - 9}">projected</text>
</svg>`;
}

/** Stacked bars per capability: share of the feature's requests per need band. */
function needChart(f: FeatureReport): string {
  const label = 150;
  const width = 300;
  const rowH = 18;
  const bars = CAPABILITIES.map((cap, i) => {
    const bands = f.profile_summary.need_distribution[cap] ?? [1, 0, 0, 0];
    let x = label;
    const y = i * rowH;
    const rects = bands
      .map((s, b) => {
        const w = s * width;
        const r = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="14" fill="${BAND_COLORS[b]}"><title>${cap} need ${b * 25}–${(b + 1) * 25}%: ${Math.round(s * 100)}% of requests</title></rect>`;
        x += w;
        return r;
      })
      .join('');
    return `<text x="${label - 6}" y="${y + 11}" text-anchor="end">${cap}</text>${rects}`;
  }).join('\n');
  return `<svg role="img" aria-label="capability need distribution" viewBox="0 0 ${label + width + 10} ${CAPABILITIES.length * rowH + 4}" width="100%">${bars}</svg>`;
}

function card(f: FeatureReport): string {
  const details = featureDetails(f)
    .map((d) => `<li${d.label === 'VIOLATION' ? ' class="violation"' : ''}><b>${escapeHtml(d.label)}</b>: ${escapeHtml(d.text)}</li>`)
    .join('\n');
  return `<section class="card">
<h2>${escapeHtml(f.feature)} <span class="verdict ${VERDICT_CLASS[f.verdict]}">${f.verdict}</span></h2>
<p>${formatCount(f.requests)} requests on ${escapeHtml(currentModelsText(f))} → <b>${escapeHtml(routesText(f))}</b> · ${escapeHtml(monthlyText(f))} · confidence ${escapeHtml(confidenceText(f))}</p>
<div class="cols"><ul>${details}</ul><figure>${needChart(f)}<figcaption>capability need per request: light = low need, dark = ≥ 0.75</figcaption></figure></div>
</section>`;
}

/** One self-contained HTML file (inline CSS and SVG, no scripts, no network). All log-derived text is escaped. */
export function renderReportHtml(r: Report): string {
  const rows = r.features
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.feature)}</td><td class="num">${formatCount(f.requests)}</td><td><span class="verdict ${VERDICT_CLASS[f.verdict]}">${f.verdict}</span></td><td>${escapeHtml(currentModelsText(f))}</td><td>${escapeHtml(routesText(f))}</td><td>${escapeHtml(monthlyText(f))}</td><td>${escapeHtml(confidenceText(f))}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pnyx report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2733;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dde3ea;padding:.35rem .5rem;text-align:left;vertical-align:top}
.num{text-align:right}.muted{color:#66717d}svg text{font-size:12px;fill:#1d2733}
.verdict{padding:.1rem .45rem;border-radius:.6rem;font-size:12px;color:#fff}.over{background:#c77700}.under{background:#b3261e}.mixed{background:#7b3fa0}.ok{background:#2f7d4f}
.card{border:1px solid #dde3ea;border-radius:8px;padding:0 1rem;margin:1rem 0}.cols{display:grid;grid-template-columns:3fr 2fr;gap:1rem}
.violation{color:#b3261e}figure{margin:0}figcaption{font-size:12px;color:#66717d}
</style></head><body>
<h1>pnyx report</h1>
${headerLines(r)
  .map((l) => `<p class="muted">${escapeHtml(l)}</p>`)
  .join('\n')}
<table><thead><tr><th>feature</th><th>requests</th><th>verdict</th><th>assigned</th><th>recommended</th><th>monthly now → projected</th><th>confidence</th></tr></thead>
<tbody>${rows}</tbody></table>
<h2>Monthly cost: now vs projected</h2>
${costChart(r.features)}
${r.features.map(card).join('\n')}
${r.warnings.map((w) => `<p class="muted">${escapeHtml(w)}</p>`).join('\n')}
<p class="muted">generated ${escapeHtml(r.generated_at)} by pnyx</p>
</body></html>
`;
}
