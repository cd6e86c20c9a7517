/**
 * The unbiased pass@k estimator: the chance that at least one of k samples drawn without
 * replacement from n generations (c of them correct) is correct, `1 - C(n-c, k) / C(n, k)`,
 * computed as a product to stay exact for large n.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 0 || c < 0 || c > n || k < 1) {
    throw new RangeError(`passAtK needs integers 0 <= c <= n and k >= 1; got n=${n}, c=${c}, k=${k}`);
  }
  if (k > n) return c > 0 ? 1 : 0;
  if (n - c < k) return 1;
  let miss = 1;
  for (let i = n - c + 1; i <= n; i++) miss *= 1 - k / i;
  return 1 - miss;
}

/** Per task: how many samples and how many were correct. */
export interface SampleCount {
  /** Samples generated for the task. */
  n: number;
  /** Samples that passed. */
  c: number;
}

/** Mean pass@k over tasks; tasks with fewer than k samples are skipped, NaN when none is left. */
export function meanPassAtK(counts: Iterable<SampleCount>, k: number): number {
  let sum = 0;
  let tasks = 0;
  for (const { n, c } of counts) {
    if (n < k) continue;
    sum += passAtK(n, c, k);
    tasks++;
  }
  return tasks === 0 ? Number.NaN : sum / tasks;
}
