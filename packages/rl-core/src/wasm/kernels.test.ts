import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { AGGREGATION_MODES } from '../aggregate.js';
import { ESTIMATORS } from '../advantages.js';
import { type FusedLossInput, type FusedLossResult, fusedPpoLoss } from '../fused.js';
import { type Kernels, loadKernels } from './kernels.js';

const close = (got: number, want: number, rel: number) => {
  if (!(Math.abs(got - want) <= rel * (1 + Math.abs(want)))) throw new Error(`expected ${got} to be within ${rel} (relative) of ${want}`);
};

/** Both engines on one input: the kernels' results against the TypeScript reference's. */
function both(input: FusedLossInput): { wasm: FusedLossResult; js: FusedLossResult } {
  const wasm = fusedPpoLoss({ ...input, engine: 'wasm' });
  const js = fusedPpoLoss({ ...input, engine: 'js' });
  expect(wasm.engine).toBe('wasm');
  expect(js.engine).toBe('js');
  return { wasm, js };
}

function expectAgree({ wasm, js }: { wasm: FusedLossResult; js: FusedLossResult }, gae: boolean) {
  close(wasm.policyLoss, js.policyLoss, 2e-5);
  close(wasm.valueLoss, js.valueLoss, 2e-5);
  close(wasm.approxKl, js.approxKl, 2e-5);
  close(wasm.clipFraction, js.clipFraction, 1e-9);
  // Returns run in float64 in the reference's order: the same float32 values, bit for bit; so do gae's
  // advantages. The other estimators' statistics are pooled from per-row sums, so their advantages may
  // differ in the last bit.
  expect(Array.from(wasm.returns)).toEqual(Array.from(js.returns));
  if (gae) expect(Array.from(wasm.advantages)).toEqual(Array.from(js.advantages));
  else for (let i = 0; i < js.advantages.length; i++) close(wasm.advantages[i] as number, js.advantages[i] as number, 1e-6);
}

describe('the WebAssembly kernels', () => {
  it('are the module asm/kernels.ts compiles to (src/wasm/kernels.generated.ts is not stale)', async () => {
    // @ts-expect-error: a plain ES module script without typings
    const { compileKernels, render } = (await import('../../scripts/build-wasm.mjs')) as {
      compileKernels(): Promise<Uint8Array>;
      render(b: Uint8Array): string;
    };
    const committed = readFileSync(new URL('./kernels.generated.ts', import.meta.url), 'utf8');
    expect(render(await compileKernels())).toBe(committed);
  }, 60_000);

  it('agree with the TypeScript engine for every estimator, aggregation mode, whitening, mask type and value setting', () => {
    // Values below float32's normal range are flushed to 0: float32 products of them round to the same
    // subnormal where float64 ones still differ, which flips clip decisions without meaning anything.
    const f = fc.float({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }).map((x) => (Math.abs(x) < 1e-30 ? 0 : x));
    fc.assert(
      fc.property(
        fc.constantFrom(...ESTIMATORS),
        fc.constantFrom(...AGGREGATION_MODES),
        fc.constantFrom(undefined, true, false),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 37 }),
        fc.array(f, { minLength: 64, maxLength: 64 }),
        fc.array(fc.boolean(), { minLength: 53, maxLength: 53 }),
        fc.constantFrom('f32', 'u8', 'f32-any', 'u8-any', 'none'),
        fc.constantFrom('distinct', 'shared', 'none'),
        fc.double({ min: 0.05, max: 0.3, noNaN: true }),
        fc.record({
          dualClip: fc.constantFrom(undefined, 2.5),
          eps: fc.constantFrom(undefined, 1e-3),
          normLength: fc.constantFrom(undefined, 50),
          stringIds: fc.boolean(),
        }),
        (estimator, mode, whiten, B, T, xs, ms, maskType, valueSetting, clip, more) => {
          const n = B * T;
          const pick = (k: number) => Float32Array.from({ length: n }, (_, i) => xs[(k * 17 + i * 7) % xs.length] as number);
          const bits = Array.from({ length: n }, (_, i) => (ms[(i * 5) % ms.length] ? 1 : 0));
          // any non-zero mask value counts as a real token
          const anyF32 = [0.5, -3, 1e-40, 7];
          const mask =
            maskType === 'none'
              ? undefined
              : maskType === 'f32'
                ? Float32Array.from(bits)
                : maskType === 'u8'
                  ? Uint8Array.from(bits)
                  : maskType === 'u8-any'
                    ? Uint8Array.from(bits, (x, i) => x * [1, 2, 255][i % 3]!)
                    : Float32Array.from(bits, (x, i) => x * anyF32[i % 4]!);
          const logp = pick(3);
          const oldLogp = logp.map((x, i) => x + 0.4 * Math.sin(i * 1.7));
          const values = valueSetting === 'none' ? undefined : pick(1);
          const input: FusedLossInput = {
            estimator: estimator === 'gae' && !values ? 'grpo' : estimator,
            mode,
            whiten,
            shape: { batch: B, tokens: T },
            rewards: pick(0),
            values,
            oldValues: valueSetting === 'distinct' ? pick(2) : undefined,
            logp,
            oldLogp,
            mask,
            groupIds: Array.from({ length: B }, (_, b) => (more.stringIds ? `g${b % 3}` : b % 3)),
            gamma: 0.95,
            lambda: 0.9,
            clipLow: clip,
            clipHigh: clip + 0.08,
            dualClip: more.dualClip,
            valueClip: clip,
            eps: more.eps,
            normLength: more.normLength,
          };
          expectAgree(both(input), input.estimator === 'gae');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('compute the ratio to float32 precision across its range, and approx-KL without cancellation for tiny log-ratios', () => {
    // One real token per row, advantage 0 (grpo of a single sequence per group): approx-KL is the mean of
    // e^x - 1 - x over the rows, so each row's term is checked through a batch of one.
    // (around +-ln 2 / 2 = 0.3466 the range reduction switches k between 0 and +-1)
    const xs = [
      -79.5, -40, -10, -1.3, -0.7, -0.5, -0.35, -0.3466, -0.34, -1e-2, -1e-4, -3e-7, 0, 3e-7, 1e-4, 1e-2, 0.34, 0.3466, 0.347, 0.35, 0.5,
      0.7, 1.3, 10, 40, 79.5,
    ];
    for (const x of xs) {
      const shape = { batch: 1, tokens: 1 };
      const logp = Float32Array.of(-2);
      const oldLogp = Float32Array.of(-2 - x);
      const lr = (logp[0] as number) - (oldLogp[0] as number); // the float32 inputs' exact difference
      const r = fusedPpoLoss({ estimator: 'grpo', shape, rewards: Float32Array.of(1), logp, oldLogp, engine: 'wasm' });
      const want = Math.abs(lr) < 1e-3 ? lr * lr * (0.5 + lr / 6) : Math.expm1(lr) - lr;
      // the ratio is within 2e-7 relative, plus |x| x 6e-8 from rounding the log-ratio to float32
      expect(Math.abs(r.approxKl - want)).toBeLessThanOrEqual((1e-6 + 6e-8 * Math.abs(lr)) * Math.abs(want) + 1e-30);
    }
  });

  it('route log-ratios beyond float32 exp range to the float64 path', () => {
    const shape = { batch: 2, tokens: 5 };
    const logp = Float32Array.from([0, -1, -2, 0, -3, -1, 0, -2, -1, 0]);
    const oldLogp = Float32Array.from([-85, -1.1, 200, -2, 90, -1, -0.5, -300, -1.2, -81]);
    const rewards = Float32Array.from([1, 0, -1, 0.5, 0, 0, 1, 0, -0.5, 1]);
    const values = Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    const input: FusedLossInput = { shape, rewards, values, logp, oldLogp, dualClip: 3, whiten: false };
    const { wasm, js } = both(input);
    // e^300 overflows float32 but not float64: the kernels give the reference's finite values
    expect(js.approxKl).toBeGreaterThan(1e128);
    close(wasm.approxKl, js.approxKl, 1e-12);
    close(wasm.policyLoss, js.policyLoss, 1e-12);
    expect(wasm.clipFraction).toBe(js.clipFraction);
    // and an infinite log-ratio gives NaN in both, as e^inf - 1 - inf does
    const inf = both({ ...input, oldLogp: oldLogp.map((x, i) => (i === 3 ? Number.NEGATIVE_INFINITY : x)) });
    expect(inf.js.approxKl).toBeNaN();
    expect(inf.wasm.approxKl).toBeNaN();
  });

  it('never read masked tokens, nor data a larger earlier call left in memory', () => {
    const shape = { batch: 3, tokens: 7 };
    const n = 21;
    const mask = Float32Array.from({ length: n }, (_, i) => (i % 7 < 7 - (i % 3) - (Math.floor(i / 7) === 1 ? 4 : 0) ? 1 : 0));
    const clean = (k: number) => Float32Array.from({ length: n }, (_, i) => (mask[i] ? Math.sin(i * k + k) : 0));
    // masked tokens hold NaN, 1e30 or log-ratios of +-2000 (beyond float32 exp's range, which would send a
    // group of four to the float64 path if masked lanes counted)
    const dirty = (a: Float32Array, big = 0) => a.map((x, i) => (mask[i] ? x : ([Number.NaN, 1e30, big][i % 3] as number)));
    const input: FusedLossInput = {
      shape,
      mask,
      rewards: clean(1),
      values: clean(2),
      oldValues: clean(3),
      logp: clean(4),
      oldLogp: clean(5),
      dualClip: 3,
    };
    const ref = fusedPpoLoss({ ...input, engine: 'wasm' });
    // a larger batch first, so that the memory holds other data where the small one is laid out
    const big = { batch: 64, tokens: 300 };
    const junk = Float32Array.from({ length: 64 * 300 }, (_, i) => Math.cos(i));
    fusedPpoLoss({
      shape: big,
      rewards: junk,
      values: junk,
      oldValues: junk.map((x) => -x),
      logp: junk.map((x) => 1000 * x),
      oldLogp: junk.map((x) => -1000 * x),
      engine: 'wasm',
    });
    const again = fusedPpoLoss({
      ...input,
      rewards: dirty(input.rewards),
      values: dirty(input.values as Float32Array),
      oldValues: dirty(input.oldValues as Float32Array),
      logp: dirty(input.logp, 1000),
      oldLogp: dirty(input.oldLogp, -1000),
      engine: 'wasm',
    });
    expect(again.policyLoss).toBe(ref.policyLoss);
    expect(again.valueLoss).toBe(ref.valueLoss);
    expect(again.approxKl).toBe(ref.approxKl);
    expect(Array.from(again.advantages)).toEqual(Array.from(ref.advantages));
    for (let i = 0; i < n; i++) if (!mask[i]) expect(again.advantages[i]).toBe(0);
  });

  it('handle empty batches and rows without a real token', () => {
    for (const shape of [
      { batch: 0, tokens: 5 },
      { batch: 3, tokens: 0 },
    ]) {
      const e = new Float32Array(0);
      const { wasm, js } = both({ shape, rewards: e, values: e, logp: e, oldLogp: e });
      expect(wasm).toEqual({ ...js, engine: 'wasm' });
    }
    const shape = { batch: 2, tokens: 6 };
    const z = new Float32Array(12);
    const ones = z.map((_, i) => Math.sin(i));
    expectAgree(both({ shape, rewards: ones, values: ones, logp: ones, oldLogp: z, mask: new Uint8Array(12) }), true);
  });

  it('lay out and address memory past 2 GiB (offsets are never shifted as signed 32-bit numbers)', () => {
    const k = loadKernels() as Kernels;
    const [, far, lens] = k.layout([2 ** 31, 64, 16]) as [number, number, number];
    expect(far).toBeGreaterThan(2 ** 31);
    k.f32(far, 12).set([1, 0, 2, 0, 0, 3, 1, 0, 0, 0, 0, 4]);
    // a kernel handed that address (as the unsigned 32-bit pointer it is) reads what was written there
    k.exports.lengths(far, lens, 3, 4);
    expect(Array.from(k.i32(lens, 3))).toEqual([2, 2, 1]);
  });

  it('load asynchronously where a host refuses synchronous compilation, and run TypeScript meanwhile', async () => {
    const real = (globalThis as unknown as { WebAssembly: Record<string, unknown> }).WebAssembly;
    const refused = () => {
      throw new RangeError('WebAssembly.Module is disallowed on the main thread, if the buffer size is larger than 4KB');
    };
    vi.resetModules();
    vi.stubGlobal('WebAssembly', {
      validate: real.validate,
      compile: real.compile,
      instantiate: real.instantiate,
      Memory: real.Memory,
      Module: refused,
      Instance: refused,
    });
    try {
      const fresh = (await import('../fused.js')) as typeof import('../fused.js');
      const loader = (await import('./kernels.js')) as typeof import('./kernels.js');
      const shape = { batch: 1, tokens: 3 };
      const a = Float32Array.of(0.5, -0.5, 1);
      const input = { shape, rewards: a, values: a, logp: a, oldLogp: a.map((x) => x / 2) };
      expect(fresh.fusedPpoLoss(input).engine).toBe('js');
      expect(() => fresh.fusedPpoLoss({ ...input, engine: 'wasm' })).toThrow(/cannot run WebAssembly SIMD/);
      await loader.kernelsSettled();
      const r = fresh.fusedPpoLoss(input);
      expect(r.engine).toBe('wasm');
      expectAgree({ wasm: r, js: fresh.fusedPpoLoss({ ...input, engine: 'js' }) }, true);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it("write advantages and returns into the caller's arrays, which may be inputs, on both engines", () => {
    const shape = { batch: 3, tokens: 7 };
    const n = 21;
    const wave = (k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k + 1));
    for (const estimator of ['gae', 'grpo', 'token-grpo', 'reinforce++'] as const)
      for (const engine of ['wasm', 'js'] as const) {
        const input = { estimator, shape, values: wave(2), logp: wave(3), oldLogp: wave(4), groupIds: [0, 0, 1], engine };
        const plain = fusedPpoLoss({ ...input, rewards: wave(1) });
        const out = { advantages: new Float32Array(n), returns: new Float32Array(n) };
        const into = fusedPpoLoss({ ...input, rewards: wave(1), out });
        expect(into.advantages).toBe(out.advantages);
        expect(into.returns).toBe(out.returns);
        expect(Array.from(out.advantages)).toEqual(Array.from(plain.advantages));
        expect(Array.from(out.returns)).toEqual(Array.from(plain.returns));
        expect(into.policyLoss).toBe(plain.policyLoss);
        // the rewards array itself as the output: every input is read before it is written
        const rewards = wave(1);
        const aliased = fusedPpoLoss({ ...input, rewards, out: { advantages: rewards, returns: new Float32Array(n) } });
        expect(Array.from(rewards)).toEqual(Array.from(plain.advantages));
        expect(aliased.policyLoss).toBe(plain.policyLoss);
      }
    const a = new Float32Array(n);
    const base = { shape, rewards: wave(1), values: wave(2), logp: wave(3), oldLogp: wave(4) };
    expect(() => fusedPpoLoss({ ...base, out: { advantages: a, returns: new Float32Array(5) } })).toThrow(/out.returns of 3 x 7/);
    expect(() => fusedPpoLoss({ ...base, out: { advantages: a, returns: a } })).toThrow(/two different arrays/);
  });

  it('reject negative clip ranges in both engines', () => {
    const shape = { batch: 1, tokens: 2 };
    const a = Float32Array.of(0.5, -0.5);
    const input = { shape, rewards: a, values: a, logp: a, oldLogp: a };
    for (const engine of ['wasm', 'js'] as const) {
      expect(() => fusedPpoLoss({ ...input, clipLow: -0.1, engine })).toThrow(/expected clipLow >= 0/);
      expect(() => fusedPpoLoss({ ...input, clipHigh: Number.NaN, engine })).toThrow(/expected clipHigh >= 0/);
      expect(() => fusedPpoLoss({ ...input, valueClip: -1, engine })).toThrow(/expected valueClip >= 0/);
    }
  });

  it('is chosen by default, and engine options are checked', () => {
    const shape = { batch: 1, tokens: 2 };
    const a = Float32Array.of(0.5, -0.5);
    expect(fusedPpoLoss({ shape, rewards: a, values: a, logp: a, oldLogp: a }).engine).toBe('wasm');
    // @ts-expect-error: not an engine
    expect(() => fusedPpoLoss({ shape, rewards: a, values: a, logp: a, oldLogp: a, engine: 'gpu' })).toThrow(
      /expected engine auto, wasm or js/,
    );
    expect(() => fusedPpoLoss({ shape, rewards: a, values: a, logp: a, oldLogp: a, gamma: 1.5 })).toThrow(/expected gamma in \[0, 1\]/);
  });
});
