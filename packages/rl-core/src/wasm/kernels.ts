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
   * growing the memory when needed; returns each region's byte offset.
   */
  layout(sizes: readonly number[]): number[];
  /** A float32 view of the whole memory (valid until the next `layout`). */
  f32(): Float32Array;
  /** A float64 view of the whole memory (valid until the next `layout`). */
  f64(): Float64Array;
  /** An int32 view of the whole memory (valid until the next `layout`). */
  i32(): Int32Array;
}

/** The part of the WebAssembly JS API used here (the ES library typings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
}
type WasmModule = object;
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const PAGE = 65536;
let instance: Kernels | null | undefined;
let compiling = false;

function decodeBase64(text: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return Buffer.from(text, 'base64');
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function instantiate(wasm: WasmApi, module: WasmModule): Kernels {
  const memory = new wasm.Memory({ initial: 1 });
  const exports = new wasm.Instance(module, { env: { memory } }).exports as KernelExports;
  let f32 = new Float32Array(memory.buffer);
  let f64 = new Float64Array(memory.buffer);
  let i32 = new Int32Array(memory.buffer);
  return {
    exports,
    layout(sizes) {
      const offsets: number[] = [];
      let end = Math.ceil(exports.heapBase() / 16) * 16;
      for (const s of sizes) {
        offsets.push(end);
        end += Math.ceil(s / 16) * 16 + 16;
      }
      if (end > memory.buffer.byteLength) {
        memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
      }
      if (f32.buffer !== memory.buffer) {
        f32 = new Float32Array(memory.buffer);
        f64 = new Float64Array(memory.buffer);
        i32 = new Int32Array(memory.buffer);
      }
      return offsets;
    },
    f32: () => f32,
    f64: () => f64,
    i32: () => i32,
  };
}

/**
 * The WebAssembly kernels, or null where they cannot run: no WebAssembly, no SIMD (the module then fails
 * validation), or a host that refuses to compile a module of this size synchronously (browsers' main
 * threads); in that last case an asynchronous compile starts, and later calls get the kernels.
 */
export function loadKernels(): Kernels | null {
  if (instance === undefined) instance = tryInstantiate();
  return instance ?? null;
}

function tryInstantiate(): Kernels | null | undefined {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return null;
  const bytes = decodeBase64(KERNELS_WASM);
  if (!wasm.validate(bytes)) return null;
  try {
    return instantiate(wasm, new wasm.Module(bytes));
  } catch {
    if (!compiling) {
      compiling = true;
      wasm.compile(bytes).then(
        (m) => {
          instance = instantiate(wasm, m);
        },
        () => {
          instance = null;
        },
      );
    }
    return undefined;
  }
}
