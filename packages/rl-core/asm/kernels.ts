// The fused advantage + loss kernels of `fusedPpoLoss`, in AssemblyScript, compiled to WebAssembly with
// SIMD by `pnpm --filter @srcode/rl-core build:wasm` into src/wasm/kernels.generated.ts.
//
// Every array is row-major (batch x tokens) float32 in this module's memory, at a byte offset the caller
// gives (at or after `heapBase()`), with at least 16 readable bytes after its end (the vector loops read past a row's last token and
// mask those lanes off). Scalar results of the last call are read through the getters.

let resultCount: f64 = 0;
let resultMean: f64 = 0;
let resultStd: f64 = 0;
let resultPolicy: f64 = 0;
let resultValue: f64 = 0;
let resultClipped: f64 = 0;
let resultKl: f64 = 0;

/** Real tokens seen by the last call. */
export function count(): f64 {
  return resultCount;
}
/** Mean of the advantages of the last `gae` call. */
export function mean(): f64 {
  return resultMean;
}
/** Population std of the advantages of the last `gae` call. */
export function std(): f64 {
  return resultStd;
}
/** Weighted policy loss of the last `ppo` call. */
export function policyLoss(): f64 {
  return resultPolicy;
}
/** Weighted value loss of the last `ppo` call. */
export function valueLoss(): f64 {
  return resultValue;
}
/** Clip events of the last `ppo` call (the PPO clip and the dual clip count separately). */
export function clipped(): f64 {
  return resultClipped;
}
/** Sum of (ratio - 1) - log ratio over the real tokens of the last `ppo` call. */
export function klSum(): f64 {
  return resultKl;
}

/** The first byte after this module's own data (the float64 exp tables): callers lay out arrays from here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Real tokens per row (i32 into lens), four mask entries at a time. */
export function lengths(mask: usize, lens: usize, B: i32, T: i32): void {
  const zero = f32x4.splat(0);
  const iota = i32x4(0, 1, 2, 3);
  let total = 0;
  for (let b = 0; b < B; b++) {
    const start = (<usize>b * <usize>T) << 2;
    let n = i32x4.splat(0);
    for (let j = 0; j < T; j += 4) {
      let m = f32x4.ne(v128.load(mask + start + (<usize>j << 2)), zero);
      if (j + 4 > T) m = v128.and(m, i32x4.lt_s(iota, i32x4.splat(T - j)));
      n = i32x4.sub(n, m);
    }
    const len = i32x4.extract_lane(n, 0) + i32x4.extract_lane(n, 1) + i32x4.extract_lane(n, 2) + i32x4.extract_lane(n, 3);
    store<i32>(lens + (<usize>b << 2), len);
    total += len;
  }
  resultCount = <f64>total;
}

/**
 * Raw GAE over each row's real tokens (backward; masked tokens are skipped, values after a row's last real
 * token count as 0), advantages and returns stored as f32 and 0 on masked tokens, the real-token count of
 * each row into lens (i32), and the mean and population std of the stored advantages. Float64 arithmetic in
 * the reference's order, so the results are the reference's bit for bit. (Two rows side by side, in vector
 * lanes or in interleaved scalar chains, measured slower than this plain loop.)
 */
export function gae(rewards: usize, values: usize, mask: usize, adv: usize, ret: usize, lens: usize, B: i32, T: i32, gamma: f64, lambda: f64): void {
  const gl = gamma * lambda;
  // Sums of (a - shift), shift = the first advantage computed: the variance in the same pass, without the
  // cancellation of raw sums of squares.
  let shift: f64 = 0;
  let sum: f64 = 0;
  let sumSq: f64 = 0;
  let total = 0;
  const rowBytes = <usize>T << 2;
  for (let b = 0; b < B; b++) {
    const o = <usize>b * rowBytes;
    let nextValue: f64 = 0;
    let nextAdv: f64 = 0;
    let len = 0;
    for (let q = rowBytes; q > 0; ) {
      q -= 4;
      if (load<f32>(mask + o + q) == 0) {
        store<f32>(adv + o + q, 0);
        store<f32>(ret + o + q, 0);
        continue;
      }
      const v = <f64>load<f32>(values + o + q);
      nextAdv = <f64>load<f32>(rewards + o + q) + gamma * nextValue - v + gl * nextAdv;
      nextValue = v;
      const a = <f32>nextAdv;
      store<f32>(adv + o + q, a);
      store<f32>(ret + o + q, <f32>(nextAdv + v));
      if (total + len == 0) shift = <f64>a;
      len++;
      const d = <f64>a - shift;
      sum += d;
      sumSq += d * d;
    }
    store<i32>(lens + (<usize>b << 2), len);
    total += len;
  }
  resultCount = <f64>total;
  if (total == 0) {
    resultMean = 0;
    resultStd = 0;
    return;
  }
  const m = sum / <f64>total;
  resultMean = shift + m;
  const variance = sumSq / <f64>total - m * m;
  // max, not a comparison: a NaN variance stays NaN, as the reference's Math.max(0, NaN) does
  resultStd = Math.sqrt(max<f64>(variance, 0));
}

/**
 * Discounted reward-to-go over each row's real tokens (backward; masked tokens are skipped), stored as f32
 * into ret and 0 on masked tokens; the real-token count of each row into lens (i32), and into rowSum (f64)
 * each row's undiscounted sum of rewards. When `moments` is not 0, it receives per row (3 f64) a shift (the
 * row's first stored value, in the order computed) and the sums of (x - shift) and (x - shift)^2 over the
 * row's stored values: their mean and variance per row, combinable across rows without cancellation.
 */
export function rtg(rewards: usize, mask: usize, ret: usize, lens: usize, rowSum: usize, moments: usize, B: i32, T: i32, gamma: f64): void {
  const rowBytes = <usize>T << 2;
  let total = 0;
  for (let b = 0; b < B; b++) {
    const o = <usize>b * rowBytes;
    let g: f64 = 0;
    let sum: f64 = 0;
    let shift: f64 = 0;
    let s1: f64 = 0;
    let s2: f64 = 0;
    let len = 0;
    for (let q = rowBytes; q > 0; ) {
      q -= 4;
      if (load<f32>(mask + o + q) == 0) {
        store<f32>(ret + o + q, 0);
        continue;
      }
      const r = <f64>load<f32>(rewards + o + q);
      sum += r;
      g = r + gamma * g;
      const x = <f32>g;
      store<f32>(ret + o + q, x);
      if (len == 0) shift = <f64>x;
      len++;
      const d = <f64>x - shift;
      s1 += d;
      s2 += d * d;
    }
    store<i32>(lens + (<usize>b << 2), len);
    store<f64>(rowSum + (<usize>b << 3), sum);
    if (moments != 0) {
      const m = moments + <usize>b * 24;
      store<f64>(m, shift);
      store<f64>(m + 8, s1);
      store<f64>(m + 16, s2);
    }
    total += len;
  }
  resultCount = <f64>total;
}

// @ts-ignore: decorator
@inline function sumInto(acc: v128, x: v128): v128 {
  return f64x2.add(f64x2.add(acc, f64x2.promote_low_f32x4(x)), f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)));
}

/**
 * PPO clipped surrogate with separate clip bounds and dual clip, plus the clipped value loss when `values`
 * is not 0, over real tokens, weighted per row by `rows` (f64). Four tokens at a time in float32, as GPU
 * trainers compute these terms, with float64 sums. The advantages (stored into adv as f32, 0 on masked
 * tokens) are, by `advMode`: 0, adv as given; 1, (src - rowA[b]) * rowB[b] in float64 (whitening, or a
 * group's normalisation; src may be adv itself); 2, rowA[b] on every real token of row b.
 *
 * The ratio is e^(logp - oldLogp) by range reduction (k = round(x / ln 2), r = x - k ln 2 in two parts) and
 * the Taylor series of e^r to degree 7 in Estrin's form (relative error below 2e-7 on |r| <= ln 2 / 2),
 * scaled by 2^k in the exponent bits. The approx-KL term (ratio - 1) - log ratio is regrouped so that it keeps
 * float32's relative precision for small log-ratios instead of cancelling. A group of
 * four tokens with a log-ratio beyond +-80 (outside float32 exp's range) takes the float64 scalar path.
 */
export function ppo(
  logp: usize,
  oldLogp: usize,
  adv: usize,
  mask: usize,
  rows: usize,
  values: usize,
  oldValues: usize,
  returns: usize,
  B: i32,
  T: i32,
  lo: f64,
  hi: f64,
  dual: f64,
  c: f64,
  advMode: i32,
  src: usize,
  rowA: usize,
  rowB: usize,
): void {
  let policy: f64 = 0;
  let value: f64 = 0;
  let kl = f64x2.splat(0);
  let clips = i32x4.splat(0);
  let real = i32x4.splat(0);
  const vlo = f32x4.splat(<f32>lo);
  const vhi = f32x4.splat(<f32>hi);
  const vdual = f32x4.splat(<f32>dual);
  const vc = f32x4.splat(<f32>c);
  const vnc = f32x4.splat(<f32>-c);
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const half = f32x4.splat(0.5);
  const limit = f32x4.splat(80);
  const shifter = f32x4.splat(12582912.0); // 1.5 * 2^23: adding it rounds to an integer, held in the low mantissa bits
  const iota = i32x4(0, 1, 2, 3);
  const hasValues = values != 0;
  for (let b = 0; b < B; b++) {
    let rowPolicy = f64x2.splat(0);
    let rowValue = f64x2.splat(0);
    const start = (<usize>b * <usize>T) << 2;
    const ra = advMode != 0 ? load<f64>(rowA + (<usize>b << 3)) : 0;
    const vra = f64x2.splat(ra);
    const vrb = f64x2.splat(advMode == 1 ? load<f64>(rowB + (<usize>b << 3)) : 1);
    const vconst = f32x4.splat(<f32>ra);
    for (let j = 0; j < T; j += 4) {
      const o = start + (<usize>j << 2);
      const inRow = j + 4 > T ? i32x4.lt_s(iota, i32x4.splat(T - j)) : i32x4.splat(-1);
      const m = v128.and(f32x4.ne(v128.load(mask + o), zero), inRow);
      let a: v128;
      if (advMode == 0) {
        if (!v128.any_true(m)) continue;
        a = v128.load(adv + o);
      } else {
        // The advantages are made here and stored: 0 on masked tokens, and the lanes past the row's end
        // (the next row's first tokens, possibly the source itself) left as they are.
        if (advMode == 1) {
          const x = v128.load(src + o);
          const w0 = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(x), vra), vrb);
          const w1 = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)), vra), vrb);
          a = v128.and(i32x4.shuffle(f32x4.demote_f64x2_zero(w0), f32x4.demote_f64x2_zero(w1), 0, 1, 4, 5), m);
        } else a = v128.and(vconst, m);
        v128.store(adv + o, v128.bitselect(a, v128.load(adv + o), inRow));
        if (!v128.any_true(m)) continue;
      }
      const lr = f32x4.sub(v128.load(logp + o), v128.load(oldLogp + o));
      // (real lanes only: masked ones, and those past the row's end, must not change the path taken)
      if (v128.any_true(v128.and(f32x4.gt(f32x4.abs(lr), limit), m))) {
        for (let q = 0; q < 4 && j + q < T; q++) {
          const oq = o + (<usize>q << 2);
          if (load<f32>(mask + oq) == 0) continue;
          const x = <f64>load<f32>(logp + oq) - <f64>load<f32>(oldLogp + oq);
          const ratio = Math.exp(x);
          const aq = <f64>load<f32>(adv + oq);
          const l1 = -aq * ratio;
          const l2 = -aq * (ratio < lo ? lo : ratio > hi ? hi : ratio);
          let l = l1 > l2 ? l1 : l2;
          let n = l2 > l1 ? 1 : 0;
          if (aq < 0 && l > -aq * dual) {
            l = -aq * dual;
            n++;
          }
          clips = i32x4.add(clips, i32x4(n, 0, 0, 0));
          real = i32x4.add(real, i32x4(1, 0, 0, 0));
          rowPolicy = f64x2.add(rowPolicy, f64x2(l, 0));
          kl = f64x2.add(kl, f64x2(ratio - 1 - x, 0));
          if (hasValues) {
            const v = <f64>load<f32>(values + oq);
            const ov = <f64>load<f32>(oldValues + oq);
            const r = <f64>load<f32>(returns + oq);
            const d = v - ov;
            const e1 = v - r;
            const e2 = ov + (d < -c ? -c : d > c ? c : d) - r;
            const s1 = e1 * e1;
            const s2 = e2 * e2;
            rowValue = f64x2.add(rowValue, f64x2(0.5 * (s1 > s2 ? s1 : s2), 0));
          }
        }
        continue;
      }
      // ratio = e^lr
      const t = f32x4.add(f32x4.mul(lr, f32x4.splat(1.44269504)), shifter);
      const k = f32x4.sub(t, shifter);
      const r = f32x4.sub(f32x4.sub(lr, f32x4.mul(k, f32x4.splat(0.693359375))), f32x4.mul(k, f32x4.splat(-2.12194440e-4)));
      const r2 = f32x4.mul(r, r);
      const r4 = f32x4.mul(r2, r2);
      const q1 = f32x4.add(half, f32x4.mul(r, f32x4.splat(1.0 / 6.0)));
      const q2 = f32x4.add(f32x4.splat(1.0 / 24.0), f32x4.mul(r, f32x4.splat(1.0 / 120.0)));
      const q3 = f32x4.add(f32x4.splat(1.0 / 720.0), f32x4.mul(r, f32x4.splat(1.0 / 5040.0)));
      const tail = f32x4.add(f32x4.mul(r2, q1), f32x4.mul(r4, f32x4.add(q2, f32x4.mul(r2, q3))));
      const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23);
      const ratio = f32x4.mul(f32x4.add(f32x4.add(one, r), tail), scale);
      // (ratio - 1) - lr regrouped as ((2^k - 1 - lr) + 2^k r) + 2^k tail: no cancellation of nearly equal
      // terms (for k = 0 the first group is exactly 0 and the term is the tail itself).
      const klTerm = f32x4.add(f32x4.add(f32x4.sub(f32x4.sub(scale, one), lr), f32x4.mul(scale, r)), f32x4.mul(scale, tail));
      kl = sumInto(kl, v128.and(klTerm, m));
      // the clipped surrogate
      const na = f32x4.neg(a);
      const l1 = f32x4.mul(na, ratio);
      const l2 = f32x4.mul(na, f32x4.pmin(f32x4.pmax(ratio, vlo), vhi));
      const clip1 = f32x4.gt(l2, l1);
      const l = f32x4.pmax(l2, l1);
      const cap = f32x4.mul(na, vdual);
      const clip2 = v128.and(f32x4.lt(a, zero), f32x4.gt(l, cap));
      rowPolicy = sumInto(rowPolicy, v128.and(v128.bitselect(cap, l, clip2), m));
      clips = i32x4.sub(i32x4.sub(clips, v128.and(clip1, m)), v128.and(clip2, m));
      real = i32x4.sub(real, m);
      if (hasValues) {
        const v = v128.load(values + o);
        const ov = v128.load(oldValues + o);
        const ret = v128.load(returns + o);
        const e1 = f32x4.sub(v, ret);
        const e2 = f32x4.sub(f32x4.add(ov, f32x4.pmin(f32x4.pmax(f32x4.sub(v, ov), vnc), vc)), ret);
        rowValue = sumInto(rowValue, v128.and(f32x4.mul(half, f32x4.pmax(f32x4.mul(e2, e2), f32x4.mul(e1, e1))), m));
      }
    }
    const w = load<f64>(rows + (<usize>b << 3));
    policy += w * (f64x2.extract_lane(rowPolicy, 0) + f64x2.extract_lane(rowPolicy, 1));
    value += w * (f64x2.extract_lane(rowValue, 0) + f64x2.extract_lane(rowValue, 1));
  }
  resultPolicy = policy;
  resultValue = value;
  resultKl = f64x2.extract_lane(kl, 0) + f64x2.extract_lane(kl, 1);
  resultClipped = <f64>(i32x4.extract_lane(clips, 0) + i32x4.extract_lane(clips, 1) + i32x4.extract_lane(clips, 2) + i32x4.extract_lane(clips, 3));
  resultCount = <f64>(i32x4.extract_lane(real, 0) + i32x4.extract_lane(real, 1) + i32x4.extract_lane(real, 2) + i32x4.extract_lane(real, 3));
}
