import { existsSync } from 'node:fs';
import { type RepairPair, importPairs, samplePairsPath } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { C_AFTER, C_BEFORE, PY_AFTER, PY_BEFORE, makePair } from '../test/make-pair.js';
import { DATA_DIR, loadSvenAndSafeCoder } from '../test/sven.js';
import { prefilter } from './prefilter.js';
import { diffLines, linesOfRanges } from './text.js';

describe('prefilter', () => {
  it('passes a real change that parses on both sides and reports the changed lines', () => {
    const r = prefilter(makePair(C_BEFORE, C_AFTER));
    expect(r.ok).toBe(true);
    expect(r.reasons).toEqual([]);
    expect(r.parse).toEqual({ vulnerable: 0, fixed: 0 });
    expect(r.deletedLines).toEqual([4]);
    expect(r.addedLines).toEqual([3, 4, 6]);
  });

  it('rejects a pair whose sides are identical', () => {
    expect(prefilter(makePair(C_BEFORE, C_BEFORE)).reasons).toEqual(['no-change']);
  });

  it('rejects a whitespace-only change', () => {
    const after = C_BEFORE.replace('    strcpy(buf, src);', '\tstrcpy( buf,  src );');
    expect(prefilter(makePair(C_BEFORE, after)).reasons).toEqual(['whitespace-only']);
  });

  it('rejects a comments-only change, using the grammar to find comments', () => {
    const after = C_BEFORE.replace('    strcpy(buf, src);', '    /* caller checked the length */\n    strcpy(buf, src); // safe');
    expect(prefilter(makePair(C_BEFORE, after)).reasons).toEqual(['comments-only']);
  });

  it('treats a changed Python docstring as a comment', () => {
    const after = PY_BEFORE.replace('Return the row of the named user.', 'Look up a user by name.');
    expect(prefilter(makePair(PY_BEFORE, after, 'python', ['CWE-89'])).reasons).toEqual(['comments-only']);
  });

  it('rejects a logging-only change, including a call spread over lines', () => {
    const after = C_BEFORE.replace('    strcpy(buf, src);', '    fprintf(stderr, "copy %s\\n",\n            src);\n    strcpy(buf, src);');
    expect(prefilter(makePair(C_BEFORE, after)).reasons).toEqual(['logging-only']);
    const py = PY_BEFORE.replace('    cursor.execute(query)', '    logger.debug("query %s", query)\n    cursor.execute(query)');
    expect(prefilter(makePair(PY_BEFORE, py, 'python', ['CWE-89'])).reasons).toEqual(['logging-only']);
  });

  it('keeps a format-string fix made by insertion alone (no deleted line), as the embedded sample has it', async () => {
    let pair: RepairPair | undefined;
    for await (const p of importPairs({ format: 'sven', dataset: 'sample', inputs: [samplePairsPath()] }))
      if (p.cwes.includes('CWE-134')) pair = p;
    if (!pair) throw new Error('the sample has no CWE-134 pair');
    expect(pair.vulnerableCode).toContain('fprintf(f, msg)');
    expect(pair.changes.deleted).toEqual([]);
    expect(prefilter(pair)).toMatchObject({ ok: true, reasons: [], deletedLines: [] });
    // a logging line added beside it is still logging
    const logged = pair.vulnerableCode.replace('    fputc(', '    fprintf(stderr, "done %s", msg);\n    fputc(');
    expect(prefilter(makePair(pair.vulnerableCode, logged, 'c', ['CWE-134'])).reasons).toEqual(['logging-only']);
  });

  it('keeps a Python indentation change, which changes meaning', () => {
    const before = 'def f(x):\n    if x:\n        a()\n    b()\n';
    const after = 'def f(x):\n    if x:\n        a()\n        b()\n';
    expect(prefilter(makePair(before, after, 'python', ['CWE-22'])).ok).toBe(true);
  });

  it('rejects a side that does not parse', () => {
    const broken = C_AFTER.replace('if (u == NULL || src == NULL)', 'if (u == NULL || src == NULL))) {{ ]]');
    const r = prefilter(makePair(C_BEFORE, broken), { maxParseErrorRatio: 0.01 });
    expect(r.reasons).toEqual(['parse-fixed']);
    expect(r.parse?.fixed).toBeGreaterThan(0.01);
  });

  it('rejects a function over the size bounds', () => {
    expect(prefilter(makePair(C_BEFORE, C_AFTER), { maxLines: 5 }).reasons).toEqual(['too-large']);
    expect(prefilter(makePair(C_BEFORE, C_AFTER), { maxChars: 100 }).reasons).toEqual(['too-large']);
  });

  it('strips comments lexically for languages without a grammar', () => {
    const before = 'function f(a) {\n  return run(a);\n}\n';
    const after = 'function f(a) {\n  // run it\n  return run(a); /* done */\n}\n';
    expect(prefilter(makePair(before, after, 'javascript', ['CWE-78'])).reasons).toEqual(['comments-only']);
  });

  it('uses the change ranges of the pair when it has them', () => {
    const pair = makePair(PY_BEFORE, PY_AFTER, 'python', ['CWE-89']);
    const start = PY_BEFORE.indexOf('query =');
    pair.changes = {
      deleted: [{ start, end: PY_BEFORE.indexOf('return') }],
      added: [{ start: PY_AFTER.indexOf('cursor.execute'), end: PY_AFTER.indexOf('return') }],
      origin: 'source',
    };
    const r = prefilter(pair);
    expect(r.deletedLines).toEqual([3, 4, 5]);
    expect(r.addedLines).toEqual([3, 4]);
  });
});

describe('line helpers', () => {
  it('diffs lines by longest common subsequence', () => {
    expect(diffLines('a\nb\nc\nd', 'a\nx\nc\nd\ne')).toEqual({ deleted: [2], added: [2, 5] });
    expect(diffLines('a\nb', 'a\nb')).toEqual({ deleted: [], added: [] });
  });

  it('maps UTF-16 ranges to lines, also after non-ASCII text', () => {
    const code = 'é😀\nline two\nthree';
    expect(linesOfRanges(code, [{ start: code.indexOf('two'), end: code.indexOf('three') + 1 }])).toEqual([2, 3]);
  });
});

describe('prefilter rename detection', () => {
  it('rejects a change that only renames identifiers', () => {
    const after = C_BEFORE.replaceAll('buf', 'buffer').replaceAll('src', 'source');
    expect(prefilter(makePair(C_BEFORE, after)).reasons).toEqual(['rename-only']);
  });

  it('keeps a change of a literal or a call', () => {
    expect(prefilter(makePair(C_BEFORE, C_BEFORE.replace('return 0;', 'return 1;'))).ok).toBe(true);
    expect(prefilter(makePair(C_BEFORE, C_BEFORE.replace('strcpy(buf, src)', 'strlcpy(buf, src)'))).ok).toBe(true);
  });
});

describe('comment blanking in the pre-filter', () => {
  it('leaves comment markers inside string literals alone, also without a grammar', () => {
    const js = 'const u = \'http://x.org\'; // note\nrun("a /* b */ c"); /* gone */';
    const r = prefilter(makePair(js, js.replace(' c")', ' d")'), 'javascript', ['CWE-78']));
    expect(r.stripped.vulnerable).toBe('const u = \'http://x.org\';        \nrun("a /* b */ c");           ');
  });
});

describe('prefilter on C++', () => {
  const before =
    'namespace io {\ntemplate <typename T> int Reader<T>::read(char *dst, size_t n) {\n  std::memcpy(dst, buf_, n);\n  return 0;\n}\n}\n';
  const after = before.replace(
    '  std::memcpy(dst, buf_, n);',
    '  if (n > size_) throw std::out_of_range("n");\n  std::memcpy(dst, buf_, n);',
  );

  it('parses both sides with the C++ grammar', () => {
    const r = prefilter(makePair(before, after, 'cpp', ['CWE-787']));
    expect(r.ok).toBe(true);
    expect(r.parse).toEqual({ vulnerable: 0, fixed: 0 });
  });

  it('rejects a C++ side that does not parse, and a comments-only change', () => {
    const broken = after.replace('throw std::out_of_range("n");', 'throw std::out_of_range("n"))) {{ ]] <<<');
    expect(prefilter(makePair(before, broken, 'cpp'), { maxParseErrorRatio: 0.01 }).reasons).toEqual(['parse-fixed']);
    const commented = before.replace('  return 0;', '  // copied\n  return 0; /* ok */');
    expect(prefilter(makePair(before, commented, 'cpp')).reasons).toEqual(['comments-only']);
  });
});

describe.skipIf(!existsSync(DATA_DIR))('prefilter on real C++ pairs (needs ../shared/data)', () => {
  it('parse-checks every SVEN and SafeCoder C++ pair, and all of them parse', () => {
    const pairs = loadSvenAndSafeCoder().filter((p) => p.language === 'cpp');
    expect(pairs.length).toBeGreaterThanOrEqual(50);
    for (const pair of pairs) {
      const r = prefilter(pair);
      expect(r.parse, pair.id).toBeDefined();
      expect(
        r.reasons.filter((x) => x.startsWith('parse-')),
        pair.id,
      ).toEqual([]);
    }
  });
});
