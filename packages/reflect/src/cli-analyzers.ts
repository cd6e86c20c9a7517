import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnalyzerLike } from './analyzer.js';
import { ReflectError } from './errors.js';

/** The CLI's evidence sources, and what to tell the user when the default one is missing. */
export interface CliAnalyzers {
  analyzers: AnalyzerLike[];
  /** Set when @srcode/eval is not installed: a line for stderr saying which evidence is off. */
  notice?: string;
}

/** Loads @srcode/eval, the optional peer that holds the analysers. */
export type EvalImporter = () => Promise<unknown>;

const importEval: EvalImporter = () => import('@srcode/eval');

/**
 * @srcode/eval's `LexicalAnalyzer` (the CLI's evidence source since before the rules moved to eval)
 * when the package is installed, followed by the analysers of `--analyzers FILE`.
 */
export async function cliAnalyzers(file: string | undefined, importer: EvalImporter = importEval): Promise<CliAnalyzers> {
  const extra = file ? await loadAnalyzers(file) : [];
  const lexical = await lexicalAnalyzer(importer);
  if (lexical) return { analyzers: [lexical, ...extra] };
  const off = file ? `only the analysers of ${file} give evidence` : 'analyser evidence is off';
  return {
    analyzers: extra,
    notice: `srcode-reflect: @srcode/eval (with its LexicalAnalyzer) is not installed, so ${off}; install @srcode/eval to turn it on\n`,
  };
}

async function lexicalAnalyzer(importer: EvalImporter): Promise<AnalyzerLike | undefined> {
  let mod: { LexicalAnalyzer?: new () => AnalyzerLike };
  try {
    mod = (await importer()) as typeof mod;
  } catch (e) {
    // only a missing @srcode/eval means "not installed"; a broken install is an error worth seeing
    const missing =
      (e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && /'@srcode\/eval'|"@srcode\/eval"/.test(String((e as Error).message));
    if (missing) return undefined;
    throw e;
  }
  // an @srcode/eval older than the move of the lexical rules has none: the same as not installed
  return typeof mod.LexicalAnalyzer === 'function' ? new mod.LexicalAnalyzer() : undefined;
}

/** Loads extra analysers from a module: `export const analyzers = [...]` or a default export. */
async function loadAnalyzers(file: string): Promise<AnalyzerLike[]> {
  // a missing file fails here with its path named (import() would blame a URL); a folder is named too
  if (statSync(file).isDirectory()) throw new ReflectError('invalid-option', `${file}: is a folder, expected a JS module`);
  const mod = (await import(pathToFileURL(resolve(file)).href)) as { analyzers?: unknown; default?: unknown };
  const list = mod.analyzers ?? mod.default;
  const items = Array.isArray(list) ? list : [list];
  for (const a of items) {
    const ok =
      a &&
      typeof a === 'object' &&
      typeof (a as AnalyzerLike).name === 'string' &&
      Array.isArray((a as AnalyzerLike).languages) &&
      typeof (a as { analyze?: unknown }).analyze === 'function';
    if (!ok)
      throw new ReflectError('invalid-option', `${file} must export analyzers of the shape { name, languages, analyze(code, language) }`);
  }
  return items as AnalyzerLike[];
}
