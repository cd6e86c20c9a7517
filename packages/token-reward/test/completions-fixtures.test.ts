import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromSvenRecord, type Language, type RepairPair, samplePairsPath, type TokenRewardMap } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { byteTokenizer, onlineRewardMap, SpanCache } from '../src/index.js';
import { markedPair } from './helpers.js';

/**
 * Whole, realistic completions for a pair of each CWE the embedded sample and SVEN cover, scored by
 * the real online matching. Each folder of `fixtures/completions` holds `cases.json`: the pair (a
 * function of the embedded sample, by name, or a marked file of the folder: `[-…-]` removed by the
 * fix, `{+…+}` added) and completions, each with the code that must be rewarded (`secure`), penalised
 * (`vulnerable`) and left at zero (`neutral`); every other rewarded token must lie in a listed one.
 */
interface Case {
  file: string;
  /** What the completion shows, in a few words. */
  kind: 'among-others' | 'both' | 'missing-guard' | 'guarded' | 'renamed' | 'truncated';
  secure?: string[];
  vulnerable?: string[];
  neutral?: string[];
}

interface Manifest {
  cwe: string;
  language: Language;
  pair: { sample: string } | { marked: string };
  completions: Case[];
}

const ROOT = fileURLToPath(new URL('./fixtures/completions/', import.meta.url));
/** CWEs of the embedded sample (C and Python) and of SVEN (C/C++: 125, 190, 416, 476, 787; Python: 22, 78, 79, 89). */
const COVERED = [
  'CWE-22',
  'CWE-78',
  'CWE-79',
  'CWE-89',
  'CWE-125',
  'CWE-134',
  'CWE-190',
  'CWE-327',
  'CWE-416',
  'CWE-476',
  'CWE-502',
  'CWE-787',
];

const samples = new Map<string, RepairPair>();
readFileSync(samplePairsPath(), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .forEach((line, i) => {
    const result = fromSvenRecord(JSON.parse(line), { dataset: 'sample', origin: `sample-pairs.jsonl:${i + 1}` });
    if (!result.ok) throw new Error(`sample line ${i + 1}: ${JSON.stringify(result.issues)}`);
    samples.set(result.value.provenance.functionName ?? '', result.value);
  });

function pairOf(dir: string, m: Manifest): RepairPair {
  if ('sample' in m.pair) {
    const pair = samples.get(m.pair.sample);
    if (!pair) throw new Error(`${dir}: no sample function ${m.pair.sample}`);
    return pair;
  }
  return { ...markedPair(dir, m.language, readFileSync(`${ROOT}${dir}/${m.pair.marked}`, 'utf8')), cwes: [m.cwe] };
}

/** Rewards of the non-whitespace tokens overlapping each occurrence of `needle` (it must occur). */
function rewardsAt(map: TokenRewardMap, needle: string): number[] {
  const text = map.text ?? '';
  const out: number[] = [];
  let at = text.indexOf(needle);
  expect(at, `"${needle}" in the completion`).toBeGreaterThanOrEqual(0);
  while (at >= 0) {
    map.offsets.forEach(([s = 0, e = 0], i) => {
      if (s < at + needle.length && e > at && /\S/.test(text.slice(s, e))) out.push(map.rewards[i] as number);
    });
    at = text.indexOf(needle, at + 1);
  }
  return out;
}

const dirs = readdirSync(ROOT).sort();
const cache = new SpanCache();

describe('online matching on whole, realistic completions', () => {
  it('has completions for every CWE of the embedded sample and SVEN, each kind present', () => {
    const manifests = dirs.map((d) => JSON.parse(readFileSync(`${ROOT}${d}/cases.json`, 'utf8')) as Manifest);
    expect([...new Set(manifests.map((m) => m.cwe))].sort()).toEqual([...COVERED].sort());
    const kinds = new Set(manifests.flatMap((m) => m.completions.map((c) => c.kind)));
    for (const kind of ['among-others', 'both', 'missing-guard', 'guarded'] as const) expect(kinds.has(kind), kind).toBe(true);
  });

  for (const dir of dirs) {
    const m = JSON.parse(readFileSync(`${ROOT}${dir}/cases.json`, 'utf8')) as Manifest;
    for (const c of m.completions) {
      it(`${dir}/${c.file} (${c.kind})`, () => {
        const pair = pairOf(dir, m);
        expect(pair.cwes).toContain(m.cwe);
        const completion = readFileSync(`${ROOT}${dir}/${c.file}`, 'utf8');
        const { map } = onlineRewardMap({
          pair,
          cache,
          completion,
          encoding: byteTokenizer.encode(completion),
          id: `${dir}/${c.file}`,
          tokenizer: byteTokenizer.name,
        });
        const show = map.spans.map((s) => `${s.polarity} ${JSON.stringify(completion.slice(s.start, s.end))}`).join('\n');
        for (const needle of c.secure ?? [])
          expect(
            rewardsAt(map, needle).every((r) => r > 0),
            `secure ${needle}\n${show}`,
          ).toBe(true);
        for (const needle of c.vulnerable ?? [])
          expect(
            rewardsAt(map, needle).every((r) => r < 0),
            `vulnerable ${needle}\n${show}`,
          ).toBe(true);
        for (const needle of c.neutral ?? [])
          expect(
            rewardsAt(map, needle).every((r) => r === 0),
            `neutral ${needle}\n${show}`,
          ).toBe(true);
        // nothing else is rewarded: every span lies in a listed secure or vulnerable stretch
        const listed = [...(c.secure ?? []), ...(c.vulnerable ?? [])].flatMap((needle) => {
          const spans: Array<[number, number]> = [];
          for (let at = completion.indexOf(needle); at >= 0; at = completion.indexOf(needle, at + 1)) spans.push([at, at + needle.length]);
          return spans;
        });
        for (const s of map.spans) {
          expect(
            listed.some(([a, b]) => s.start >= a && s.end <= b),
            `unlisted ${s.polarity} span ${JSON.stringify(completion.slice(s.start, s.end))}`,
          ).toBe(true);
        }
      });
    }
  }
});
