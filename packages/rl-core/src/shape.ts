import { RlCoreError } from './errors.js';

/** A row-major (batch x tokens) layout shared by every per-token array in this package. */
export interface Shape {
  /** Rows (sequences). */
  batch: number;
  /** Tokens per row, padding included. */
  tokens: number;
}

/** A per-token mask: 1 marks a real response token, 0 padding or prompt. Any non-zero value counts as 1. */
export type Mask = Float32Array | Uint8Array;

/** Throws unless `arr` holds exactly batch x tokens values. */
export function checkShape(name: string, arr: ArrayLike<number>, shape: Shape): void {
  const want = shape.batch * shape.tokens;
  if (!Number.isInteger(shape.batch) || !Number.isInteger(shape.tokens) || shape.batch < 0 || shape.tokens < 0) {
    throw new RlCoreError('shape-mismatch', `expected a non-negative integer shape, found ${shape.batch} x ${shape.tokens}`);
  }
  if (arr.length !== want) {
    throw new RlCoreError('shape-mismatch', `expected ${name} of ${shape.batch} x ${shape.tokens} = ${want} values, found ${arr.length}`);
  }
}

/** A mask of ones when none is given; otherwise the mask after a shape check. */
export function maskOrOnes(mask: Mask | undefined, shape: Shape): Mask {
  if (mask === undefined) return new Float32Array(shape.batch * shape.tokens).fill(1);
  checkShape('mask', mask, shape);
  return mask;
}

/** Number of real tokens in each row. */
export function rowLengths(mask: Mask, shape: Shape): Int32Array {
  const out = new Int32Array(shape.batch);
  for (let b = 0; b < shape.batch; b++) {
    let n = 0;
    const o = b * shape.tokens;
    for (let t = 0; t < shape.tokens; t++) if (mask[o + t] !== 0) n++;
    out[b] = n;
  }
  return out;
}

/** Builds a Float32Array and shape from nested rows, padding short rows with `pad`. */
export function fromRows(
  rows: readonly (readonly number[])[],
  pad = 0,
): {
  /** The rows, each padded to the longest, one after the other. */
  data: Float32Array;
  /** The number of rows and the longest row's length. */
  shape: Shape;
} {
  const tokens = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const data = new Float32Array(rows.length * tokens).fill(pad);
  rows.forEach((r, b) => {
    data.set(r, b * tokens);
  });
  return { data, shape: { batch: rows.length, tokens } };
}

/** Splits a flat array back into rows of `shape.tokens` plain numbers. */
export function toRows(arr: ArrayLike<number>, shape: Shape): number[][] {
  const rows: number[][] = [];
  for (let b = 0; b < shape.batch; b++) rows.push(Array.from({ length: shape.tokens }, (_, t) => arr[b * shape.tokens + t] as number));
  return rows;
}
