import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDWRITTEN_DIR, dedent, loadCorpus, loadLabelledDir, parseLabelled } from '../bench/corpus.js';
import { isKnownCwe } from './cwe.js';

const DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

describe('parseLabelled', () => {
  it('reads the label line and blanks it, keeping line numbers', () => {
    const p = parseLabelled('# label: vulnerable CWE-0601\nimport os\nos.system(x)\n');
    expect(p).toEqual({ vulnerable: true, cwe: 'CWE-601', code: '\nimport os\nos.system(x)\n' });
    expect(parseLabelled('// label: clean\nint main(void) { return 0; }')).toEqual({
      vulnerable: false,
      code: '\nint main(void) { return 0; }',
    });
    expect(parseLabelled('// label: clean CWE-120\nint x;')?.cwe).toBe('CWE-120');
  });

  it('gives nothing for a file without a label on its first line', () => {
    expect(parseLabelled('import os\n# label: clean\n')).toBeUndefined();
    expect(parseLabelled('# label: maybe\n')).toBeUndefined();
  });
});

describe('dedent', () => {
  it('removes the indentation common to every non-blank line', () => {
    expect(dedent('    def f(self):\n\n        return 1\n')).toBe('def f(self):\n\n    return 1\n');
    expect(dedent('x = 1\n  y = 2')).toBe('x = 1\n  y = 2');
  });
});

describe('loadLabelledDir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps labelled .py and .c files and leaves out the rest', () => {
    writeFileSync(join(dir, 'a.py'), '# label: vulnerable CWE-78\nimport os\n');
    writeFileSync(join(dir, 'b.c'), '// label: clean\nint main(void) { return 0; }\n');
    writeFileSync(join(dir, 'c.py'), 'print(1)\n');
    writeFileSync(join(dir, 'd.txt'), '# label: clean\n');
    const items = loadLabelledDir(dir, 'handwritten', dir);
    expect(items.map((i) => [i.id, i.language, i.vulnerable, i.cwe])).toEqual([
      ['handwritten/a.py', 'python', true, 'CWE-78'],
      ['handwritten/b.c', 'c', false, undefined],
    ]);
  });
});

describe('the hand-written files', () => {
  const files = ['python', 'c'].flatMap((sub) => readdirSync(join(HANDWRITTEN_DIR, sub)).map((f) => join(HANDWRITTEN_DIR, sub, f)));

  it('each start with a label line, and every vulnerable one names a CWE the hierarchy knows', () => {
    const bad = files.filter((f) => {
      const p = parseLabelled(readFileSync(f, 'utf8'));
      return !p || (p.vulnerable && !p.cwe) || (p.cwe !== undefined && !isKnownCwe(p.cwe));
    });
    expect(bad).toEqual([]);
  });

  it('hold both labels in both languages', () => {
    const items = loadCorpus('/nonexistent');
    for (const language of ['python', 'c'] as const) {
      const mine = items.filter((i) => i.language === language && i.origin === 'handwritten');
      expect(mine.filter((i) => i.vulnerable).length).toBeGreaterThan(20);
      expect(mine.filter((i) => !i.vulnerable).length).toBeGreaterThan(20);
    }
  });
});

describe.skipIf(!existsSync(DATA))('loadCorpus (needs ../shared/data)', () => {
  const items = loadCorpus(DATA);

  it('has at least 400 Python and 200 C files, each labelled, from every origin', () => {
    expect(items.filter((i) => i.language === 'python').length).toBeGreaterThanOrEqual(400);
    expect(items.filter((i) => i.language === 'c').length).toBeGreaterThanOrEqual(200);
    const origins = new Set(items.map((i) => i.origin));
    for (const o of ['sven', 'safecoder', 'cweval', 'cyberseceval', 'handwritten'] as const) expect(origins.has(o)).toBe(true);
    expect(items.filter((i) => i.vulnerable && !i.cwe)).toEqual([]);
  });

  it('labels CWEval unsafe references vulnerable and task references clean, SVEN before/after likewise', () => {
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get('cweval/c/cwe_078_0_c_unsafe.c')).toMatchObject({ vulnerable: true, cwe: 'CWE-78', language: 'c' });
    expect(byId.get('cweval/c/cwe_078_0_c_task.c')).toMatchObject({ vulnerable: false, language: 'c' });
    expect(byId.get('cweval/py/cwe_918_0_task.py')).toMatchObject({ vulnerable: false, cwe: 'CWE-918', language: 'python' });
    const sven = items.filter((i) => i.origin === 'sven');
    expect(sven.some((i) => i.vulnerable)).toBe(true);
    expect(sven.some((i) => !i.vulnerable)).toBe(true);
    expect(sven.every((i) => i.id.endsWith(':before') === i.vulnerable)).toBe(true);
  });

  it('holds each piece of code once, with one label', () => {
    const keys = items.map((i) => `${i.language}\0${i.code.trim()}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
