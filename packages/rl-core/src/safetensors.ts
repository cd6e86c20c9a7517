import { RlCoreError } from './errors.js';

/** One named tensor: float32 data and its shape. */
export interface NamedTensor {
  /** Its dimensions, outermost first. */
  shape: number[];
  /** Its values, row-major, as float32. */
  data: Float32Array;
}

/**
 * Encodes tensors in the safetensors format: an 8-byte little-endian header length, a JSON header
 * (dtype, shape, byte offsets per tensor, plus optional string metadata), then the raw little-endian data.
 */
export function encodeSafetensors(tensors: Record<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name] as NamedTensor;
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new RlCoreError('invalid-input', `expected ${n} values for tensor ${name} of shape [${t.shape}], found ${t.data.length}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + n * 4] };
    offset += n * 4;
  }
  let json = JSON.stringify(header);
  // The data section starts 8-byte aligned: pad the header with spaces, as the format allows.
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name] as NamedTensor;
    for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i] as number, true);
  }
  return out;
}

/** Decodes a safetensors file holding F32 tensors; returns tensors and metadata. */
export function decodeSafetensors(bytes: Uint8Array): {
  /** The tensors by name. */
  tensors: Record<string, NamedTensor>;
  /** The header's `__metadata__` strings. */
  metadata: Record<string, string>;
} {
  if (bytes.length < 8)
    throw new RlCoreError('invalid-checkpoint', `expected at least 8 bytes of safetensors header length, found ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = Number(view.getBigUint64(0, true));
  if (8 + len > bytes.length)
    throw new RlCoreError('invalid-checkpoint', `expected a ${len}-byte header, found only ${bytes.length - 8} bytes`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch (cause) {
    throw new RlCoreError('invalid-checkpoint', 'expected a JSON safetensors header, found unparsable text', { cause });
  }
  const base = 8 + len;
  const tensors: Record<string, NamedTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (e.dtype !== 'F32') throw new RlCoreError('invalid-checkpoint', `expected F32 tensors, found ${e.dtype} for ${name}`);
    const [start, end] = e.data_offsets;
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (end - start !== n * 4 || base + end > bytes.length)
      throw new RlCoreError('invalid-checkpoint', `tensor ${name}: offsets [${start}, ${end}] do not match shape [${e.shape}]`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(base + start + i * 4, true);
    tensors[name] = { shape: e.shape, data };
  }
  return { tensors, metadata };
}
