import { readFile } from 'node:fs/promises';
import { RlCoreError } from '../errors.js';
import type { NamedTensor } from '../safetensors.js';

/** The element types a checkpoint's tensors may have; all are converted to float32 on load. */
export const FLOAT_DTYPES = ['F32', 'F16', 'BF16'] as const;

/** One entry of a safetensors header. */
export interface TensorEntry {
  /** Element type, as the header spells it (`F32`, `F16`, `BF16`, ...). */
  dtype: string;
  /** Dimensions, outermost first. */
  shape: number[];
  /** Byte range in the data section. */
  data_offsets: [number, number];
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

let halfTable: Float32Array | undefined;

/** IEEE half -> float32 for all 65,536 bit patterns (built once). */
function halves(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  halfTable = t;
  return t;
}

/** Values of `count` elements of `dtype` at `bytes[at..]`, as float32 (exact for all three types). */
export function toFloat32(bytes: Uint8Array, at: number, count: number, dtype: string): Float32Array {
  if (dtype === 'F32') {
    const copy = bytes.slice(at, at + count * 4);
    return new Float32Array(copy.buffer, 0, count);
  }
  const u16 = new Uint16Array(bytes.slice(at, at + count * 2).buffer, 0, count);
  if (dtype === 'BF16') {
    // bfloat16 is the upper half of a float32
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) out[i] = (u16[i] as number) << 16;
    return new Float32Array(out.buffer);
  }
  const table = halves();
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = table[u16[i] as number] as number;
  return out;
}

/** A parsed safetensors file: its header entries and a reader of each tensor as float32. */
export interface SafetensorsFile {
  /** The file, for messages. */
  path: string;
  /** Header entries by tensor name (`__metadata__` left out). */
  entries: Map<string, TensorEntry>;
  /** Reads one tensor as float32; throws naming the file and the tensor when it cannot. */
  read(name: string): NamedTensor;
}

/** Reads a safetensors file's header and checks every entry (dtype, shape, offsets inside the file). */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    const buf = await readFile(path);
    // a plain view: a Buffer's slice() shares memory, a Uint8Array's copies (toFloat32 relies on copies)
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (cause) {
    throw new RlCoreError('invalid-checkpoint', `${path}: expected a safetensors file, found none readable`, { cause });
  }
  if (bytes.length < 8)
    throw new RlCoreError('invalid-checkpoint', `${path}: expected an 8-byte header length, found ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = Number(view.getBigUint64(0, true));
  if (8 + len > bytes.length)
    throw new RlCoreError('invalid-checkpoint', `${path}: expected a ${len}-byte header, found a file of ${bytes.length} bytes`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch (cause) {
    throw new RlCoreError('invalid-checkpoint', `${path}: expected a JSON safetensors header, found unparsable text`, { cause });
  }
  const base = 8 + len;
  const entries = new Map<string, TensorEntry>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as TensorEntry;
    const at = `${path}: tensor ${name}`;
    if (!BYTES[e?.dtype])
      throw new RlCoreError('invalid-checkpoint', `${at}: expected dtype ${FLOAT_DTYPES.join('|')}, found ${JSON.stringify(e?.dtype)}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new RlCoreError('invalid-checkpoint', `${at}: expected a shape of whole numbers, found ${JSON.stringify(e.shape)}`);
    const n = e.shape.reduce((a, b) => a * b, 1);
    const [start, end] = Array.isArray(e.data_offsets) ? e.data_offsets : [Number.NaN, Number.NaN];
    if (!(Number.isInteger(start) && end - start === n * (BYTES[e.dtype] as number) && base + end <= bytes.length))
      throw new RlCoreError(
        'invalid-checkpoint',
        `${at}: data_offsets ${JSON.stringify(e.data_offsets)} do not hold ${n} ${e.dtype} values of shape [${e.shape}] inside the file`,
      );
    entries.set(name, e);
  }
  return {
    path,
    entries,
    read(name) {
      const e = entries.get(name);
      if (!e) throw new RlCoreError('invalid-checkpoint', `${path}: expected tensor ${name}, found none`);
      const n = e.shape.reduce((a, b) => a * b, 1);
      return { shape: e.shape.slice(), data: toFloat32(bytes, base + e.data_offsets[0], n, e.dtype) };
    },
  };
}
