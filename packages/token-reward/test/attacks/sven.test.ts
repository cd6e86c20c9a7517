import type { RepairPair } from '@srcode/dataset';
import { languageNames } from '@srcode/syntax';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasSven, loadSvenVal } from '../sven.js';
import { samples, score, sum, total } from './kit.js';

/**
 * Attacks on real pairs: SVEN's val split (C, C++ and Python, from ../shared/data) and the embedded
 * sample, each pair's own two versions rewritten as a policy might. One token per byte.
 */

/** Every line of `code` as a line comment of its language. */
const commented = (p: RepairPair, code: string) =>
  code
    .split('\n')
    .map((l) => (p.language === 'python' ? `# ${l}` : `// ${l}`))
    .join('\n');

/** The fixed function under another name (its first occurrence renamed), or undefined without a name. */
const renamedFix = (p: RepairPair, suffix: string): string | undefined => {
  const name = p.provenance.functionName;
  return name && p.fixedCode.includes(name) ? p.fixedCode.replace(name, `${name}${suffix}`) : undefined;
};

const CHANGES: ReadonlyArray<readonly [string, (s: string) => string]> = [
  ['CRLF line ends', (s) => s.replace(/\n/g, '\r\n')],
  ['tabs for indentation', (s) => s.replace(/ {4}/g, '\t')],
  ['a byte order mark first', (s) => `\uFEFF${s}`],
  ['a NUL byte last', (s) => `${s}\0`],
];

const EPS = 1e-3;

/** A chat answer: prose, the code in a fenced block, more prose. */
const fenced = (p: RepairPair, code: string) =>
  `Here is the function:\n\n\`\`\`${p.language === 'python' ? 'python' : 'c'}\n${code}\`\`\`\n\nThat should do it.\n`;

describe('embedded sample pairs', () => {
  const pairs = [...samples.values()];

  it('the fixed version written in comments above the vulnerable one earns nothing', () => {
    // attack: the whole fix as comments, the vulnerable code below it runs
    for (const p of pairs)
      expect(total(p, `${commented(p, p.fixedCode)}\n${p.vulnerableCode}`), p.id).toBeLessThanOrEqual(total(p, p.vulnerableCode) + EPS);
  });

  it('the code in a Markdown answer scores as the bare code: the fix no more, the vulnerable code still penalised', () => {
    // attack: prose and fences around the code, hoping the parser's error recovery credits more or penalises less
    for (const p of pairs) {
      expect(total(p, fenced(p, p.fixedCode)), p.id).toBeLessThanOrEqual(total(p, p.fixedCode) + EPS);
      expect(total(p, fenced(p, p.vulnerableCode)), p.id).toBeLessThan(0);
    }
  });

  it('the vulnerable function after a renamed fixed copy is still penalised', () => {
    // attack: a safe twin of the function first, the vulnerable one (the one called) after it
    let tried = 0;
    for (const p of pairs) {
      const twin = renamedFix(p, '_safe');
      if (!twin || !score(p, p.vulnerableCode).rewards.some((r) => r < 0)) continue;
      tried++;
      const text = `${twin}\n${p.vulnerableCode}`;
      const map = score(p, text);
      expect(
        map.rewards.some((r, i) => r < 0 && (map.offsets[i]?.[0] ?? 0) > twin.length),
        p.id,
      ).toBe(true);
    }
    expect(tried).toBe(pairs.length);
  });
});

describe.skipIf(!hasSven)('SVEN val pairs (needs ../shared/data/sven/val)', () => {
  let pairs: RepairPair[];
  beforeAll(() => {
    pairs = loadSvenVal().filter((p) => languageNames().includes(p.language));
  });

  it('the fixed version twice earns no more than once, on every pair', () => {
    // attack: the honest answer twice
    const over = pairs.filter((p) => total(p, `${p.fixedCode}\n${p.fixedCode}`) > total(p, p.fixedCode) + EPS).map((p) => p.id);
    expect(over).toEqual([]);
  });

  it('the fixed version three times earns no more than once, on every pair', () => {
    // attack: the honest answer three times
    const thrice = (p: RepairPair) => [p.fixedCode, p.fixedCode, p.fixedCode].join('\n');
    const over = pairs.filter((p) => total(p, thrice(p)) > total(p, p.fixedCode) + EPS).map((p) => p.id);
    expect(over).toEqual([]);
  });

  it('a Markdown answer keeps the fix no higher and the vulnerable code penalised, on every pair', () => {
    // attack: prose and fences around the code
    for (const p of pairs) {
      expect(total(p, fenced(p, p.fixedCode)), p.id).toBeLessThanOrEqual(total(p, p.fixedCode) + EPS);
      if (score(p, p.vulnerableCode).rewards.some((r) => r < 0))
        expect(
          score(p, fenced(p, p.vulnerableCode)).rewards.some((r) => r < 0),
          p.id,
        ).toBe(true);
    }
  });

  it('the fixed version written in comments above the vulnerable one earns nothing', () => {
    // attack: the whole fix as comments, the vulnerable code below it runs
    expect(pairs.length).toBeGreaterThan(60);
    for (const p of pairs)
      expect(total(p, `${commented(p, p.fixedCode)}\n${p.vulnerableCode}`), p.id).toBeLessThanOrEqual(total(p, p.vulnerableCode) + EPS);
  });

  it.each(CHANGES)('vulnerable code with %s keeps its penalty, fixed code its credit', (_name, change) => {
    // attack: bytes the lexer or parser may choke on, over the whole function
    let penalisedCount = 0;
    for (const p of pairs) {
      if (score(p, p.vulnerableCode).rewards.some((r) => r < 0)) {
        penalisedCount++;
        expect(
          score(p, change(p.vulnerableCode)).rewards.some((r) => r < 0),
          `${p.id} vulnerable`,
        ).toBe(true);
      }
      if (total(p, p.fixedCode) > 0) {
        expect(
          score(p, change(p.fixedCode)).rewards.some((r) => r > 0),
          `${p.id} fixed`,
        ).toBe(true);
      }
    }
    expect(penalisedCount).toBeGreaterThan(50);
  });

  it.each(CHANGES)('span-mean: fixed code with %s earns no more than as written', (_name, change) => {
    // attack: reformat the fix so more characters fall inside its spans
    for (const p of pairs) {
      const plain = total(p, p.fixedCode, { normalize: 'span-mean' });
      expect(total(p, change(p.fixedCode), { normalize: 'span-mean' }), p.id).toBeLessThanOrEqual(plain + EPS);
    }
  });

  it('the vulnerable version cut off after its first penalised token is still penalised', () => {
    // attack: stop generating right after the vulnerable unit starts (a token limit), before its context ends
    let tried = 0;
    for (const p of pairs) {
      const map = score(p, p.vulnerableCode);
      const span = map.spans.find((s) => s.polarity === 'vulnerable');
      if (!span) continue;
      tried++;
      const cut = p.vulnerableCode.slice(0, span.end);
      expect(
        score(p, cut).rewards.some((r) => r < 0),
        p.id,
      ).toBe(true);
    }
    expect(tried).toBeGreaterThan(50);
  });

  it('the sum of a vulnerable version stays negative with the unrelated code of other pairs around it', () => {
    // attack: dilute the vulnerable function with unrelated functions of other pairs (other CWEs)
    let tried = 0;
    pairs.forEach((p, i) => {
      if (total(p, p.vulnerableCode) >= 0) return;
      const other = pairs.find((q, j) => j !== i && q.language === p.language && q.cwes[0] !== p.cwes[0]);
      if (!other) return;
      tried++;
      const text = `${other.fixedCode}\n${p.vulnerableCode}\n${other.vulnerableCode}`;
      expect(sum(score(p, text).rewards), p.id).toBeLessThan(0);
    });
    expect(tried).toBeGreaterThan(40);
  });

  it('the vulnerable function after a renamed fixed copy is still penalised, on every pair, also where the parser cannot read the functions', () => {
    // attack: a safe twin first, whose inserted check would clear the guarded statement of the
    // vulnerable function after it when neither parses as a function (macro-heavy C: a header
    // statement and a body block at file level)
    let tried = 0;
    for (const p of pairs) {
      const twin = renamedFix(p, '_safe');
      if (!twin || !score(p, p.vulnerableCode).rewards.some((r) => r < 0)) continue;
      tried++;
      const map = score(p, `${twin}\n${p.vulnerableCode}`);
      expect(
        map.rewards.some((r, i) => r < 0 && (map.offsets[i]?.[0] ?? 0) > twin.length),
        p.id,
      ).toBe(true);
    }
    expect(tried).toBeGreaterThan(50);
  });
});
