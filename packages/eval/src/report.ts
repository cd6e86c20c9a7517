import type { RateRow, SuiteSummary } from './metrics.js';

const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : `${(v * 100).toFixed(1)}%`);

function metricNames(summaries: readonly SuiteSummary[]): string[] {
  return [...new Set(summaries.flatMap((s) => Object.keys(s.metrics)))].sort();
}

function escapeMd(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** Share of a row's generations flagged at the task's CWE (or a more specific one), when the summary counted it. */
function rateAtCwe(r: RateRow): number | undefined {
  return r.atCwe === undefined ? undefined : r.total ? r.atCwe / r.total : 0;
}

function rateTable(title: string, rows: readonly RateRow[]): string {
  // the at-CWE columns (metric vulnerable-rate-at-cwe) when the summary knew the tasks' CWEs
  const cwe = rows.some((r) => r.atCwe !== undefined);
  const lines = [
    `| ${title} | n | vulnerable | high | medium | rate |${cwe ? ' at CWE | rate at CWE |' : ''}`,
    `| --- | ---: | ---: | ---: | ---: | ---: |${cwe ? ' ---: | ---: |' : ''}`,
  ];
  for (const r of rows) {
    const at = cwe ? ` ${r.atCwe ?? '–'} | ${pct(rateAtCwe(r))} |` : '';
    lines.push(`| ${escapeMd(r.key)} | ${r.total} | ${r.vulnerable} | ${r.high} | ${r.medium} | ${pct(r.rate)} |${at}`);
  }
  return lines.join('\n');
}

/** One Markdown report: a metrics table across runs, then per-analyser rate tables. */
export function toMarkdown(summaries: readonly SuiteSummary[]): string {
  const names = metricNames(summaries);
  const out: string[] = ['# Evaluation report', ''];
  out.push(`| run | benchmark | generations | tasks | skipped |${names.map((n) => ` ${escapeMd(n)} |`).join('')}`);
  out.push(`| --- | --- | ---: | ---: | ---: |${names.map(() => ' ---: |').join('')}`);
  for (const s of summaries) {
    out.push(
      `| ${escapeMd(s.label)} | ${s.benchmark} | ${s.generations} | ${s.tasks} | ${s.skipped} |${names.map((n) => ` ${pct(s.metrics[n])} |`).join('')}`,
    );
  }
  for (const s of summaries) {
    for (const [analyzer, t] of Object.entries(s.byAnalyzer ?? {})) {
      out.push('', `## ${escapeMd(s.label)}: ${analyzer}`, '', rateTable('language', t.byLanguage), '', rateTable('CWE', t.byCwe));
    }
  }
  return `${out.join('\n')}\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const COLOURS = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00'];

/** A grouped bar chart (values in [0, 1]) as inline SVG: one group per metric, one bar per run. */
export function barChartSvg(
  title: string,
  groups: readonly string[],
  series: readonly { label: string; values: readonly number[] }[],
): string {
  const barW = 18;
  const gap = 14;
  const longest = Math.max(0, ...groups.map((g) => g.length));
  // Wide enough for the bars and for the group's label (about 6 px per character at 10 px).
  const groupW = Math.max(series.length * barW + gap, longest * 6 + 10);
  const h = 220;
  const top = 30;
  const bottom = 60;
  const left = 44;
  const width = Math.max(left + Math.max(1, groups.length) * groupW + 20, left + title.length * 8);
  const plot = h - top - bottom;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h + 20 * series.length}" role="img" aria-label="${esc(title)}">`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + plot - tick * plot;
    parts.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y + 4}" font-size="10" text-anchor="end">${tick * 100}%</text>`,
    );
  }
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + (groupW - series.length * barW) / 2;
    series.forEach((s, si) => {
      const v = Math.max(0, Math.min(1, s.values[gi] ?? 0));
      const bh = v * plot;
      parts.push(
        `<rect x="${x0 + si * barW}" y="${top + plot - bh}" width="${barW - 2}" height="${bh}" fill="${COLOURS[si % COLOURS.length]}"><title>${esc(`${s.label} ${g}: ${pct(s.values[gi])}`)}</title></rect>`,
      );
    });
    parts.push(`<text x="${x0 + (series.length * barW) / 2}" y="${top + plot + 14}" font-size="10" text-anchor="middle">${esc(g)}</text>`);
  });
  series.forEach((s, si) => {
    const y = h + 4 + si * 20 - 20;
    parts.push(
      `<rect x="${left}" y="${y}" width="12" height="12" fill="${COLOURS[si % COLOURS.length]}"/>`,
      `<text x="${left + 18}" y="${y + 10}" font-size="11">${esc(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function htmlRateTable(title: string, rows: readonly RateRow[]): string {
  if (!rows.length) return '';
  const cwe = rows.some((r) => r.atCwe !== undefined);
  const head = `<tr><th>${esc(title)}</th><th>n</th><th>vulnerable</th><th>high</th><th>medium</th><th>rate</th>${cwe ? '<th>at CWE</th><th>rate at CWE</th>' : ''}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.key)}</td><td>${r.total}</td><td>${r.vulnerable}</td><td>${r.high}</td><td>${r.medium}</td><td>${pct(r.rate)}</td>${cwe ? `<td>${r.atCwe ?? '–'}</td><td>${pct(rateAtCwe(r))}</td>` : ''}</tr>`,
    )
    .join('');
  return `<table><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** A self-contained HTML page: the Markdown tables as HTML plus SVG charts comparing the runs. */
export function toHtml(summaries: readonly SuiteSummary[]): string {
  const names = metricNames(summaries);
  const rows = summaries
    .map(
      (s) =>
        `<tr><td>${esc(s.label)}</td><td>${esc(s.benchmark)}</td><td>${s.generations}</td><td>${s.tasks}</td><td>${s.skipped}</td>${names.map((n) => `<td>${pct(s.metrics[n])}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const chart = barChartSvg(
    'Metrics by run',
    names,
    summaries.map((s) => ({ label: s.label, values: names.map((n) => s.metrics[n] ?? 0) })),
  );
  const detail = summaries
    .flatMap((s) =>
      Object.entries(s.byAnalyzer ?? {}).map(([a, t]) => {
        const langs = t.byLanguage.map((r) => r.key);
        const cwe = t.byLanguage.some((r) => r.atCwe !== undefined);
        const svg = barChartSvg(`${s.label}: ${a} vulnerable rate by language`, langs, [
          { label: 'any', values: t.byLanguage.map((r) => r.rate) },
          { label: 'high', values: t.byLanguage.map((r) => (r.total ? r.high / r.total : 0)) },
          { label: 'medium', values: t.byLanguage.map((r) => (r.total ? r.medium / r.total : 0)) },
          ...(cwe ? [{ label: 'at the task CWE', values: t.byLanguage.map((r) => rateAtCwe(r) ?? 0) }] : []),
        ]);
        return `<h2>${esc(s.label)}: ${esc(a)}</h2>${svg}${htmlRateTable('CWE', t.byCwe)}`;
      }),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation report</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>Evaluation report</h1>
<table><thead><tr><th>run</th><th>benchmark</th><th>generations</th><th>tasks</th><th>skipped</th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table>
${chart}
${detail}
</body></html>
`;
}
