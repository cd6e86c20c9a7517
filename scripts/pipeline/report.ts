// The main job's report: one self-contained HTML page (tables, SVG charts, token renders) and a JSON summary.
import type { TokenRewardMap } from '@srcode/dataset';
import type { RunSummary } from '@srcode/reflect';
import { renderHtml } from '@srcode/token-reward';
import { type ConditionName, SFT } from './conditions.js';
import type { ConditionRow, Experiment, GroupRow } from './experiment.js';
import { writeFileAtomic } from './runner.js';
import type { ImportOutput } from './stages/import.js';
import type { RewardMapsOutput } from './stages/reward-maps.js';
import type { SplitSummary } from './stages/setup.js';
import type { RlPoint } from './stages/train.js';
import { type Interval, formatRate } from './stats.js';

/** A pair whose token maps the report shows, and its part in the run. */
export interface PairMaps {
  pairId: string;
  language: string;
  cwe: string;
  role: 'train' | 'held-out';
  maps: TokenRewardMap[];
}

/** Everything the report shows; the summary is this without the token maps and with the map ids instead. */
export interface Report {
  wallSeconds: number;
  backend: string;
  /** The small policy's config, or a Hugging Face checkpoint's description (`model`, `lora`, …). */
  policy: Record<string, unknown>;
  settings: Record<string, unknown>;
  import: ImportOutput;
  reflect: RunSummary;
  rewardMaps: RewardMapsOutput;
  split: SplitSummary;
  tasks: Array<{ id: string; pairId: string; prompt: string; language: string; cwe: string; fixed: string; vulnerable: string }>;
  /** Held-out prompts: `pairId` is the held-out pair a prompt variant asks (its own id for the pair's own prompt). */
  heldout: Array<{ id: string; pairId: string; prompt: string; language: string; cwe: string; fixed: string; vulnerable: string }>;
  skippedTasks: string[];
  experiment: Experiment;
  /** The same tables on the training prompts under their own names (what SFT and RL fitted). */
  trainingSplit?: Experiment;
  /** Each seed's SFT loss after every step. */
  sftLoss: Array<{ seed: number; losses: number[] }>;
  /** Every RL step's metrics, every condition and seed. */
  rlCurves: RlPoint[];
  /** Per held-out prompt and condition, summed over seeds, with one sample of the first seed. */
  perPrompt: Array<{
    id: string;
    prompt: string;
    byCondition: Partial<Record<ConditionName, { samples: number; insecure: number; wellFormed: number; secure: number; example: string }>>;
  }>;
  /** Seconds each training stage took (of this run: a stage done earlier is not timed again). */
  timings: Record<string, number>;
  pairs: PairMaps[];
  /** Where all teacher-forced maps are rendered. */
  allMapsFile: string;
  files: Record<string, string>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}%`);
const COLORS = ['#555f6d', '#2c5d9e', '#7fb2e5', '#c0392b', '#e59866', '#2f7d4f', '#8e44ad'];
const colorOf = (conditions: readonly string[], name: string) =>
  COLORS[(conditions.indexOf(name) + COLORS.length) % COLORS.length] as string;

/** An interval as `low – high`, or an em dash. */
const range = (i: Interval | null) => (i && i.low !== null && i.high !== null ? `[${pct(i.low)}, ${pct(i.high)}]` : '–');

/** A line chart on its own axes: x and y labelled, ticks at the ends and the middle, one polyline per series. */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: Array<{ name: string; color: string; points: Array<[number, number]> }>,
): string {
  const W = 520;
  const H = 240;
  const [left, right, top, bottom] = [58, 150, 26, 42];
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (!pts.length) return `<p><i>${esc(title)}: no data</i></p>`;
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 > 0 && y0 < 0.5 * y1) y0 = 0;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const sx = (x: number) => left + ((x - x0) / Math.max(1e-9, x1 - x0)) * (W - left - right);
  const sy = (y: number) => H - bottom - ((y - y0) / (y1 - y0)) * (H - top - bottom);
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3));
  const yTicks = [y0, (y0 + y1) / 2, y1]
    .map(
      (v) =>
        `<line x1="${left - 4}" y1="${sy(v).toFixed(1)}" x2="${left}" y2="${sy(v).toFixed(1)}" stroke="#333"/><text x="${left - 6}" y="${(sy(v) + 4).toFixed(1)}" font-size="10" text-anchor="end">${fmt(v)}</text>`,
    )
    .join('');
  const xTicks = [...new Set([x0, Math.round((x0 + x1) / 2), x1])]
    .map(
      (v) =>
        `<line x1="${sx(v).toFixed(1)}" y1="${H - bottom}" x2="${sx(v).toFixed(1)}" y2="${H - bottom + 4}" stroke="#333"/><text x="${sx(v).toFixed(1)}" y="${H - bottom + 15}" font-size="10" text-anchor="middle">${v}</text>`,
    )
    .join('');
  const lines = series
    .map((s, i) => {
      const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      const dots =
        p.length <= 12
          ? p.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`).join('')
          : '';
      return `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${p.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>${dots}<rect x="${W - right + 10}" y="${top + 14 * i}" width="10" height="3" fill="${s.color}"/><text x="${W - right + 24}" y="${top + 4 + 14 * i}" font-size="10">${esc(s.name)}</text>`;
    })
    .join('');
  const zero =
    y0 < 0 && y1 > 0
      ? `<line x1="${left}" y1="${sy(0).toFixed(1)}" x2="${W - right}" y2="${sy(0).toFixed(1)}" stroke="#ccc" stroke-dasharray="3 3"/>`
      : '';
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><text x="${left}" y="14" font-size="12" font-weight="bold">${esc(title)}</text>${zero}<line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="#333"/><line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="#333"/>${yTicks}${xTicks}<text x="${(left + W - right) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(xLabel)}</text><text transform="translate(14 ${(top + H - bottom) / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(yLabel)}</text>${lines}</svg></figure>`;
}

/** The mean over seeds of one RL metric at every step, per condition. */
function meanCurve(
  points: readonly RlPoint[],
  condition: string,
  key: 'reward' | 'kl' | 'insecure' | 'malformed',
): Array<[number, number]> {
  const by = new Map<number, number[]>();
  for (const p of points.filter((q) => q.condition === condition)) by.set(p.step, [...(by.get(p.step) ?? []), p[key]]);
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([s, v]) => [s, v.reduce((a, x) => a + x, 0) / v.length]);
}

function conditionTable(rows: readonly ConditionRow[], withSteps = true): string {
  const body = rows
    .map((r) => {
      const steps = !withSteps || r.name === SFT ? '–' : r.stepsToTarget === null ? 'not reached' : String(r.stepsToTarget);
      const change = (i: Interval | null, points: boolean) =>
        i === null ? '–' : `${points ? `${i.mean >= 0 ? '+' : ''}${(100 * i.mean).toFixed(1)} pts` : pct(i.mean)} ${range(i)}`;
      return `<tr><td><b>${esc(r.name)}</b><br><small>${esc(r.description)}</small></td><td>${pct(r.insecure.mean)}<br><small>${range(r.insecure)}</small></td><td>${pct(r.wellFormed.mean)}<br><small>${range(r.wellFormed)}</small></td><td>${pct(r.secure.mean)}<br><small>${range(r.secure)}</small></td><td>${change(r.insecureReduction, false)}</td><td>${change(r.wellFormedChange, true)}</td><td>${steps}</td></tr>`;
    })
    .join('');
  return `<table class="num"><tr><th>condition</th><th>insecure</th><th>well-formed</th><th>secure and well-formed</th><th>fewer insecure than SFT (relative)</th><th>well-formed change vs SFT</th><th>RL steps to target</th></tr>${body}</table>`;
}

function seedTable(rows: readonly ConditionRow[], seeds: readonly number[]): string {
  const head = seeds.map((s) => `<th>seed ${s}: insecure / well-formed</th>`).join('');
  const body = rows
    .map((r) => {
      const cells = seeds
        .map((s) => {
          const x = r.perSeed.find((p) => p.seed === s);
          return `<td>${x ? `${pct(x.insecureRate)} / ${pct(x.wellFormedRate)} <small>(${x.samples})</small>` : '–'}</td>`;
        })
        .join('');
      return `<tr><td>${esc(r.name)}</td>${cells}</tr>`;
    })
    .join('');
  return `<table class="num"><tr><th>condition</th>${head}</tr>${body}</table>`;
}

function groupTable(label: string, groups: readonly GroupRow[], conditions: readonly ConditionName[]): string {
  const head = conditions.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = groups
    .map(
      (g) =>
        `<tr><td>${esc(g.key)}</td><td>${g.prompts}</td>${conditions.map((c) => `<td>${formatRate(g.insecure[c] ?? { mean: Number.NaN, low: null, high: null, n: 0 })}<br><small>wf ${formatRate(g.wellFormed[c] ?? { mean: Number.NaN, low: null, high: null, n: 0 })}</small></td>`).join('')}</tr>`,
    )
    .join('');
  return `<table class="num"><tr><th>${esc(label)}</th><th>held-out prompts</th>${head}</tr>${body}</table>`;
}

/** Writes the HTML report, the JSON summary (every figure of the report), and the page of every pair's maps. */
export function writeReport(r: Report, htmlFile: string, jsonFile: string): void {
  const { experiment: x } = r;
  const { pairs, ...rest } = r;
  const summary = { ...rest, tokenMaps: pairs.map((p) => ({ pairId: p.pairId, role: p.role, maps: p.maps.map((m) => m.id) })) };
  writeFileAtomic(jsonFile, `${JSON.stringify(summary, null, 2)}\n`);
  const conds = x.conditions;
  const rl = conds.filter((c) => c !== SFT);
  const chart = (title: string, yLabel: string, key: 'reward' | 'kl' | 'insecure' | 'malformed') =>
    lineChart(
      title,
      'RL step',
      yLabel,
      rl.map((c) => ({ name: c, color: colorOf(conds, c), points: meanCurve(r.rlCurves, c, key) })),
    );
  const heldoutChart = (title: string, yLabel: string, key: 'insecure' | 'wellFormed') =>
    lineChart(
      title,
      'RL step (0: after SFT)',
      yLabel,
      rl.map((c) => {
        const row = x.rows.find((q) => q.name === c);
        return { name: c, color: colorOf(conds, c), points: (row?.curve ?? []).map((p) => [p.step, p[key].mean] as [number, number]) };
      }),
    );
  const sftChart = lineChart(
    'SFT loss',
    'SFT step',
    'cross-entropy per target token',
    r.sftLoss.map((s, i) => ({
      name: `seed ${s.seed}`,
      color: COLORS[i % COLORS.length] as string,
      points: s.losses.map((l, j) => [j + 1, l] as [number, number]),
    })),
  );
  const regressions = x.regressions.length
    ? `<table><tr><th>condition</th><th>held-out prompt</th><th>worse</th><th>after SFT (all seeds)</th><th>after RL (all seeds)</th></tr>${x.regressions
        .map(
          (g) =>
            `<tr class="bad"><td>${esc(g.condition)}</td><td><code>${esc(g.prompt)}</code></td><td>${g.worse.join(', ')}</td><td>${g.sft.insecure}/${g.samples} insecure, ${g.sft.wellFormed}/${g.samples} well-formed</td><td>${g.rl.insecure}/${g.samples} insecure, ${g.rl.wellFormed}/${g.samples} well-formed</td></tr>`,
        )
        .join('')}</table>`
    : '<p>No held-out prompt fared worse under any RL condition than after SFT.</p>';
  const promptRows = r.perPrompt
    .map((p) => {
      const cells = conds
        .map((c) => {
          const t = p.byCondition[c];
          return `<td>${t ? `${t.insecure}/${t.samples} insecure<br>${t.wellFormed}/${t.samples} well-formed<details><summary>a sample</summary><pre>${esc(t.example)}</pre></details>` : '–'}</td>`;
        })
        .join('');
      return `<tr><td><code>${esc(p.prompt)}</code></td>${cells}</tr>`;
    })
    .join('');
  const checks = x.target.checks.map((c) => `<li class="${c.met ? 'good' : 'bad'}">${esc(c.sentence)}</li>`).join('');
  const reasons = Object.entries(r.reflect.reasons ?? {})
    .map(([k, v]) => `${esc(k)}: ${v}`)
    .join(', ');
  const mapSections = pairs
    .map((p) => {
      const lines = p.maps.reduce((a, m) => a + ((m.text ?? '').match(/\n/g)?.length ?? 0) + 4, 0);
      return `<details id="map-${esc(p.pairId)}"><summary><code>${esc(p.pairId)}</code> (${esc(p.language)}, ${esc(p.cwe)}, ${p.role})</summary><iframe title="token rewards of ${esc(p.pairId)}" style="height:${Math.min(4000, 140 + 22 * lines)}px" srcdoc="${esc(renderHtml(p.maps, { title: p.pairId }))}"></iframe></details>`;
    })
    .join('\n');
  const times = Object.entries(r.timings)
    .map(([k, v]) => `${esc(k)} ${v.toFixed(0)} s`)
    .join(', ');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SRCode main job report</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1180px;margin:24px auto;padding:0 16px;color:#1d2430}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #d5dae1;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f2f4f7}pre{margin:0;font-size:12px;white-space:pre-wrap}code{font-size:12px}small{color:#555}
.good{color:#1e6b3a}.bad{color:#a52a1a}tr.bad td{background:#fdf0ee}figure{display:inline-block;margin:4px 8px 4px 0}
iframe{width:100%;border:1px solid #d5dae1}.claim{font-size:15px;border-left:4px solid #2c5d9e;padding:6px 12px;background:#f5f8fc}</style></head><body>
<h1>SRCode main job</h1>
<p class="claim">${esc(x.claim)}</p>
<p class="${x.target.met ? 'good' : 'bad'}"><b>${esc(x.target.sentence)}</b></p><ul>${checks}</ul>
<p>${esc(r.split.form)} tasks: ${r.split.tasks.train} training prompts (SFT and RL) and <b>${r.split.tasks.heldout} held-out prompts</b> (every evaluation: ${r.split.heldoutPairs} held-out pairs, ${r.split.promptsPerPair} prompts each, the pair's own and the rest under made-up names), split by ${esc(r.split.unit)} (${r.split.units.train} ${esc(r.split.unit)}s for training, ${r.split.units.heldout} held out; no ${esc(r.split.unit)} on both sides${r.split.movedToTrain ? `; ${r.split.movedToTrain} held out at first moved to training, as no training pair had their CWE` : ''}); seeds ${x.seeds.join(', ')}; ${x.rlSteps} RL steps per condition, each from the same seed's SFT checkpoint. Wall time <b>${r.wallSeconds.toFixed(0)} s</b> on the <b>${esc(r.backend)}</b> backend (${times}); ${typeof r.policy.model === 'string' ? `policy: LoRA adapters on ${esc(r.policy.model)}` : `policy ${r.policy.layers} layers × ${r.policy.width} wide`}.</p>
<h2>Conditions (held-out prompts, mean over seeds)</h2>
<p><small>${esc(x.intervalMethod)}. Insecure: a high or medium finding of the built-in analyser; well-formed: parses without error. ${esc(x.functional.note)}.</small></p>
${conditionTable(x.rows)}
<h3>Per seed</h3>
${seedTable(x.rows, x.seeds)}
${
  r.trainingSplit
    ? `<h2>The same conditions on the training prompts (mean over seeds)</h2>
<p><small>${r.split.trainEvaluated} training prompts under their own names, the same samples per prompt. SFT and RL trained on these pairs, so these rates say what the policy fitted and how RL moved it there; only the held-out rates above say anything of functions it never saw.</small></p>
${conditionTable(
  r.trainingSplit.rows.map((row) => ({ ...row, stepsToTarget: null })),
  false,
)}`
    : ''
}
<h2>Regressions (a held-out prompt worse than after SFT)</h2>
${regressions}
<h2>Per CWE (held-out insecure rate, mean ± 95% interval over seeds)</h2>
${groupTable('CWE', x.perCwe, conds)}
<h2>Per language</h2>
${groupTable('language', x.perLanguage, conds)}
<h2>Training</h2>
${sftChart}
${heldoutChart('Held-out insecure rate during RL (mean over seeds)', 'insecure share of samples', 'insecure')}
${heldoutChart('Held-out well-formed rate during RL (mean over seeds)', 'well-formed share of samples', 'wellFormed')}
${chart('Mean reward per RL step (training prompts)', 'summed reward per completion', 'reward')}
${chart('Batch insecure rate per RL step (training prompts)', 'insecure share of the batch', 'insecure')}
${chart('Batch malformed rate per RL step (training prompts)', 'malformed share of the batch', 'malformed')}
${chart('KL to the SFT policy per RL step', 'mean KL per token', 'kl')}
<h2>Per held-out prompt (all seeds)</h2>
<table><tr><th>prompt</th>${conds.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${promptRows}</table>
<h2>Data</h2>
<table class="num"><tr><th>stage</th><th>count</th></tr>
<tr><td>pairs imported</td><td>${r.import.pairs}</td></tr>
<tr><td>accepted by reflection</td><td>${r.reflect.accepted}</td></tr>
<tr><td>rejected by reflection</td><td>${r.reflect.rejected}${reasons ? ` (${reasons})` : ''}</td></tr>
<tr><td>teacher-forced reward maps (${esc(r.rewardMaps.tokenizer)} tokens)</td><td>${r.rewardMaps.maps} maps, ${r.rewardMaps.tokens} tokens: ${r.rewardMaps.positive} positive, ${r.rewardMaps.negative} negative</td></tr>
<tr><td>records in the training / held-out split</td><td>${r.split.records.train} / ${r.split.records.heldout}</td></tr>
<tr><td>training tasks (changed regions of training-split pairs)</td><td>${r.tasks.length}${r.skippedTasks.length ? `, ${r.skippedTasks.length} skipped` : ''}</td></tr>
<tr><td>held-out prompts (held-out pairs × prompts per pair)</td><td>${r.heldout.length} (${r.split.heldoutPairs} × ${r.split.promptsPerPair})</td></tr>${
    r.split.selected
      ? `<tr><td>hunk tasks the analyser and the online map tell apart, before the split (language:CWE pairs/projects)</td><td>${Object.entries(
          r.split.selected,
        )
          .map(([k, v]) => `${esc(k)} ${v.pairs}/${v.projects}`)
          .join(', ')}</td></tr>`
      : ''
  }
<tr><td>tasks whose vulnerable answer the analyser flags and fixed answer it does not (training / held-out)</td><td>${r.split.detectable.train} / ${r.split.detectable.heldout}</td></tr></table>
<h2>Token rewards of every pair the run uses</h2>
<p>Teacher-forced maps (vulnerable side, then fixed side) of each training and held-out pair; every accepted pair's maps are on <a href="${esc(r.allMapsFile)}">${esc(r.allMapsFile)}</a>.</p>
${mapSections}
</body></html>
`;
  writeFileAtomic(htmlFile, html);
}
