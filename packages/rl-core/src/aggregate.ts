import { RlCoreError } from './errors.js';
import { checkShape, type Mask, maskOrOnes, rowLengths, type Shape } from './shape.js';

/**
 * How per-token losses reduce to one number:
 * - `token-mean`: sum over all real tokens / number of real tokens (long answers weigh more);
 * - `seq-mean-token-mean`: mean over sequences of each sequence's token mean (GRPO's original form);
 * - `seq-mean-token-sum`: mean over sequences of each sequence's token sum;
 * - `seq-mean-token-sum-norm`: sum over all real tokens / (batch x a constant length), the length-unbiased
 *   form of Dr. GRPO; the constant is `normLength`, by default the padded token count.
 */
export type AggregationMode = 'token-mean' | 'seq-mean-token-mean' | 'seq-mean-token-sum' | 'seq-mean-token-sum-norm';

/** Every aggregation mode. */
export const AGGREGATION_MODES: readonly AggregationMode[] = [
  'token-mean',
  'seq-mean-token-mean',
  'seq-mean-token-sum',
  'seq-mean-token-sum-norm',
];

/** How per-token values become one loss: the mode and which tokens count. */
export interface AggregateOptions {
  /** @default 'token-mean' */
  mode?: AggregationMode;
  /** 1 = a token that counts. @default all ones */
  mask?: Mask;
  /** The constant length of `seq-mean-token-sum-norm`. @default shape.tokens */
  normLength?: number;
}

/**
 * The weight each token gets in the aggregate: every mode is linear, so loss = sum(w * x).
 * Masked tokens always weigh 0; rows without a real token count as absent sequences.
 */
export function aggregationWeights(shape: Shape, options: AggregateOptions = {}): Float32Array {
  const mask = maskOrOnes(options.mask, shape);
  return expandRowWeights(rowWeights(shape, options.mode, options.normLength, mask), mask, shape);
}

/** Per-token weights from per-row ones: the row's weight on its real tokens, 0 elsewhere. */
export function expandRowWeights(rows: Float64Array, mask: Mask, shape: Shape): Float32Array {
  const w = new Float32Array(shape.batch * shape.tokens);
  for (let b = 0; b < shape.batch; b++) {
    const o = b * shape.tokens;
    const rw = rows[b] as number;
    for (let t = 0; t < shape.tokens; t++) if (mask[o + t] !== 0) w[o + t] = rw;
  }
  return w;
}

/**
 * The weight of a real token in each row (every mode gives all real tokens of a row the same weight):
 * one pass over the mask, for loss loops that aggregate as they go.
 */
export function rowWeights(shape: Shape, mode: AggregationMode = 'token-mean', normLength: number | undefined, mask: Mask): Float64Array {
  return weightsFromLengths(rowLengths(mask, shape), shape, mode, normLength);
}

/** `rowWeights` from the number of real tokens in each row. */
export function weightsFromLengths(
  lens: ArrayLike<number>,
  shape: Shape,
  mode: AggregationMode = 'token-mean',
  normLength: number | undefined,
): Float64Array {
  let total = 0;
  let seqs = 0;
  for (let b = 0; b < shape.batch; b++) {
    const n = lens[b] as number;
    total += n;
    if (n > 0) seqs++;
  }
  const out = new Float64Array(shape.batch);
  for (let b = 0; b < shape.batch; b++) {
    const n = lens[b] as number;
    if (mode === 'token-mean') out[b] = total > 0 ? 1 / total : 0;
    else if (mode === 'seq-mean-token-mean') out[b] = n > 0 ? 1 / (n * seqs) : 0;
    else if (mode === 'seq-mean-token-sum') out[b] = seqs > 0 ? 1 / seqs : 0;
    else if (mode === 'seq-mean-token-sum-norm') {
      const len = normLength ?? shape.tokens;
      if (!(len > 0)) throw new RlCoreError('invalid-option', `expected normLength > 0, found ${len}`);
      out[b] = shape.batch > 0 ? 1 / (shape.batch * len) : 0;
    } else throw new RlCoreError('invalid-option', `expected an aggregation mode (${AGGREGATION_MODES.join(', ')}), found ${String(mode)}`);
  }
  return out;
}

/** Reduces a per-token array to one number with the given mode. */
export function aggregate(values: Float32Array, shape: Shape, options: AggregateOptions = {}): number {
  checkShape('values', values, shape);
  const mask = maskOrOnes(options.mask, shape);
  const rows = rowWeights(shape, options.mode, options.normLength, mask);
  let s = 0;
  for (let b = 0; b < shape.batch; b++)
    for (let i = b * shape.tokens; i < (b + 1) * shape.tokens; i++) if (mask[i] !== 0) s += (rows[b] as number) * (values[i] as number);
  return s;
}
