import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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
    // a buffer of exactly this tensor (as `read` gives) is viewed, not copied again
    if (at === 0 && bytes.byteOffset === 0 && bytes.buffer.byteLength === count * 4) return new Float32Array(bytes.buffer, 0, count);
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

/** The format's own bound on the JSON header (100 MB): a larger length is a corrupt file, not a header to allocate. */
export const MAX_HEADER_BYTES = 100_000_000;

function fail(message: string, cause?: unknown): RlCoreError {
  return new RlCoreError('invalid-checkpoint', message, cause === undefined ? undefined : { cause });
}

/** Reads `length` bytes at `position` of an open file, all of them or an error naming the file. */
function readExactly(fd: number, path: string, length: number, position: number, what: string): Uint8Array {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, out, got, length - got, position + got);
    if (n === 0) throw fail(`${path}: expected ${length} bytes of ${what} at byte ${position}, found ${got} (a truncated file)`);
    got += n;
  }
  return out;
}

/**
 * Reads a safetensors file's header and checks every entry: dtype, shape, and offsets that lie inside the
 * data section, hold exactly shape x dtype bytes and do not overlap. Only the header is read here; each
 * `read` takes its tensor's bytes from the file, so a checkpoint of any size opens without being held whole.
 */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw fail(`${path}: expected a safetensors file, found none readable`, cause);
  }
  let size: number;
  let base: number;
  const entries = new Map<string, TensorEntry>();
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fail(`${path}: expected a safetensors file, found ${st.isDirectory() ? 'a folder' : 'something else'}`);
    size = st.size;
    if (size < 8) throw fail(`${path}: expected an 8-byte header length, found ${size} bytes`);
    const lenBytes = readExactly(fd, path, 8, 0, 'header length');
    const len = new DataView(lenBytes.buffer).getBigUint64(0, true);
    if (len > BigInt(MAX_HEADER_BYTES))
      throw fail(`${path}: expected a header length of at most ${MAX_HEADER_BYTES} bytes, found ${len} (not a safetensors file?)`);
    const headerLength = Number(len);
    if (8 + headerLength > size) throw fail(`${path}: expected a ${headerLength}-byte header, found a file of ${size} bytes`);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readExactly(fd, path, headerLength, 8, 'header')));
    } catch (cause) {
      if (cause instanceof RlCoreError) throw cause;
      throw fail(`${path}: expected a JSON safetensors header, found unparsable text (${(cause as Error).message})`, cause);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header))
      throw fail(`${path}: expected a JSON object as the header, found ${Array.isArray(header) ? 'an array' : JSON.stringify(header)}`);
    base = 8 + headerLength;
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const at = `${path}: tensor ${name}`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw fail(`${at}: expected {"dtype", "shape", "data_offsets"}, found ${JSON.stringify(raw)}`);
      const e = raw as TensorEntry;
      const width = Object.hasOwn(BYTES, e.dtype) ? BYTES[e.dtype] : undefined;
      if (width === undefined) throw fail(`${at}: expected dtype ${FLOAT_DTYPES.join('|')}, found ${JSON.stringify(e.dtype)}`);
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
        throw fail(`${at}: expected a shape of whole numbers, found ${JSON.stringify(e.shape)}`);
      const n = e.shape.reduce((a, b) => a * b, 1);
      const offsets = e.data_offsets as unknown;
      const ok =
        Array.isArray(offsets) &&
        offsets.length === 2 &&
        offsets.every((o) => Number.isSafeInteger(o) && o >= 0) &&
        offsets[1] - offsets[0] === n * width &&
        base + offsets[1] <= size;
      if (!ok)
        throw fail(
          `${at}: data_offsets ${JSON.stringify(offsets)} do not hold ${n} ${e.dtype} values of shape [${e.shape}] inside the file (data section of ${size - base} bytes)`,
        );
      entries.set(name, { dtype: e.dtype, shape: e.shape.slice(), data_offsets: [offsets[0], offsets[1]] });
    }
  } finally {
    closeSync(fd);
  }
  // two tensors may not share bytes
  const sorted = [...entries]
    .filter(([, e]) => e.data_offsets[1] > e.data_offsets[0])
    .sort((x, y) => x[1].data_offsets[0] - y[1].data_offsets[0]);
  for (let i = 1; i < sorted.length; i++) {
    const [prevName, prev] = sorted[i - 1] as [string, TensorEntry];
    const [name, e] = sorted[i] as [string, TensorEntry];
    if (e.data_offsets[0] < prev.data_offsets[1])
      throw fail(
        `${path}: tensor ${name}: data_offsets ${JSON.stringify(e.data_offsets)} overlap those of ${prevName} ${JSON.stringify(prev.data_offsets)}`,
      );
  }
  return {
    path,
    entries,
    read(name) {
      const e = entries.get(name);
      if (!e) throw fail(`${path}: expected tensor ${name}, found none`);
      const n = e.shape.reduce((a, b) => a * b, 1);
      let file: number;
      try {
        file = openSync(path, 'r');
      } catch (cause) {
        throw fail(`${path}: expected a safetensors file, found none readable`, cause);
      }
      try {
        const [start, end] = e.data_offsets;
        const bytes = readExactly(file, path, end - start, base + start, `tensor ${name}`);
        return { shape: e.shape.slice(), data: toFloat32(bytes, 0, n, e.dtype) };
      } finally {
        closeSync(file);
      }
    },
  };
}
