import type { RepairPair } from '@srcode/dataset';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer } from '../src/hf.js';
import { byteTokenizer, matchCompletion, type Normalization, onlineRewardMap, profilePair, type TokenizerLike } from '../src/index.js';
import { markedPair } from './helpers.js';
import { QWEN_DIR } from './qwen.js';

// Repeating secure code must not pay: each pair unit earns its positive credit once per completion,
// code that never runs earns nothing, and penalties stay per instance.

const cPair = markedPair(
  'c-copy',
  'c',
  `int copy(const char *src, size_t n) {
  char buf[16];
  {+if (n >= sizeof buf)
    return -1;
  +}[-strcpy(buf, src)-]{+strncpy(buf, src, sizeof buf)+};
  return process(buf);
}
`,
);

const pyPair = markedPair(
  'py-sql',
  'python',
  `def find(cursor, name):
    cursor.execute("SELECT id FROM users WHERE name = [-'%s'" % name-]{+%s", (name,)+})
    return cursor.fetchone()
`,
);

// the fix adds the same NULL check in two places: writing both is two units, not a repeat
const twoChecks = markedPair(
  'c-two-checks',
  'c',
  `int both(struct s *a, struct s *b) {
  {+if (!a)
    return -1;
  +}use(a->data);
  {+if (!b)
    return -1;
  +}use(b->data);
  return 0;
}
`,
);

const NORMS: Normalization[] = ['span-mean', 'none', 'max-abs'];
let qwen: TokenizerLike;
beforeAll(async () => {
  qwen = await loadHfTokenizer(QWEN_DIR, { name: 'qwen3' });
});

/** Total token reward of `completion`, and its spans as `polarity text`. */
function scored(pair: RepairPair, completion: string, normalize: Normalization, tokenizer: TokenizerLike = qwen) {
  const { map } = onlineRewardMap(
    { pair, completion, encoding: tokenizer.encode(completion), id: 'r', tokenizer: tokenizer.name },
    { normalize },
  );
  return {
    total: map.rewards.reduce((a, b) => a + b, 0),
    spans: map.spans.map((s) => `${s.polarity} ${completion.slice(s.start, s.end)}`),
  };
}

const secureOnly = (spans: string[]) => spans.filter((s) => s.startsWith('secure'));

describe('repeating secure code', () => {
  const fix = cPair.fixedCode;

  it('the fix written twice earns what it earns once, under every normalisation and tokenizer', () => {
    for (const tokenizer of [byteTokenizer, qwen]) {
      for (const normalize of NORMS) {
        const once = scored(cPair, fix, normalize, tokenizer);
        const twice = scored(cPair, `${fix}\n\n${fix}`, normalize, tokenizer);
        expect(secureOnly(once.spans)).toHaveLength(2);
        expect(twice.total, `${tokenizer.name} ${normalize}`).toBeCloseTo(once.total, 5);
        expect(secureOnly(twice.spans)).toEqual(secureOnly(once.spans));
      }
    }
    // span-mean: one unit, one point, however often it is written
    expect(scored(cPair, fix, 'span-mean').total).toBeCloseTo(2, 5);
  });

  it('credits the first of identical instances, the closest of unequal ones', () => {
    const twice = `${fix}\n\n${fix}`;
    const spans = matchCompletion(profilePair(cPair), twice).spans;
    expect(spans.every((s) => s.end <= fix.length)).toBe(true);
    // a sloppy copy first, the exact fix second: the exact one takes the credit
    const sloppy = fix.replace('strncpy(buf, src, sizeof buf)', 'strncpy(buf, src, sizeof buf - 1)');
    const text = `${sloppy}\n\n${fix}`;
    const call = matchCompletion(profilePair(cPair), text).spans.find((s) => text.slice(s.start, s.end).startsWith('strncpy'));
    expect(call && text.slice(call.start, call.end)).toBe('strncpy(buf, src, sizeof buf)');
    expect(call?.start).toBeGreaterThan(sloppy.length);
  });

  it('a total that does not grow with the number of copies', () => {
    for (const normalize of NORMS) {
      const totals = [1, 2, 3, 5, 8].map((k) => scored(cPair, Array(k).fill(fix).join('\n'), normalize).total);
      for (const t of totals) expect(t, normalize).toBeCloseTo(totals[0] as number, 5);
    }
  });

  it('the same secure call repeated inside one function', () => {
    const call = '  strncpy(buf, src, sizeof buf);\n';
    const repeated = fix.replace(call, call.repeat(4));
    expect(repeated).not.toBe(fix);
    for (const normalize of NORMS)
      expect(scored(cPair, repeated, normalize).total, normalize).toBeCloseTo(scored(cPair, fix, normalize).total, 5);
  });

  it('the fixed function plus a renamed copy', () => {
    const renamed = fix
      .replace(/\bcopy\b/g, 'copy_again')
      .replace(/\bbuf\b/g, 'scratch')
      .replace(/\bsrc\b/g, 'input');
    const { spans } = scored(cPair, renamed, 'span-mean');
    expect(secureOnly(spans)).toHaveLength(2); // the copy alone is credited: names do not matter
    for (const normalize of NORMS) {
      // no more than the better of the two alone (without normalisation, longer names cover more tokens)
      const once = Math.max(scored(cPair, fix, normalize).total, scored(cPair, renamed, normalize).total);
      expect(scored(cPair, `${fix}\n${renamed}`, normalize).total, normalize).toBeLessThanOrEqual(once + 1e-6);
      expect(scored(cPair, `${renamed}\n${fix}`, normalize).total, normalize).toBeLessThanOrEqual(once + 1e-6);
    }
    expect(scored(cPair, `${fix}\n${renamed}`, 'span-mean').total).toBeCloseTo(2, 5);
  });

  it('the fixed snippet repeated 50 times earns no more than the real answer', () => {
    const snippet = 'strncpy(buf, src, sizeof buf);';
    for (const normalize of NORMS) {
      const real = scored(cPair, fix, normalize).total;
      const spam = scored(cPair, Array(50).fill(snippet).join('\n'), normalize);
      expect(spam.total, normalize).toBeLessThanOrEqual(real + 1e-6);
      expect(secureOnly(spam.spans)).toHaveLength(1);
      expect(scored(cPair, Array(50).fill(fix).join('\n'), normalize).total, normalize).toBeCloseTo(real, 5);
    }
  });

  it('in Python too', () => {
    const fixPy = pyPair.fixedCode;
    for (const normalize of NORMS) {
      const once = scored(pyPair, fixPy, normalize).total;
      expect(once).toBeGreaterThan(0);
      expect(scored(pyPair, `${fixPy}\n\n${fixPy}`, normalize).total, normalize).toBeCloseTo(once, 5);
      const inBody = fixPy.replace('    return', '    cursor.execute("SELECT id FROM users WHERE name = %s", (name,))\n    return');
      expect(scored(pyPair, inBody, normalize).total, normalize).toBeCloseTo(once, 5);
    }
  });

  it('a unit the fix adds twice is credited twice when written twice', () => {
    const { spans, units } = matchCompletion(profilePair(twoChecks), twoChecks.fixedCode);
    const secure = spans.filter((s) => s.polarity === 'secure');
    expect(secure.map((s) => twoChecks.fixedCode.slice(s.start, s.end))).toEqual(['if (!a)\n    return -1;', 'if (!b)\n    return -1;']);
    expect(new Set(units).size).toBe(2);
    // and the same check written three times still earns two
    const thrice = twoChecks.fixedCode.replace('  return 0;', '  if (!b)\n    return -1;\n  return 0;');
    expect(matchCompletion(profilePair(twoChecks), thrice).spans.filter((s) => s.polarity === 'secure')).toHaveLength(2);
  });

  it('names the unit each span realises, each secure unit once', () => {
    const profile = profilePair(cPair);
    const text = `${cPair.vulnerableCode}\n${fix}\n${fix}\n${cPair.vulnerableCode}`;
    const { spans, units } = matchCompletion(profile, text);
    expect(units).toHaveLength(spans.length);
    expect(units.map((u) => profile.units[u]?.span.polarity)).toEqual(spans.map((s) => s.polarity));
    const secureUnits = units.filter((_, i) => spans[i]?.polarity === 'secure');
    expect(new Set(secureUnits).size).toBe(secureUnits.length);
  });
});

describe('penalties stay per instance', () => {
  it('vulnerable code written twice is penalised twice', () => {
    const vuln = cPair.vulnerableCode;
    const once = scored(cPair, vuln, 'span-mean').total;
    expect(once).toBeCloseTo(-1, 5);
    expect(scored(cPair, `${vuln}\n\n${vuln}`, 'span-mean').total).toBeCloseTo(2 * once, 5);
    const both = scored(cPair, `${cPair.fixedCode}\n${vuln}\n${cPair.fixedCode}\n${vuln}`, 'span-mean');
    expect(both.spans.filter((s) => s.startsWith('vulnerable'))).toHaveLength(2);
    expect(secureOnly(both.spans)).toHaveLength(2);
  });
});

describe('secure code that never runs, or is not code, earns nothing', () => {
  const vuln = cPair.vulnerableCode;
  const secure = '  if (n >= sizeof buf)\n    return -1;\n  strncpy(buf, src, sizeof buf);\n';
  const dead: Record<string, string> = {
    'after a return': vuln.replace('  return process(buf);\n', `  return process(buf);\n${secure}`),
    'in if (0)': vuln.replace('  return process(buf);\n', `  if (0) {\n${secure}  }\n  return process(buf);\n`),
    'in while (false)': vuln.replace('  return process(buf);\n', `  while (false) {\n${secure}  }\n  return process(buf);\n`),
    'under #if 0': vuln.replace('  return process(buf);\n', `#if 0\n${secure}#endif\n  return process(buf);\n`),
    'in a block comment': `${vuln}/*\n${secure}*/\n`,
    'in line comments': `${vuln}${secure.replace(/^/gm, '// ')}\n`,
    'in a string': `${vuln}const char *doc = "strncpy(buf, src, sizeof buf);";\n`,
  };
  for (const [name, text] of Object.entries(dead)) {
    it(name, () => {
      expect(text).not.toBe(vuln);
      const got = scored(cPair, text, 'span-mean');
      expect(secureOnly(got.spans)).toEqual([]);
      expect(got.total).toBeCloseTo(scored(cPair, vuln, 'span-mean').total, 5);
    });
  }

  it('keeps code a jump does not cut off: after a label, in the else of if (0), inside a do-while(0)', () => {
    const live: Record<string, string> = {
      label: cPair.vulnerableCode.replace('  return process(buf);\n', `  goto out;\nout:\n${secure}  return process(buf);\n`),
      else: cPair.vulnerableCode.replace('  return process(buf);\n', `  if (0) {\n  } else {\n${secure}  }\n  return process(buf);\n`),
      'do-while': cPair.vulnerableCode.replace('  return process(buf);\n', `  do {\n${secure}  } while (0);\n  return process(buf);\n`),
      'after an if that returns': cPair.vulnerableCode.replace(
        '  return process(buf);\n',
        `  if (!src) return 0;\n${secure}  return process(buf);\n`,
      ),
    };
    for (const [name, text] of Object.entries(live)) expect(secureOnly(scored(cPair, text, 'span-mean').spans), name).toHaveLength(2);
  });

  it('Python: after a return, under if False, in a docstring', () => {
    const v = pyPair.vulnerableCode;
    const call = '    cursor.execute("SELECT id FROM users WHERE name = %s", (name,))\n';
    const cases = {
      'after a return': `${v}${call}`,
      'if False': v.replace('    return', `    if False:\n    ${call}    return`),
      docstring: v.replace('    cursor', `    """\n${call}    """\n    cursor`),
    };
    for (const [name, text] of Object.entries(cases)) {
      expect(text, name).not.toBe(v);
      expect(secureOnly(scored(pyPair, text, 'span-mean').spans), name).toEqual([]);
    }
    // the same call live, before the return, is credited
    expect(secureOnly(scored(pyPair, v.replace('    return', `${call}    return`), 'span-mean').spans)).toHaveLength(1);
  });
});
