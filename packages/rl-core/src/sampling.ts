/**
 * A seeded random stream: call it for the next number in [0, 1). `state` is its whole position (a 32-bit
 * integer): saved and set back, the stream goes on with the same numbers, which is how a training
 * checkpoint keeps its data order.
 */
export interface RandomStream {
  (): number;
  /** Where the stream is: set it back to a saved value to replay the stream from there. */
  state: number;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same stream on every machine. */
export function seededRandom(seed: number): RandomStream {
  let a = seed >>> 0;
  const next = (() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as RandomStream;
  Object.defineProperty(next, 'state', {
    get: () => a,
    set: (s: number) => {
      a = s >>> 0;
    },
    enumerable: true,
  });
  return next;
}

/**
 * Draws one token from a row of logits with temperature and nucleus (top-p) truncation. Temperature 0
 * is greedy. Returns the token and its log-probability under the tempered, truncated distribution.
 */
export function sampleToken(
  logits: ArrayLike<number>,
  temperature: number,
  topP: number,
  random: () => number,
): { token: number; logp: number } {
  const n = logits.length;
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if ((logits[i] as number) > (logits[best] as number)) best = i;
    return { token: best, logp: 0 };
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) max = Math.max(max, (logits[i] as number) / temperature);
  const probs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    probs[i] = Math.exp((logits[i] as number) / temperature - max);
    sum += probs[i] as number;
  }
  for (let i = 0; i < n; i++) probs[i] = (probs[i] as number) / sum;
  let keep: number[];
  if (topP < 1) {
    const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => (probs[y] as number) - (probs[x] as number) || x - y);
    keep = [];
    let acc = 0;
    for (const i of order) {
      keep.push(i);
      acc += probs[i] as number;
      if (acc >= topP) break;
    }
  } else keep = Array.from({ length: n }, (_, i) => i);
  let mass = 0;
  for (const i of keep) mass += probs[i] as number;
  let u = random() * mass;
  let token = keep[keep.length - 1] as number;
  for (const i of keep) {
    u -= probs[i] as number;
    if (u <= 0) {
      token = i;
      break;
    }
  }
  return { token, logp: Math.log((probs[token] as number) / mass) };
}
