import { computeChanges, type RepairPair } from '@srcode/dataset';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PairSpans, pairSpans } from '../src/index.js';
import { addMeasures, lineDiffTouched, measureSpans, type SideMeasure, spanCharsOnLines } from './spans-metric.js';
import { hasAllPairs, loadAllPairs } from './sven.js';

const LANGUAGES = ['c', 'cpp', 'python'] as const;
const SIDES = ['vulnerable', 'fixed'] as const;
/** The share of span characters that must lie on the lines the fix touched, per side and language. */
const MIN_ON_LINES = 0.97;

type Totals = Record<string, Record<(typeof SIDES)[number], SideMeasure>>;

function totals(pairs: readonly RepairPair[], spansOf: ReadonlyMap<string, PairSpans>, strict: boolean): Totals {
  const zero = (): SideMeasure => ({ onLines: 0, total: 0, uncovered: 0 });
  const out: Totals = {};
  for (const pair of pairs) {
    const m = measureSpans(pair, spansOf.get(pair.id) as PairSpans, strict);
    out[pair.language] ??= { vulnerable: zero(), fixed: zero() };
    const t = out[pair.language] as Totals[string];
    for (const side of SIDES) t[side] = addMeasures(t[side], m[side]);
  }
  return out;
}

describe.skipIf(!hasAllPairs)('spans on every SVEN and SafeCoder pair (needs ../shared/data/{sven,safecoder})', () => {
  let pairs: RepairPair[];
  const spansOf = new Map<string, PairSpans>();
  beforeAll(() => {
    pairs = loadAllPairs(LANGUAGES);
    for (const pair of pairs) spansOf.set(pair.id, pairSpans(pair));
  });

  it('reads the C, C++ and Python pairs of both data sets', () => {
    for (const language of LANGUAGES) expect(pairs.filter((p) => p.language === language).length, language).toBeGreaterThan(50);
    expect(pairs.length).toBeGreaterThan(1000 - 10);
  });

  for (const strict of [false, true]) {
    const insertions = strict ? 'pure insertions only' : 'every added range';
    it(`keeps ${MIN_ON_LINES * 100}% of span characters on the touched lines, each side and language (${insertions})`, () => {
      const t = totals(pairs, spansOf, strict);
      for (const language of LANGUAGES) {
        for (const side of SIDES) {
          const m = t[language]?.[side] as SideMeasure;
          expect(m.total, `${language} ${side}`).toBeGreaterThan(1000);
          expect(m.onLines / m.total, `${language} ${side}: ${m.onLines} of ${m.total}`).toBeGreaterThanOrEqual(MIN_ON_LINES);
        }
      }
    });
  }

  it(`keeps ${MIN_ON_LINES * 100}% of span characters on the lines a line diff touched, with changes from computeChanges`, () => {
    // changes recomputed for every pair (as for pairs that come without them) and touched lines taken
    // from a line diff that knows nothing of characters: a wrap fix's re-indented body is not touched
    const t: Record<string, { vulnerable: number[]; fixed: number[] }> = {};
    for (const pair of pairs) {
      const recomputed = { ...pair, changes: computeChanges(pair.vulnerableCode, pair.fixedCode) };
      const spans = pairSpans(recomputed);
      const lines = lineDiffTouched(pair.vulnerableCode, pair.fixedCode);
      const v = spanCharsOnLines(pair.vulnerableCode, spans.vulnerable, lines.vulnerable);
      const f = spanCharsOnLines(pair.fixedCode, spans.fixed, lines.fixed);
      t[pair.language] ??= { vulnerable: [0, 0], fixed: [0, 0] };
      const row = t[pair.language] as { vulnerable: number[]; fixed: number[] };
      row.vulnerable = [(row.vulnerable[0] as number) + v.onLines, (row.vulnerable[1] as number) + v.total];
      row.fixed = [(row.fixed[0] as number) + f.onLines, (row.fixed[1] as number) + f.total];
    }
    for (const language of LANGUAGES) {
      for (const side of SIDES) {
        const [on = 0, total = 0] = t[language]?.[side] ?? [];
        expect(total, `${language} ${side}`).toBeGreaterThan(1000);
        expect(on / total, `${language} ${side}: ${on} of ${total}`).toBeGreaterThanOrEqual(MIN_ON_LINES);
      }
    }
  });

  it('covers every changed character other than whitespace, on both sides of every pair', () => {
    const missed: string[] = [];
    for (const pair of pairs) {
      const m = measureSpans(pair, spansOf.get(pair.id) as PairSpans);
      for (const side of SIDES) if (m[side].uncovered > 0) missed.push(`${pair.id} ${side}: ${m[side].uncovered}`);
    }
    expect(missed).toEqual([]);
  });

  it('gives sorted spans, none overlapping another, inside the text', () => {
    for (const pair of pairs) {
      const spans = spansOf.get(pair.id) as PairSpans;
      for (const [side, text] of [
        [spans.vulnerable, pair.vulnerableCode],
        [spans.fixed, pair.fixedCode],
      ] as const) {
        side.forEach((s, i) => {
          expect(s.start, pair.id).toBeLessThan(s.end);
          expect(s.end, pair.id).toBeLessThanOrEqual(text.length);
          if (i > 0) expect(s.start, `${pair.id} span ${i}`).toBeGreaterThanOrEqual((side[i - 1] as { end: number }).end);
        });
      }
    }
  });
});
