import type { Analyzer } from '@srcode/dataset';
import { TokenRewardError } from './errors.js';

/** The part of @srcode/eval the CLI uses: analysers by name. */
export interface EvalAnalyzers {
  ANALYZER_NAMES: readonly string[];
  createAnalyzer(name: string): Analyzer;
}

/** Loads @srcode/eval, the optional peer that holds the analysers. */
export type EvalImporter = () => Promise<unknown>;

const importEval: EvalImporter = () => import('@srcode/eval');

/** @srcode/eval's analyser registry; a clear error when the package is not installed. */
export async function loadEvalAnalyzers(importer: EvalImporter = importEval): Promise<EvalAnalyzers> {
  let mod: Partial<EvalAnalyzers>;
  try {
    mod = (await importer()) as Partial<EvalAnalyzers>;
  } catch (e) {
    // only a missing @srcode/eval means "not installed"; a broken install is an error worth seeing
    const missing =
      (e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && /'@srcode\/eval'|"@srcode\/eval"/.test(String((e as Error).message));
    if (!missing) throw e;
    throw new TokenRewardError(
      'invalid-input',
      '--analyzer needs the optional peer dependency @srcode/eval: install it next to @srcode/token-reward',
    );
  }
  if (typeof mod.createAnalyzer !== 'function' || !Array.isArray(mod.ANALYZER_NAMES))
    throw new TokenRewardError('invalid-input', 'the installed @srcode/eval has no analyser registry (createAnalyzer): update it');
  return mod as EvalAnalyzers;
}

/** The analysers of `--analyzer a,b`, checked against the registry and, for external tools, against the machine. */
export async function cliAnalyzers(spec: string, importer?: EvalImporter): Promise<{ names: string[]; analyzers: Analyzer[] }> {
  const names = [
    ...new Set(
      spec
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0) throw new TokenRewardError('invalid-input', '--analyzer takes names separated by commas, e.g. builtin,bandit');
  const evalMod = await loadEvalAnalyzers(importer);
  const unknown = names.filter((n) => !evalMod.ANALYZER_NAMES.includes(n));
  if (unknown.length)
    throw new TokenRewardError(
      'invalid-input',
      `--analyzer: unknown ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${evalMod.ANALYZER_NAMES.join(', ')}`,
    );
  const analyzers = names.map((n) => evalMod.createAnalyzer(n));
  for (const a of analyzers) {
    const probe = (a as { available?: () => Promise<boolean> }).available;
    if (probe && !(await probe.call(a)))
      throw new TokenRewardError('invalid-input', `--analyzer ${a.name}: the tool does not run here (is it installed?)`);
  }
  return { names, analyzers };
}

/** Whether an analyser works in-process (a rule engine a worker thread can run), not through a subprocess. */
export const inProcess = (a: Analyzer): boolean => typeof (a as { analyzeSync?: unknown }).analyzeSync === 'function';
