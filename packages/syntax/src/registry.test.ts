import { describe, expect, it } from 'vitest';
import { SyntaxLayerError } from './errors.js';
import { parse } from './parse.js';
import { getLanguage, languageForFile, languageNames, registerLanguage } from './registry.js';

describe('the language registry', () => {
  it('registers C, Python and C++', () => {
    expect(languageNames()).toEqual(expect.arrayContaining(['c', 'python', 'cpp']));
    expect(languageNames().slice(0, 3)).toEqual(['c', 'python', 'cpp']);
  });

  it('names the registered languages when asked for another', () => {
    expect(() => getLanguage('rust')).toThrowError(SyntaxLayerError);
    expect(() => getLanguage('rust')).toThrowError(/unknown language "rust"; registered: c, python, cpp/);
    try {
      getLanguage('rust');
    } catch (e) {
      expect((e as SyntaxLayerError).code).toBe('unknown-language');
    }
  });

  it('loads a grammar once and gives its type lists as sets', () => {
    const c = getLanguage('c');
    expect(getLanguage('c')).toBe(c);
    expect(c.units.has('call_expression')).toBe(true);
    expect(c.containers.has('compound_statement')).toBe(true);
    expect(c.identifiers.has('identifier')).toBe(true);
  });

  it('tells a file language from the one extension table, for registered languages only', () => {
    expect(languageForFile('src/a.c')).toBe('c');
    expect(languageForFile('include/a.H')).toBe('c');
    expect(languageForFile('lib/b.cc')).toBe('cpp');
    expect(languageForFile('x/y.hpp')).toBe('cpp');
    expect(languageForFile('app/db.py')).toBe('python');
    expect(languageForFile('web/app.js')).toBeUndefined();
    expect(languageForFile('Makefile')).toBeUndefined();
  });

  it('adds a language with one registration', () => {
    registerLanguage({ ...getLanguage('c').spec, name: 'c-statements', unitTypes: ['expression_statement'] });
    expect(languageNames()).toContain('c-statements');
    const lang = getLanguage('c-statements');
    expect([...lang.units]).toEqual(['expression_statement']);
    expect(parse('int main(void) { return 0; }', 'c-statements').rootNode.type).toBe('translation_unit');
  });

  it('replaces a language registered again, and its parses follow the new grammar', () => {
    const code = 'def f():\n    return 1\n';
    registerLanguage({ ...getLanguage('c').spec, name: 'swapped' });
    expect(parse(code, 'swapped').rootNode.type).toBe('translation_unit');
    registerLanguage({ ...getLanguage('python').spec, name: 'swapped' });
    expect(parse(code, 'swapped').rootNode.type).toBe('module');
  });

  it('reports a grammar that fails to load as an unknown language, with the cause', () => {
    const boom = new Error('no such module');
    registerLanguage({
      ...getLanguage('c').spec,
      name: 'broken',
      grammar: () => {
        throw boom;
      },
    });
    expect(() => getLanguage('broken')).toThrowError(/the grammar of "broken" failed to load/);
    try {
      getLanguage('broken');
    } catch (e) {
      expect((e as SyntaxLayerError).cause).toBe(boom);
    }
  });
});
