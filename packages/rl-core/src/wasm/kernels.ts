import { KERNELS_WASM } from './kernels.generated.js';

/** The exports of asm/kernels.ts; pointers are byte offsets into the module's memory. */
interface KernelExports {
  heapBase(): number;
  lengths(mask: number, lens: number, batch: number, tokens: number): void;
  gae(
    rewards: number,
    values: number,
    mask: number,
    adv: number,
    ret: number,
    lens: number,
    batch: number,
    tokens: number,
    gamma: number,
    lambda: number,
  ): void;
  rtg(
    rewards: number,
    mask: number,
    ret: number,
    lens: number,
    rowSum: number,
    moments: number,
    batch: number,
    tokens: number,
    gamma: number,
  ): void;
  ppo(
    logp: number,
    oldLogp: number,
    adv: number,
    mask: number,
    rows: number,
    values: number,
    oldValues: number,
    returns: number,
    batch: number,
    tokens: number,
    lo: number,
    hi: number,
    dual: number,
    valueClip: number,
    advMode: number,
    src: number,
    rowA: number,
    rowB: number,
  ): void;
  count(): number;
  mean(): number;
  std(): number;
  policyLoss(): number;
  valueLoss(): number;
  clipped(): number;
  klSum(): number;
}

/** One instance of the kernels with its memory, grown to the largest batch seen and reused. */
export interface Kernels {
  readonly exports: KernelExports;
  /**
   * Lays out `sizes` (in bytes) in memory, each region 16-byte aligned with 16 readable bytes after it,
   * growing the memory when needed; returns each region's byte offset. Throws a RangeError past
   * WebAssembly's 4 GiB.
   */
  layout(sizes: readonly number[]): number[];
  /** A float32 view of `length` values at byte offset `at` (valid until the next `layout`). */
  f32(at: number, length: number): Float32Array;
  /** A float64 view of `length` values at byte offset `at` (valid until the next `layout`). */
  f64(at: number, length: number): Float64Array;
  /** An int32 view of `length` values at byte offset `at` (valid until the next `layout`). */
  i32(at: number, length: number): Int32Array;
}

/** The part of the WebAssembly JS API used here (the ES library typings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<{ exports: unknown }>;
}
type WasmModule = object;
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const PAGE = 65536;
/** The loaded kernels; null when they cannot run here; undefined before the first try. */
let instance: Kernels | null | undefined;
/** An asynchronous compile and instantiation under way (hosts that refuse the synchronous ones). */
let pending: Promise<void> | undefined;

function decodeBase64(text: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return Buffer.from(text, 'base64');
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function kernelsOf(memory: WasmMemory, exports: KernelExports): Kernels {
  // Views are made per request at a byte offset (a Number up to 4 GiB): no index arithmetic that a
  // signed shift could wrap past 2 GiB.
  return {
    exports,
    layout(sizes) {
      const offsets: number[] = [];
      let end = Math.ceil(exports.heapBase() / 16) * 16;
      for (const s of sizes) {
        offsets.push(end);
        end += Math.ceil(s / 16) * 16 + 16;
      }
      if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
      return offsets;
    },
    f32: (at, length) => new Float32Array(memory.buffer, at, length),
    f64: (at, length) => new Float64Array(memory.buffer, at, length),
    i32: (at, length) => new Int32Array(memory.buffer, at, length),
  };
}

/**
 * The WebAssembly kernels, or null where they cannot run: no WebAssembly, or no SIMD (the module then
 * fails validation). A host that refuses to compile or instantiate a module of this size synchronously
 * (browsers' main threads) gets null until the asynchronous compile and instantiation it starts has
 * finished, and the kernels after that.
 */
export function loadKernels(): Kernels | null {
  if (instance === undefined && !pending) instance = tryInstantiate();
  return instance ?? null;
}

function tryInstantiate(): Kernels | null | undefined {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return null;
  const bytes = decodeBase64(KERNELS_WASM);
  if (!wasm.validate(bytes)) return null;
  const memory = new wasm.Memory({ initial: 1 });
  const imports = { env: { memory } };
  try {
    return kernelsOf(memory, new wasm.Instance(new wasm.Module(bytes), imports).exports as KernelExports);
  } catch {
    pending = wasm
      .compile(bytes)
      .then((m) => wasm.instantiate(m, imports))
      .then((i) => {
        instance = kernelsOf(memory, i.exports as KernelExports);
      })
      .catch(() => {
        instance = null;
      });
    return undefined;
  }
}

/** Settles once an asynchronous load started by `loadKernels` has finished (at once when none is under way). */
export async function kernelsSettled(): Promise<void> {
  await pending;
}
