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
