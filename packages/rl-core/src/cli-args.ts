// The CLI's parsed flags and the one check every numeric flag goes through (shared by its command modules).
import { RlCoreError } from './errors.js';

/** Flags as `parseArgs` gives them: a string, a boolean switch, or absent. */
export type Args = Record<string, string | boolean | undefined>;

/** What a numeric option may be: any finite number, a whole number from 0, or one from 1. */
export type NumberKind = 'number' | 'count' | 'positive';

/** `text` as the number `--flag` asks for, or a refusal naming the flag and the text. */
export function toNumber(flag: string, text: string, kind: NumberKind): number {
  const v = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(v) && (kind === 'number' || (Number.isInteger(v) && v >= (kind === 'positive' ? 1 : 0)));
  if (!ok) {
    const what = { number: 'a number', count: 'a whole number from 0', positive: 'a whole number from 1' }[kind];
    throw new RlCoreError('invalid-option', `expected --${flag} to be ${what}, found ${JSON.stringify(text)}`);
  }
  return v;
}

/** `--flag`'s number, or `fallback` when the flag is absent. */
export function num(a: Args, flag: string, fallback: number, kind: NumberKind = 'number'): number {
  const text = a[flag];
  return typeof text === 'string' ? toNumber(flag, text, kind) : fallback;
}

/**
 * `--value-warmup N` (value-only steps on the run's first rollout, PPO only) and `--value-warmup-lr X`, as
 * `RlOptions` takes them: absent flags set nothing.
 */
export function valueWarmupOf(a: Args, algo: string): { valueWarmup?: number; valueWarmupLr?: number } {
  const steps = num(a, 'value-warmup', 0, 'count');
  const lr = typeof a['value-warmup-lr'] === 'string' ? toNumber('value-warmup-lr', a['value-warmup-lr'], 'number') : undefined;
  if (lr !== undefined && !(lr > 0))
    throw new RlCoreError('invalid-option', `expected --value-warmup-lr to be a number > 0, found ${JSON.stringify(a['value-warmup-lr'])}`);
  if ((steps > 0 || lr !== undefined) && algo !== 'ppo')
    throw new RlCoreError(
      'invalid-option',
      `expected --value-warmup with --algo ppo (the algorithm with a value head), found --algo ${algo}`,
    );
  if (lr !== undefined && steps === 0)
    throw new RlCoreError('invalid-option', 'expected --value-warmup N with --value-warmup-lr, found none');
  return { ...(steps > 0 ? { valueWarmup: steps } : {}), ...(lr === undefined ? {} : { valueWarmupLr: lr }) };
}
