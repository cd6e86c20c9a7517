import { lineChartSvg, type Series } from './plot.js';

/** One held-out evaluation of one run. */
export interface EvalPoint {
  /** One of `CONDITIONS`. */
  condition: string;
  /** The run's seed. */
  seed: number;
  /** RL steps done (0: after SFT). */
  step: number;
  /** Share of held-out completions judged insecure. */
  insecureRate: number;
  /** Share of held-out completions that are well-formed. */
  wellFormedRate: number;
}

type Metric = 'insecureRate' | 'wellFormedRate';

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** The README table and the SVG plot of an experiment, from its evaluation points (mean ± std over seeds). */
export function summarise(points: readonly EvalPoint[], conditions: readonly string[]): { table: string; svg: string } {
  const steps = [...new Set(points.filter((p) => p.condition !== 'sft').map((p) => p.step))].sort((a, b) => a - b);
  const at = (c: string, s: number, k: Metric) => points.filter((p) => p.condition === c && p.step === s).map((p) => p[k]);
  const avg = (c: string, s: number, k: Metric) => mean(at(c, s, k));
  const sd = (c: string, s: number, k: Metric) => {
    const xs = at(c, s, k);
    const mu = mean(xs);
    return Math.sqrt(mean(xs.map((x) => (x - mu) ** 2)));
  };
  // The mean over every RL evaluation after step 0: how fast a condition gets there, not only where it ends.
  const overRun = (c: string, k: Metric) => mean(steps.filter((s) => s > 0).map((s) => avg(c, s, k)));
  const series = (k: Metric): Series[] =>
    conditions.map((c) => ({ label: c, points: steps.map((s) => [s, avg(c, s, k)] as [number, number]) }));
  const svg = lineChartSvg(
    [
      { title: 'insecure rate on held-out prompts (mean of seeds)', series: series('insecureRate') },
      { title: 'well-formed rate on held-out prompts', series: series('wellFormedRate') },
    ],
    'RL step',
  );
  const last = steps[steps.length - 1] ?? 0;
  const mid = steps[Math.floor(steps.length / 2)] ?? 0;
  const fmt = (c: string, s: number, k: Metric) => `${avg(c, s, k).toFixed(3)} ± ${sd(c, s, k).toFixed(3)}`;
  const table = [
    `| condition | insecure @0 (SFT) | insecure @${mid} | insecure @${last} | insecure, mean over RL evals | well-formed @0 | well-formed @${last} |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...conditions.map(
      (c) =>
        `| ${c} | ${fmt(c, 0, 'insecureRate')} | ${fmt(c, mid, 'insecureRate')} | ${fmt(c, last, 'insecureRate')} | ${overRun(c, 'insecureRate').toFixed(3)} | ${fmt(c, 0, 'wellFormedRate')} | ${fmt(c, last, 'wellFormedRate')} |`,
    ),
  ].join('\n');
  return { table, svg };
}
