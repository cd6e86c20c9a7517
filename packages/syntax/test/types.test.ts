import type { Language } from '@srcode/dataset';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  getLanguage,
  type LanguageSpec,
  type Lexicon,
  type LoadedLanguage,
  languageForFile,
  parse,
  type SyntaxNode,
  SyntaxLayerError,
  type Tree,
} from '../src/index.js';

describe('public types', () => {
  it('a spec holds what every package reads, and registration takes nothing else', () => {
    expectTypeOf<LanguageSpec['lexicon']>().toEqualTypeOf<Lexicon>();
    expectTypeOf<LanguageSpec['grammar']>().toEqualTypeOf<() => unknown>();
    expectTypeOf<LoadedLanguage['spec']>().toEqualTypeOf<LanguageSpec>();
    expectTypeOf(getLanguage).returns.toEqualTypeOf<LoadedLanguage>();
  });

  it('parse takes the code first and gives a tree of syntax nodes', () => {
    expectTypeOf(parse).parameters.toEqualTypeOf<[code: string, language: string]>();
    expectTypeOf(parse).returns.toEqualTypeOf<Tree>();
    expectTypeOf<Tree['rootNode']>().toEqualTypeOf<SyntaxNode>();
    expectTypeOf(languageForFile).returns.toEqualTypeOf<Language | undefined>();
  });
});

describe('SyntaxLayerError across module copies', () => {
  it('is instanceof for an error made by a second copy of the class', async () => {
    // a query string makes the loader evaluate the module again: a second class, as in a second bundle
    const copy = (await import('../src/errors.js?second-copy' as string)) as typeof import('../src/errors.js');
    expect(copy.SyntaxLayerError).not.toBe(SyntaxLayerError);
    expect(new copy.SyntaxLayerError('unknown-language', 'x')).toBeInstanceOf(SyntaxLayerError);
    expect(new Error('plain')).not.toBeInstanceOf(SyntaxLayerError);
  });
});
