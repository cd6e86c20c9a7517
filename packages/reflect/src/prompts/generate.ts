import type { ImplicitPrompt, RepairPair } from '@srcode/dataset';
import { shortHash } from '../hash.js';
import { type SimilarityMatrix, jaccardMatrix, meanOf, selectDiverseBy } from './diversity.js';
import { leakCheck } from './leak.js';
import type { PromptWriter } from './template-writer.js';

/** Options of `generatePrompts`. */
export interface GeneratePromptsOptions {
  /** Writes the candidates: `TemplatePromptWriter`, `LlmPromptWriter`, or any `PromptWriter`. */
  writer: PromptWriter;
  /** Candidates asked of the writer. @default 6 */
  candidates?: number;
  /** Prompts kept after the diversity filter. @default 3 */
  keep?: number;
  /** Word n-gram size of the similarity. @default 2 */
  ngram?: number;
  /** Forbidden terms. @default defaultTerms() (FORBIDDEN_TERMS plus every CWE name) */
  terms?: readonly string[];
  /**
   * Similarity of the clean candidates for the diversity filter, e.g. cosine similarity of sentence
   * embeddings from a local model. @default word n-gram Jaccard
   */
  similarity?: (texts: readonly string[]) => SimilarityMatrix | Promise<SimilarityMatrix>;
  /** Aborts the writer's requests. */
  signal?: AbortSignal;
}

/** The defaults of `GeneratePromptsOptions.candidates`, `keep` and `ngram`. */
export const PROMPT_DEFAULTS = {
  /** Candidates asked of the writer. */
  candidates: 6,
  /** Prompts kept. */
  keep: 3,
  /** Word n-gram size of the similarity. */
  ngram: 2,
} as const;

/** What `generatePrompts` kept, what it dropped, and how much the filter spread the prompts. */
export interface GeneratedPrompts {
  /** The kept prompts, as dataset records. */
  prompts: ImplicitPrompt[];
  /** Candidates dropped by the term check, with the terms they contained. */
  leaked: {
    /** The dropped candidate. */
    text: string;
    /** The forbidden terms it contained. */
    matchedTerms: string[];
  }[];
  /** Mean pairwise similarity (by the filter's measure) of the clean candidates, and of the kept prompts. */
  similarity: {
    /** Over the clean candidates. */
    before: number;
    /** Over the kept prompts. */
    after: number;
  };
}

/** Candidate descriptions -> term check -> diversity filter -> ImplicitPrompt records. */
export async function generatePrompts(pair: RepairPair, options: GeneratePromptsOptions): Promise<GeneratedPrompts> {
  const n = options.ngram ?? PROMPT_DEFAULTS.ngram;
  const candidates = await options.writer.write(
    pair,
    options.candidates ?? PROMPT_DEFAULTS.candidates,
    options.signal ? { signal: options.signal } : {},
  );
  const leaked: GeneratedPrompts['leaked'] = [];
  const clean = candidates.filter((c) => {
    const check = options.terms ? leakCheck(c.text, options.terms) : leakCheck(c.text);
    if (!check.passed) leaked.push({ text: c.text, matchedTerms: check.matchedTerms });
    return check.passed;
  });
  const texts = clean.map((c) => c.text);
  const sim = options.similarity ? await options.similarity(texts) : jaccardMatrix(texts, n);
  const chosen = selectDiverseBy(sim, options.keep ?? PROMPT_DEFAULTS.keep);
  const kept = chosen.map((i) => clean[i] as (typeof clean)[number]);
  const prompts = kept.map(
    (c): ImplicitPrompt => ({
      schemaVersion: 1,
      id: `${pair.id}-${shortHash(c.text).slice(0, 10)}`,
      pairId: pair.id,
      style: c.style,
      language: pair.language,
      text: c.text,
      generator: { kind: options.writer.kind, model: options.writer.model },
      leakCheck: { passed: true, matchedTerms: [] },
    }),
  );
  return {
    prompts,
    leaked,
    similarity: { before: meanOf(sim), after: meanOf(sim, chosen) },
  };
}
