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
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch (cause) {
    throw new RlCoreError('invalid-checkpoint', 'expected a JSON safetensors header, found unparsable text', { cause });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new RlCoreError(
      'invalid-checkpoint',
      `expected a JSON object as the safetensors header, found ${Array.isArray(header) ? 'an array' : JSON.stringify(header)}`,
    );
  const base = 8 + len;
  const tensors: Record<string, NamedTensor> = {};
  const spans: [string, number, number][] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) metadata = entry as Record<string, string>;
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new RlCoreError(
        'invalid-checkpoint',
        `tensor ${name}: expected {"dtype", "shape", "data_offsets"}, found ${JSON.stringify(entry)}`,
      );
    const e = entry as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (e.dtype !== 'F32')
      throw new RlCoreError('invalid-checkpoint', `expected F32 tensors, found ${JSON.stringify(e.dtype)} for ${name}`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new RlCoreError('invalid-checkpoint', `tensor ${name}: expected a shape of whole numbers, found ${JSON.stringify(e.shape)}`);
    const shape = e.shape as number[];
    const [start, end] = Array.isArray(e.data_offsets) ? (e.data_offsets as number[]) : [Number.NaN, Number.NaN];
    const n = shape.reduce((a, b) => a * b, 1);
    if (
      !(Number.isSafeInteger(start) && Number.isSafeInteger(end) && (start as number) >= 0) ||
      (end as number) - (start as number) !== n * 4 ||
      base + (end as number) > bytes.length
    )
      throw new RlCoreError(
        'invalid-checkpoint',
        `tensor ${name}: offsets [${start}, ${end}] do not match shape [${shape}] inside ${bytes.length - base} bytes of data`,
      );
    spans.push([name, start as number, end as number]);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(base + (start as number) + i * 4, true);
    tensors[name] = { shape, data };
  }
  spans.sort((x, y) => x[1] - y[1]);
  for (let i = 1; i < spans.length; i++) {
    const [prev, , prevEnd] = spans[i - 1] as [string, number, number];
    const [name, start, end] = spans[i] as [string, number, number];
    if (start < prevEnd && end > start)
      throw new RlCoreError('invalid-checkpoint', `tensor ${name}: offsets [${start}, ${end}] overlap those of ${prev}`);
  }
  return { tensors, metadata };
}
