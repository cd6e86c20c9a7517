/**
 * Advantage + loss throughput against a single pass over the same arrays, in one run.
 * The single pass reads every input array once and writes one output: the floor any per-token method pays.
 */
import { computeAdvantages, fusedGaePpoLoss, ppoPolicyLoss, seededRandom, valueLoss } from '../src/index.js';

const B = 64;
const T = 512;
const n = B * T;
const shape = { batch: B, tokens: T };
const rand = seededRandom(1);
const rewards = Float32Array.from({ length: n }, () => rand() - 0.5);
const values = Float32Array.from({ length: n }, () => rand());
const logp = Float32Array.from({ length: n }, () => -rand() * 3);
const oldLogp = Float32Array.from(logp, (x) => x + (rand() - 0.5) * 0.1);
const mask = Float32Array.from({ length: n }, (_, i) => (i % T < T - (Math.floor(i / T) % 64) * 4 ? 1 : 0));
const groupIds = Array.from({ length: B }, (_, b) => b >> 3);

function singlePass(): number {
  const out = new Float32Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = mask[i]! * (rewards[i]! + values[i]! + logp[i]! - oldLogp[i]!);
    out[i] = v;
    s += v;
  }
  return s + out[0]!;
}

function pipeline(estimator: 'gae' | 'grpo' | 'token-grpo'): number {
  const { advantages, returns } = computeAdvantages({ estimator, shape, rewards, values, mask, groupIds, gamma: 1, lambda: 0.95 });
  const p = ppoPolicyLoss(logp, oldLogp, advantages, shape, { mask, dualClip: 3 });
  const v = valueLoss(values, values, returns, shape, { mask });
  return p.loss + v.loss;
}

/** Median over 9 rounds of the mean time of `reps` calls: the machine is shared, so single rounds are noisy. */
function time(fn: () => number, reps: number): number {
  for (let i = 0; i < 20; i++) fn();
  const rounds: number[] = [];
  let sink = 0;
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) sink += fn();
    rounds.push((performance.now() - t0) / reps);
  }
  if (Number.isNaN(sink)) console.log('');
  return rounds.sort((x, y) => x - y)[4] as number;
}

export function benchAdvantages(): { estimator: string; ms: number; tokensPerSecond: number; ratio: number }[] {
  const base = time(singlePass, 50);
  console.log(`advantage + loss throughput, ${B} x ${T} tokens (${n}):`);
  console.log(`  single pass over the same arrays: ${base.toFixed(2)} ms, ${(((n / base) * 1000) / 1e6).toFixed(1)} M tokens/s`);
  const rows: { estimator: string; ms: number; tokensPerSecond: number; ratio: number }[] = (['gae', 'grpo', 'token-grpo'] as const).map(
    (e) => {
      const ms = time(() => pipeline(e), 20);
      return { estimator: e, ms, tokensPerSecond: (n / ms) * 1000, ratio: ms / base };
    },
  );
  const fusedMs = time(
    () => fusedGaePpoLoss({ shape, rewards, values, oldValues: values, logp, oldLogp, mask, dualClip: 3 }).policyLoss,
    20,
  );
  rows.push({ estimator: 'gae-fused', ms: fusedMs, tokensPerSecond: (n / fusedMs) * 1000, ratio: fusedMs / base });
  for (const r of rows) {
    console.log(
      `  ${r.estimator.padEnd(10)} advantages + PPO loss + value loss: ${r.ms.toFixed(2)} ms, ${(r.tokensPerSecond / 1e6).toFixed(1)} M tokens/s, ${r.ratio.toFixed(2)}x the single pass (target <= 3x)`,
    );
  }
  return rows;
}
