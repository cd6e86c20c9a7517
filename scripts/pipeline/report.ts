// The main job's report: one self-contained HTML page (tables, SVG charts, token renders) and a JSON summary.
import type { TokenRewardMap } from '@srcode/dataset';
import type { RunSummary } from '@srcode/reflect';
import { renderHtml } from '@srcode/token-reward';
import { writeFileAtomic } from './runner.js';
import type { EvalSummary } from './stages/evaluate.js';
import type { ImportOutput } from './stages/import.js';
import type { RewardMapsOutput } from './stages/reward-maps.js';
import type { RlPoint } from './stages/train.js';

/** Everything the report shows; the summary is this without the per-sample records. */
export interface Report {
  wallSeconds: number;
  backend: string;
  policy: Record<string, number>;
  import: ImportOutput;
  reflect: RunSummary;
  rewardMaps: RewardMapsOutput;
  tasks: Array<{ id: string; prompt: string; fixed: string; vulnerable: string }>;
  skippedTasks: string[];
  before: EvalSummary;
  after: EvalSummary;
  curve: RlPoint[];
  renders: TokenRewardMap[];
  files: Record<string, string>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function barChart(groups: Array<{ name: string; before: number; after: number }>): string {
  const W = 560;
  const H = 220;
  const pad = 40;
  const gw = (W - pad) / groups.length;
  const bars = groups
    .map((g, i) => {
      const x = pad + i * gw + gw * 0.15;
      const bw = gw * 0.3;
      const bar = (v: number, dx: number, color: string) => {
        const h = v * (H - 50);
        return `<rect x="${(x + dx).toFixed(1)}" y="${(H - 30 - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${pct(v)}</title></rect><text x="${(x + dx + bw / 2).toFixed(1)}" y="${(H - 34 - h).toFixed(1)}" font-size="11" text-anchor="middle">${pct(v)}</text>`;
      };
      return `${bar(g.before, 0, '#9aa5b1')}${bar(g.after, bw, '#2f7d4f')}<text x="${(x + bw).toFixed(1)}" y="${H - 12}" font-size="12" text-anchor="middle">${esc(g.name)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="before and after RL"><line x1="${pad}" y1="${H - 30}" x2="${W}" y2="${H - 30}" stroke="#333"/>${bars}<rect x="${W - 170}" y="6" width="12" height="12" fill="#9aa5b1"/><text x="${W - 154}" y="16" font-size="12">after SFT</text><rect x="${W - 90}" y="6" width="12" height="12" fill="#2f7d4f"/><text x="${W - 74}" y="16" font-size="12">after RL</text></svg>`;
}

function lineChart(series: Array<{ name: string; color: string; points: Array<[number, number]> }>, yLabel: string): string {
  const W = 560;
  const H = 220;
  const pad = 44;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(0, ...ys), Math.max(...ys)];
  if (y1 === y0) y1 = y0 + 1;
  const sx = (x: number) => pad + ((x - x0) / Math.max(1, x1 - x0)) * (W - pad - 10);
  const sy = (y: number) => H - 30 - ((y - y0) / (y1 - y0)) * (H - 50);
  const lines = series
    .map(
      (s, i) =>
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/><text x="${W - 150}" y="${16 + 14 * i}" font-size="12" fill="${s.color}">${esc(s.name)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${esc(yLabel)}"><line x1="${pad}" y1="${sy(0)}" x2="${W - 10}" y2="${sy(0)}" stroke="#bbb"/><line x1="${pad}" y1="20" x2="${pad}" y2="${H - 30}" stroke="#333"/><text x="4" y="14" font-size="11">${esc(yLabel)}</text><text x="${pad}" y="${H - 12}" font-size="11">step ${x0}</text><text x="${W - 60}" y="${H - 12}" font-size="11">step ${x1}</text><text x="4" y="${sy(y1) + 4}" font-size="10">${y1.toFixed(2)}</text><text x="4" y="${sy(y0) + 4}" font-size="10">${y0.toFixed(2)}</text>${lines}</svg>`;
}

/** Writes the HTML report and the JSON summary (everything but the per-sample records). */
export function writeReport(r: Report, htmlFile: string, jsonFile: string): void {
  const strip = ({ generations: _g, results: _r, ...rest }: EvalSummary) => rest;
  const summary = { ...r, before: strip(r.before), after: strip(r.after), renders: r.renders.map((m) => m.id) };
  writeFileAtomic(jsonFile, `${JSON.stringify(summary, null, 2)}\n`);
  const taskRows = r.tasks
    .map((t) => {
      const b = r.before.perTask[t.id];
      const a = r.after.perTask[t.id];
      const cell = (x: { insecure: number; secure: number; samples: number } | undefined) =>
        x ? `${x.insecure}/${x.samples} insecure, ${x.secure}/${x.samples} secure` : '–';
      return `<tr><td><code>${esc(t.prompt)}</code></td><td><pre>${esc(t.vulnerable)}</pre></td><td><pre>${esc(t.fixed)}</pre></td><td>${cell(b)}</td><td>${cell(a)}</td><td><pre>${esc(a?.example ?? '')}</pre></td></tr>`;
    })
    .join('');
  const reasons = Object.entries(r.reflect.reasons ?? {})
    .map(([k, v]) => `${esc(k)}: ${v}`)
    .join(', ');
  const metric = (name: string, key: 'insecureRate' | 'wellFormedRate' | 'secureRate' | 'exactFixedRate') =>
    `<tr><td>${name}</td><td>${pct(r.before[key])}</td><td>${pct(r.after[key])}</td></tr>`;
  const render = renderHtml(r.renders, { title: 'Token rewards' });
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SRCode main job report</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#1d2430}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #d5dae1;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f7}pre{margin:0;font-size:12px;white-space:pre-wrap}code{font-size:12px}.num td:nth-child(n+2){text-align:right}
iframe{width:100%;height:520px;border:1px solid #d5dae1}</style></head><body>
<h1>SRCode main job</h1>
<p>Pipeline: import → reflection (${esc(r.reflect.done ? 'judge over ' + r.reflect.done + ' pairs' : 'judge')}) → PrimeVul+ records → token reward maps → SFT and RL with token-level rewards → evaluation before and after. Wall time <b>${r.wallSeconds.toFixed(0)} s</b> on the <b>${esc(r.backend)}</b> backend; policy ${r.policy.layers} layers × ${r.policy.width} wide.</p>
<h2>Headline</h2>
<table class="num"><tr><th>metric (${r.after.samples} samples, temperature 1)</th><th>after SFT</th><th>after RL</th></tr>
${metric('insecure rate (built-in analyser, high or medium finding)', 'insecureRate')}
${metric('well-formed rate (parses without error)', 'wellFormedRate')}
${metric('secure and well-formed', 'secureRate')}
${metric('reproduces the fixed reference exactly', 'exactFixedRate')}
<tr><td>high / medium findings</td><td>${r.before.findings.high} / ${r.before.findings.medium}</td><td>${r.after.findings.high} / ${r.after.findings.medium}</td></tr></table>
${barChart([
  { name: 'insecure', before: r.before.insecureRate, after: r.after.insecureRate },
  { name: 'well-formed', before: r.before.wellFormedRate, after: r.after.wellFormedRate },
  { name: 'secure', before: r.before.secureRate, after: r.after.secureRate },
])}
<h2>Data</h2>
<table class="num"><tr><th>stage</th><th>count</th></tr>
<tr><td>pairs imported</td><td>${r.import.pairs}</td></tr>
<tr><td>accepted by reflection</td><td>${r.reflect.accepted}</td></tr>
<tr><td>rejected by reflection</td><td>${r.reflect.rejected}${reasons ? ` (${reasons})` : ''}</td></tr>
<tr><td>implicit prompts written</td><td>${r.reflect.prompts?.written ?? 0} (mean pairwise similarity ${(r.reflect.prompts?.meanSimilarityBefore ?? 0).toFixed(3)} → ${(r.reflect.prompts?.meanSimilarityAfter ?? 0).toFixed(3)} after the diversity filter)</td></tr>
<tr><td>teacher-forced reward maps (${esc(r.rewardMaps.tokenizer)} tokens)</td><td>${r.rewardMaps.maps} maps, ${r.rewardMaps.tokens} tokens: ${r.rewardMaps.positive} positive, ${r.rewardMaps.negative} negative</td></tr>
<tr><td>policy tasks (changed regions of accepted pairs)</td><td>${r.tasks.length}${r.skippedTasks.length ? `, ${r.skippedTasks.length} skipped (region too long)` : ''}</td></tr></table>
<h2>Training</h2>
${lineChart(
  [
    { name: 'mean reward', color: '#2f7d4f', points: r.curve.map((p) => [p.step, p.reward]) },
    { name: 'batch insecure rate', color: '#c0392b', points: r.curve.map((p) => [p.step, p.insecure]) },
    { name: 'KL to SFT', color: '#2c5d9e', points: r.curve.map((p) => [p.step, p.kl]) },
  ],
  'RL (token-grpo, token + instance rewards)',
)}
<h2>Per task</h2>
<table><tr><th>prompt</th><th>vulnerable answer</th><th>fixed answer</th><th>after SFT</th><th>after RL</th><th>a sample after RL</th></tr>${taskRows}</table>
<h2>Token rewards</h2>
<p>Teacher-forced maps of reference pairs (fixed side positive, vulnerable side negative), then online maps of completions of the trained policy.</p>
<iframe title="token reward renders" srcdoc="${esc(render)}"></iframe>
</body></html>
`;
  writeFileAtomic(htmlFile, html);
}
