// The statistics of the main job's tables: a mean over seeds with a two-sided 95% Student-t interval.

/** t quantiles at 0.975 for 1..30 degrees of freedom; beyond 30 the normal 1.96 is within 2%. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** One line saying how the intervals are computed, for the report and the summary. */
export const INTERVAL_METHOD =
  '95% interval: mean over seeds ± t(0.975, n-1) · s / √n (Student t over the per-seed values, rates clipped to [0, 100%]; none with a single seed)';

/** A mean over seeds and its 95% interval (`low`/`high` null with fewer than two values). */
export interface Interval {
  mean: number;
  low: number | null;
  high: number | null;
  /** Values it summarises (seeds). */
  n: number;
}

/** The 0.975 quantile of Student's t with `df` degrees of freedom (df ≥ 1). */
export function tQuantile975(df: number): number {
  if (!(Number.isInteger(df) && df >= 1)) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  return T975[df - 1] ?? 1.96;
}

/** The mean of `values` and its t-interval over them, clipped to `bounds` when given (rates: [0, 1]); NaN values are left out. */
export function tInterval(values: readonly number[], bounds?: readonly [number, number]): Interval {
  const xs = values.filter((x) => !Number.isNaN(x));
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, low: null, high: null, n };
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  if (n < 2) return { mean, low: null, high: null, n };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  const [lo, hi] = bounds ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  return { mean, low: Math.max(lo, mean - half), high: Math.min(hi, mean + half), n };
}

/** `12.3% [8.1, 16.5]` (the interval's ends in percent), or `12.3%` without an interval. */
export function formatRate(i: Interval, digits = 1): string {
  if (Number.isNaN(i.mean)) return '–';
  const p = (x: number) => (100 * x).toFixed(digits);
  return i.low === null || i.high === null ? `${p(i.mean)}%` : `${p(i.mean)}% [${p(i.low)}, ${p(i.high)}]`;
}
