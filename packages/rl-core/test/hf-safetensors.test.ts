import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../src/hf/safetensors.js';
import { decodeSafetensors } from '../src/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'rl-core-hf-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file from a header (any JSON text) and a data section, with the length field given or computed. */
function file(name: string, header: string, data: Uint8Array, length?: bigint): string {
  const head = Buffer.from(header, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(length ?? BigInt(head.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([len, head, data]));
  return path;
}

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const good = JSON.stringify({
  a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
  b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
});

describe('safetensors files: bad input is refused naming the file and the tensor, nothing large is allocated', () => {
  it('reads a well-formed file tensor by tensor', async () => {
    const f = await openSafetensors(file('good.safetensors', good, f32([1, 2, 3])));
    expect(Array.from(f.read('a').data)).toEqual([1, 2]);
    expect(Array.from(f.read('b').data)).toEqual([3]);
    expect(() => f.read('c')).toThrow(/good\.safetensors: expected tensor c, found none/);
  });

  it.each([
    ['len1', 'a header length past the file', 4096n, /len1\.safetensors: expected a 4096-byte header, found a file of \d+ bytes/],
    [
      'len2',
      'an absurd header length (2^53)',
      2n ** 53n,
      /len2\.safetensors: expected a header length of at most 100000000 bytes, found 9007199254740992/,
    ],
    ['len3', 'an absurd header length (2^64 - 1)', 2n ** 64n - 1n, /len3\.safetensors: expected a header length of at most/],
  ] as const)('%s: %s', async (name, _what, length, message) => {
    await expect(openSafetensors(file(`${name}.safetensors`, good, f32([1, 2, 3]), length))).rejects.toThrow(message);
  });

  it.each([
    ['json', '{"a": {"dtype": "F32",', /json\.safetensors: expected a JSON safetensors header, found unparsable text/],
    ['array', '[1, 2]', /array\.safetensors: expected a JSON object as the header, found an array/],
    ['null', 'null', /null\.safetensors: expected a JSON object as the header, found null/],
    ['entry', '{"a": 5}', /entry\.safetensors: tensor a: expected \{"dtype", "shape", "data_offsets"\}, found 5/],
    [
      'dtype',
      '{"a": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}',
      /dtype\.safetensors: tensor a: expected dtype F32\|F16\|BF16, found "F64"/,
    ],
    ['proto', '{"a": {"dtype": "toString", "shape": [1], "data_offsets": [0, 4]}}', /proto\.safetensors: tensor a: expected dtype/],
    [
      'shape',
      '{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}',
      /shape\.safetensors: tensor a: expected a shape of whole numbers, found \[-1\]/,
    ],
    [
      'negative',
      '{"a": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}',
      /negative\.safetensors: tensor a: data_offsets \[-4,0\] do not hold 1 F32 values/,
    ],
    [
      'past',
      '{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}',
      /past\.safetensors: tensor a: data_offsets \[0,16\] do not hold 4 F32 values of shape \[4\] inside the file/,
    ],
    [
      'size',
      '{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 12]}}',
      /size\.safetensors: tensor a: data_offsets \[0,12\] do not hold 2 F32 values/,
    ],
    ['offsets', '{"a": {"dtype": "F32", "shape": [1], "data_offsets": "0-4"}}', /offsets\.safetensors: tensor a: data_offsets "0-4"/],
    [
      'overlap',
      '{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}',
      /overlap\.safetensors: tensor b: data_offsets \[4,12\] overlap those of a \[0,8\]/,
    ],
    [
      'huge',
      '{"a": {"dtype": "F32", "shape": [1000000000, 1000000000], "data_offsets": [0, 12]}}',
      /huge\.safetensors: tensor a: data_offsets/,
    ],
  ] as const)('a header with a bad %s', async (name, header, message) => {
    await expect(openSafetensors(file(`${name}.safetensors`, header, f32([1, 2, 3])))).rejects.toThrow(message);
  });

  it('a file too short for the length, a folder, a missing file', async () => {
    const short = join(dir, 'short.safetensors');
    writeFileSync(short, Buffer.from([1, 2, 3]));
    await expect(openSafetensors(short)).rejects.toThrow(/short\.safetensors: expected an 8-byte header length, found 3 bytes/);
    await expect(openSafetensors(dir)).rejects.toThrow(/expected a safetensors file, found a folder/);
    await expect(openSafetensors(join(dir, 'none.safetensors'))).rejects.toThrow(
      /none\.safetensors: expected a safetensors file, found none readable/,
    );
  });

  it('a file cut short after it was opened is an error naming it, not a tensor of zeros', async () => {
    const path = file('cut.safetensors', good, f32([1, 2, 3]));
    const f = await openSafetensors(path);
    file('cut.safetensors', good, f32([1]));
    expect(() => f.read('b')).toThrow(/cut\.safetensors: expected 4 bytes of tensor b at byte \d+, found 0 \(a truncated file\)/);
  });
});

describe("decodeSafetensors (the engine's own checkpoints) refuses the same bad headers", () => {
  const bytes = (header: string, data: Uint8Array, length?: bigint) => {
    const head = Buffer.from(header, 'utf8');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(length ?? BigInt(head.length));
    return new Uint8Array(Buffer.concat([len, head, data]));
  };
  it.each([
    ['{"a": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}', /tensor a: offsets \[-4, 0\] do not match shape \[1\]/],
    ['{"a": null}', /tensor a: expected \{"dtype", "shape", "data_offsets"\}, found null/],
    ['{"a": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}}', /tensor a: expected a shape of whole numbers, found "1"/],
    ['[1]', /expected a JSON object as the safetensors header, found an array/],
    [
      '{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}',
      /tensor b: offsets \[4, 12\] overlap those of a/,
    ],
  ] as const)('%s', (header, message) => {
    expect(() => decodeSafetensors(bytes(header, f32([1, 2, 3])))).toThrow(message);
  });
  it('an absurd header length', () => {
    expect(() => decodeSafetensors(bytes(good, f32([1, 2, 3]), 2n ** 53n))).toThrow(/expected a \d+-byte header, found only/);
  });
});
