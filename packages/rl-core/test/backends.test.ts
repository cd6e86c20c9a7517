import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ppoPolicyLoss, valueLoss } from '../src/losses.js';
import type { Completion, PolicyOutputs, TokenBatch } from '../src/policy.js';
import { packBatch, rlStep } from '../src/trainer.js';
import { type BackendName, hardwareWebgpuAvailable, useBackend, webgpuAvailable } from '../src/tfjs/backend.js';
import { TransformerPolicy } from '../src/tfjs/policy.js';
import { linear } from '../src/tfjs/transformer.js';
import * as tf from '@tensorflow/tfjs-core';

/** Every backend must agree with the cpu backend to this absolute tolerance (float32, different kernels). */
const TOLERANCE = 2e-3;
const CONFIG = { vocabSize: 16, maxLength: 12, layers: 1, width: 16, heads: 2, seed: 3 };
const prompts = [
  [1, 4, 5],
  [1, 6],
  [1, 7, 8, 9],
  [1, 4],
];
const targets = [
  [10, 11, 2],
  [12, 2],
  [13, 13, 14, 2],
  [15, 2],
];
const batch: TokenBatch = packBatch(prompts, targets, CONFIG.maxLength);
const dir = mkdtempSync(join(tmpdir(), 'rl-core-backends-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let golden: PolicyOutputs | undefined;
const hasWebgpu = await webgpuAvailable();

function expectClose(a: Float32Array, b: Float32Array, mask: Float32Array) {
  for (let i = 0; i < a.length; i++) if (mask[i] !== 0) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(TOLERANCE);
}

const backends: { name: BackendName; skip: boolean; why: string }[] = [
  { name: 'cpu', skip: false, why: '' },
  { name: 'wasm', skip: false, why: '' },
  { name: 'webgpu', skip: !hasWebgpu, why: hasWebgpu ? '' : ' (skipped: Dawn found no WebGPU adapter on this machine)' },
];

describe.each(backends.map((b) => [`${b.name}${b.why}`, b] as const))('backend %s', (_title, { name, skip }) => {
  beforeAll(async () => {
    if (skip) return;
    if (!golden && name !== 'cpu') {
      await useBackend('cpu');
      const ref = new TransformerPolicy(CONFIG);
      golden = await ref.evaluate(batch);
      ref.dispose();
    }
    await useBackend(name);
  });

  it.skipIf(skip)('scores tokens like the cpu backend (log-probs, values, entropies)', async () => {
    const p = new TransformerPolicy(CONFIG);
    const out = await p.evaluate(batch);
    p.dispose();
    if (name === 'cpu') golden = out;
    const g = golden as PolicyOutputs;
    expectClose(out.logp, g.logp, batch.mask);
    expectClose(out.values, g.values, batch.mask);
    expectClose(out.entropy, g.entropy, batch.mask);
    for (let i = 0; i < out.logp.length; i++) {
      if (batch.mask[i] === 0) continue;
      expect(out.logp[i]).toBeLessThanOrEqual(0);
      expect(out.entropy[i]).toBeLessThanOrEqual(Math.log(CONFIG.vocabSize) + 1e-4);
    }
  });

  it.skipIf(skip)('differentiates the explicit-transpose product exactly like tf.matMul', async () => {
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 1);
    const w = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
    const r = tf.randomNormal([6, 3], 0, 1, 'float32', 3);
    const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(linear(a, b), r)))([x, w]);
    const stock = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), r)))([x, w]);
    const [v1, v2] = [await linear(x, w).data(), await tf.matMul(x, w as tf.Tensor2D).data()];
    for (let i = 0; i < v1.length; i++) expect(Math.abs((v1[i] as number) - (v2[i] as number))).toBeLessThan(1e-5);
    for (let k = 0; k < 2; k++) {
      const [a, b] = [await ours[k]!.data(), await stock[k]!.data()];
      expect(ours[k]!.shape).toEqual(stock[k]!.shape);
      for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-5);
    }
    tf.dispose([x, w, r, ...ours, ...stock]);
  });

  it.skipIf(skip)('computes the same PPO and value losses as the pure TypeScript math', async () => {
    const p = new TransformerPolicy(CONFIG);
    const out = await p.evaluate(batch);
    const oldLogp = out.logp.map((x, i) => x + 0.3 * Math.sin(i));
    const advantages = out.logp.map((_, i) => Math.cos(3 * i));
    const oldValues = out.values.map((x, i) => x + 0.25 * Math.sin(2 * i));
    const returns = out.values.map((_, i) => Math.sin(5 * i));
    const opts = { clipLow: 0.2, clipHigh: 0.28, dualClip: 3, valueClip: 0.2, entropyCoef: 0, mode: 'seq-mean-token-mean' as const };
    const m = await p.ppoStep(batch, { oldLogp, advantages, returns, oldValues }, opts);
    p.dispose();
    const shape = out.shape;
    const want = ppoPolicyLoss(out.logp, oldLogp, advantages, shape, { ...opts, mask: batch.mask });
    const wantV = valueLoss(out.values, oldValues, returns, shape, { ...opts, mask: batch.mask });
    expect(Math.abs(m.policyLoss - want.loss)).toBeLessThan(TOLERANCE);
    expect(Math.abs(m.valueLoss - wantV.loss)).toBeLessThan(TOLERANCE);
    expect(m.loss).toBeCloseTo(want.loss + 0.5 * wantV.loss, 2);
  });

  it.skipIf(skip)('SFT drives the loss down and greedy sampling then reproduces the targets', async () => {
    const p = new TransformerPolicy(CONFIG, { learningRate: 1e-2 });
    const first = await p.sftStep(batch);
    let last = first;
    for (let i = 0; i < 40; i++) last = await p.sftStep(batch);
    expect(last).toBeLessThan(first * 0.2);
    const out = await p.sample(prompts, { temperature: 0, stopToken: 2, maxNewTokens: 6 });
    p.dispose();
    expect(out.map((c) => c.tokens)).toEqual(targets);
  });

  it.skipIf(skip)('samples with the log-probs that full-length scoring gives the same tokens', async () => {
    const p = new TransformerPolicy(CONFIG);
    const out = await p.sample(prompts, { seed: 9, maxNewTokens: 6 });
    const scored = await p.evaluate(
      packBatch(
        prompts,
        out.map((c) => c.tokens),
        CONFIG.maxLength,
      ),
    );
    p.dispose();
    const width = CONFIG.maxLength - 1;
    out.forEach((c, b) => {
      expect(c.tokens.length).toBe(6);
      c.logp.forEach((lp, j) => {
        const i = b * width + (prompts[b] as number[]).length - 1 + j;
        expect(Math.abs(lp - (scored.logp[i] as number))).toBeLessThan(TOLERANCE);
      });
    });
  });

  it.skipIf(skip)(
    'decodes from its key/value cache what full-length scoring gives, to the last position, without leaking tensors',
    async () => {
      const p = new TransformerPolicy(CONFIG, { learningRate: 1e-2 });
      for (let i = 0; i < 5; i++) await p.sftStep(batch); // away from the uniform initial distribution
      const ragged = [[1], [1, 6, 7, 8, 9, 10, 11], [1, 7, 8], [1, 4, 5, 6, 7]];
      const before = tf.memory().numTensors;
      // up to maxLength (12): rows stop at different steps; the stop token ends some rows earlier
      const out = await p.sample(ragged, { seed: 4, maxNewTokens: 20 });
      const stopped = await p.sample(ragged, { seed: 4, maxNewTokens: 20, stopToken: out[0]!.tokens[2]! });
      expect(tf.memory().numTensors).toBe(before);
      for (const [b, c] of out.entries()) expect(c.tokens.length).toBe(CONFIG.maxLength - (ragged[b] as number[]).length);
      /** Each sampled log-prob against full-length scoring of the same tokens. */
      const expectScored = async (policy: TransformerPolicy, run: Completion[]) => {
        const scored = await policy.evaluate(
          packBatch(
            ragged,
            run.map((c) => c.tokens),
            CONFIG.maxLength,
          ),
        );
        for (const [b, c] of run.entries())
          for (const [j, lp] of c.logp.entries()) {
            const i = b * (CONFIG.maxLength - 1) + (ragged[b] as number[]).length - 1 + j;
            expect(Math.abs(lp - (scored.logp[i] as number))).toBeLessThan(1e-4);
          }
      };
      await expectScored(p, out);
      await expectScored(p, stopped);
      expect(stopped[0]!.tokens.length).toBeLessThanOrEqual(3);
      await expect(p.sample(ragged, { maxNewTokens: 2.5 })).rejects.toThrow(/maxNewTokens to be a non-negative integer/);
      expect(tf.memory().numTensors).toBe(before);
      p.dispose();
      // a model without layers (a bigram model) has no cache and still decodes
      const flat = new TransformerPolicy({ ...CONFIG, layers: 0 });
      await expectScored(flat, await flat.sample(ragged, { seed: 1, maxNewTokens: 3 }));
      flat.dispose();
    },
  );

  it.skipIf(skip)('samples deterministically per seed and stops at the stop token', async () => {
    const p = new TransformerPolicy(CONFIG);
    const a = await p.sample(prompts, { seed: 5, maxNewTokens: 5, topP: 0.9, temperature: 1.2 });
    const b = await p.sample(prompts, { seed: 5, maxNewTokens: 5, topP: 0.9, temperature: 1.2 });
    expect(a).toEqual(b);
    for (const c of a) expect(c.tokens.length).toBeLessThanOrEqual(5);
    const s = await p.sample(prompts, { seed: 1, maxNewTokens: 8, stopToken: a[0]!.tokens[0]! });
    p.dispose();
    for (const c of s) {
      const at = c.tokens.indexOf(a[0]!.tokens[0]!);
      if (at >= 0) expect(at).toBe(c.tokens.length - 1);
    }
  });

  it.skipIf(skip)('saves a checkpoint and resumes training to the same weights, bit for bit', async () => {
    const ckpt = join(dir, name);
    const p = new TransformerPolicy(CONFIG, { learningRate: 5e-3 });
    for (let i = 0; i < 5; i++) await p.sftStep(batch);
    await p.save(ckpt, { note: 'test' });
    for (let i = 0; i < 7; i++) await p.sftStep(batch);
    const continued = await p.getWeights();
    p.dispose();
    const q = await TransformerPolicy.load(ckpt);
    expect(q.step).toBe(5);
    for (let i = 0; i < 7; i++) await q.sftStep(batch);
    const resumed = await q.getWeights();
    q.dispose();
    // (Adam's running beta powers are saved too: recomputed from the step count they differ in the last bit)
    for (const [key, t] of Object.entries(continued)) expect(Array.from((resumed[key] as typeof t).data), key).toEqual(Array.from(t.data));
  });

  it.skipIf(skip)('runs a PPO step and a GRPO step with KL to a reference policy', async () => {
    const p = new TransformerPolicy(CONFIG);
    const ref = new TransformerPolicy(CONFIG);
    const reward = (_: number, c: { tokens: number[] }) => {
      const r = new Float32Array(c.tokens.length);
      if (r.length) r[r.length - 1] = c.tokens.includes(10) ? 1 : 0;
      return { rewards: r };
    };
    const short = prompts.map((x) => x.slice(0, 2));
    const ppo = await rlStep(p, ref, short, reward, { algo: 'ppo', groupSize: 2, epochs: 1, maxNewTokens: 4, seed: 1 });
    const grpo = await rlStep(p, ref, short, reward, {
      algo: 'grpo',
      estimator: 'token-grpo',
      groupSize: 2,
      epochs: 1,
      maxNewTokens: 4,
      seed: 2,
      klIn: 'loss',
    });
    p.dispose();
    ref.dispose();
    for (const m of [ppo, grpo]) {
      expect(Number.isFinite(m.loss)).toBe(true);
      expect(m.tokens).toBeGreaterThan(0);
    }
    expect(grpo.valueLoss).toBeGreaterThanOrEqual(0);
  });
});

describe('auto backend selection', () => {
  it('takes webgpu only on a hardware adapter, and wasm on a software rasteriser or none', async () => {
    const hardware = await hardwareWebgpuAvailable();
    const any = await webgpuAvailable();
    const adapter = any ? (await useBackend('webgpu')).adapter : '';
    expect(hardware).toBe(any && !/llvmpipe|lavapipe|softpipe|swiftshader/i.test(adapter));
    expect((await useBackend('auto')).name).toBe(hardware ? 'webgpu' : 'wasm');
  });
});
