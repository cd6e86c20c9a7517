/** Token-sequence distances used to compare completion nodes with reference units. */

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}

/**
 * A lower bound of the edit distance that costs two passes: tokens of one bag missing from the other.
 * `counts` is scratch space indexed by id + 1, all zero on entry and on return.
 */
export function bagDistance(a: ArrayLike<number>, b: ArrayLike<number>, counts: Int32Array): number {
  for (let i = 0; i < a.length; i++) {
    const k = (a[i] as number) + 1;
    counts[k] = (counts[k] as number) + 1;
  }
  let missing = 0;
  for (let i = 0; i < b.length; i++) {
    const k = (b[i] as number) + 1;
    if ((counts[k] as number) > 0) counts[k] = (counts[k] as number) - 1;
    else missing++;
  }
  let extra = 0;
  for (let i = 0; i < a.length; i++) {
    const k = (a[i] as number) + 1;
    extra += counts[k] as number;
    counts[k] = 0;
  }
  return Math.max(missing, extra);
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/**
 * Edit distance between `a` and `b`, or `max + 1` as soon as it must exceed `max` (only a band of
 * width 2 * max + 1 is computed, so unrelated sequences are rejected cheaply).
 */
export function boundedDistance(a: Int32Array, b: Int32Array, max: number): number {
  const inf = max + 1;
  if (Math.abs(a.length - b.length) > max) return inf;
  // a common prefix and suffix cost nothing: near-identical sequences leave a tiny table
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let q = 0;
  while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
  if (p > 0 || q > 0) {
    a = a.subarray(p, a.length - q);
    b = b.subarray(p, b.length - q);
  }
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return Math.min(Math.max(n, m), inf);
  if (rowA.length <= m + 1) {
    rowA = new Int32Array(2 * (m + 1));
    rowB = new Int32Array(2 * (m + 1));
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= m; j++) prev[j] = j <= max ? j : inf;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    cur[0] = i <= max ? i : inf;
    if (lo > 1) cur[lo - 1] = inf;
    let rowMin = cur[0] as number;
    const ai = a[i - 1];
    for (let j = lo; j <= hi; j++) {
      let v = (prev[j - 1] as number) + (ai === b[j - 1] ? 0 : 1);
      const del = (prev[j] as number) + 1;
      const ins = (cur[j - 1] as number) + 1;
      if (del < v) v = del;
      if (ins < v) v = ins;
      if (v > inf) v = inf;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < m) cur[hi + 1] = inf;
    if (rowMin > max) return inf;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[m] as number, inf);
}

/** Edit distance between two token arrays (full table: used on the few close matches only). */
export function stringDistance(a: readonly string[], b: readonly string[]): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return Math.max(n, m);
  let prev = new Uint32Array(m + 1);
  let cur = new Uint32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= m; j++) {
      const sub = (prev[j - 1] as number) + (ai === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m] as number;
}

/** 1 - edit distance / longer length, over token arrays. */
export function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  return 1 - stringDistance(a, b) / Math.max(a.length, b.length);
}

export function contextSimilarity(ref: ArrayLike<number>, got: ArrayLike<number>): number {
  if (ref.length === 0) return got.length === 0 ? 1 : 0.5;
  let same = 0;
  for (let i = 0; i < ref.length; i++) if (ref[i] === got[i]) same++;
  return same / ref.length;
}
