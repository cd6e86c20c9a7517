import { existsSync } from 'node:fs';
import { validate } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { C_AFTER, C_BEFORE, PY_AFTER, PY_BEFORE, makePair } from '../../test/make-pair.js';
import { DATA_DIR, loadSvenAndSafeCoder } from '../../test/sven.js';
import { jaccard, meanPairwiseSimilarity, selectDiverse, shingles } from './diversity.js';
import { generatePrompts } from './generate.js';
import { leakCheck } from './leak.js';
import { functionShape } from './signature.js';
import { TemplatePromptWriter, humanise } from './template-writer.js';

const writer = new TemplatePromptWriter();

describe('leakCheck', () => {
  it('finds forbidden terms at word starts, case-insensitively', () => {
    expect(leakCheck('Sanitize the path and avoid a buffer OVERFLOW (CWE-787)')).toMatchObject({
      passed: false,
      matchedTerms: expect.arrayContaining(['sanitiz', 'overflow', 'cwe']),
    });
    expect(leakCheck('Copy the user name into a new buffer and return 0.')).toEqual({ passed: true, matchedTerms: [] });
    expect(leakCheck('Set the prefix of the path').passed).toBe(true); // `fix` only at a word start
    expect(leakCheck('avoid use_after_free').matchedTerms).toContain('use after free');
  });
});

describe('functionShape', () => {
  it('reads a C signature with the grammar', () => {
    expect(functionShape(C_AFTER, 'c')).toMatchObject({
      name: 'copy_name',
      params: [
        { name: 'u', type: 'struct user *' },
        { name: 'src', type: 'const char *' },
      ],
      returnType: 'int',
    });
  });

  it('reads a Python docstring and calls', () => {
    const s = functionShape(PY_AFTER, 'python');
    expect(s).toMatchObject({ name: 'find_user', doc: 'Return the row of the named user.', returnsValue: true });
    expect(s.params.map((p) => p.name)).toEqual(['cursor', 'name']);
    expect(s.calls).toEqual(['cursor.execute', 'cursor.fetchone']);
  });

  it('reads a C++ method defined outside its class with the grammar', () => {
    const code = 'Status io::Reader::read(const std::string &path, size_t n) {\n  return Status::Ok();\n}\n';
    expect(functionShape(code, 'cpp')).toMatchObject({
      name: 'read',
      params: [
        { name: 'path', type: 'const std::string &' },
        { name: 'n', type: 'size_t' },
      ],
      returnType: 'Status',
    });
  });

  it('falls back to a lexical signature without a grammar', () => {
    expect(functionShape('function loadUser(id, opts) {\n  return db.get(id);\n}', 'javascript')).toMatchObject({
      name: 'loadUser',
      params: [{ name: 'id' }, { name: 'opts' }],
      calls: ['db.get'],
    });
  });

  it('turns identifiers into words', () => {
    expect(humanise('parse_http_hdr')).toBe('parse http header');
    expect(humanise('readPktBuf')).toBe('read packet buffer');
  });
});

describe('diversity filter', () => {
  it('measures n-gram Jaccard similarity', () => {
    expect(jaccard(shingles('a b c'), shingles('a b c'))).toBe(1);
    expect(jaccard(shingles('a b'), shingles('x y'))).toBe(0);
    expect(meanPairwiseSimilarity(['one text'])).toBe(0);
  });

  it('keeps the most different texts and lowers the mean similarity', () => {
    const texts = [
      'Write a function that copies the user name.',
      'Write a function that copies the user name quickly.',
      'Write a function that copies the name of the user.',
      'Specification: inputs u and src; output an int.',
      '/** Copy name. Returns: an int. */',
    ];
    const kept = selectDiverse(texts, 3);
    expect(kept).toHaveLength(3);
    expect(kept).toEqual(expect.arrayContaining([3, 4]));
    expect(meanPairwiseSimilarity(kept.map((i) => texts[i] as string))).toBeLessThan(meanPairwiseSimilarity(texts));
  });
});

describe('generatePrompts with the template writer', () => {
  it('writes valid prompts in varied styles that name the function but not the fix', async () => {
    const pair = makePair(C_BEFORE, C_AFTER);
    const r = await generatePrompts(pair, { writer, candidates: 6, keep: 3 });
    expect(r.prompts).toHaveLength(3);
    expect(new Set(r.prompts.map((p) => p.style)).size).toBeGreaterThanOrEqual(2);
    for (const p of r.prompts) {
      expect(validate('ImplicitPrompt', p)).toMatchObject({ ok: true });
      expect(p.text).toContain('copy_name');
      expect(p.text).not.toMatch(/strncpy|strcpy|NULL/);
      expect(leakCheck(p.text).passed).toBe(true);
    }
    expect(r.similarity.after).toBeLessThanOrEqual(r.similarity.before);
  });

  it('leaves out a function name that would leak', async () => {
    const before = PY_BEFORE.replaceAll('find_user', 'sanitize_user');
    const after = PY_AFTER.replaceAll('find_user', 'sanitize_user');
    const r = await generatePrompts(makePair(before, after, 'python', ['CWE-89']), { writer });
    for (const p of r.prompts) expect(p.text).not.toContain('sanitize');
  });

  it('drops candidates with forbidden terms and reports them', async () => {
    const leaky = {
      kind: 'llm' as const,
      model: 'm',
      write: async () => [
        { style: 'user-request' as const, text: 'Write a secure parser.' },
        { style: 'docstring' as const, text: 'Parse the header.' },
      ],
    };
    const r = await generatePrompts(makePair(C_BEFORE, C_AFTER), { writer: leaky });
    expect(r.prompts.map((p) => p.text)).toEqual(['Parse the header.']);
    expect(r.leaked).toEqual([{ text: 'Write a secure parser.', matchedTerms: ['secur'] }]);
  });
});

describe.skipIf(!existsSync(DATA_DIR))('template prompts on all SVEN and SafeCoder pairs (needs ../shared/data)', () => {
  it('never lets a forbidden term through', async () => {
    const pairs = loadSvenAndSafeCoder();
    let prompts = 0;
    for (const pair of pairs) {
      const r = await generatePrompts(pair, { writer });
      for (const p of r.prompts) expect(leakCheck(p.text)).toEqual({ passed: true, matchedTerms: [] });
      prompts += r.prompts.length;
    }
    expect(prompts).toBeGreaterThan(pairs.length * 2);
  });
});

describe('a custom similarity for the diversity filter', () => {
  it('uses the given matrix (e.g. from embeddings) to choose and to measure', async () => {
    const fixed = {
      kind: 'template' as const,
      model: 't',
      write: async () => ['alpha one', 'alpha two', 'beta', 'gamma'].map((text) => ({ style: 'other' as const, text })),
    };
    // a measure under which 'alpha one' and 'beta' are the only different pair
    const similarity = (texts: readonly string[]) =>
      texts.map((a, i) =>
        texts.map((b, j) => (i === j ? 1 : (a === 'alpha one' && b === 'beta') || (a === 'beta' && b === 'alpha one') ? 0 : 0.9)),
      );
    const r = await generatePrompts(makePair(C_BEFORE, C_AFTER), { writer: fixed, keep: 2, similarity });
    expect(r.prompts.map((p) => p.text)).toEqual(['alpha one', 'beta']);
    expect(r.similarity).toEqual({ before: 0.75, after: 0 });
  });
});
