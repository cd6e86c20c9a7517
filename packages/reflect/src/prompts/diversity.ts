/** Word n-grams (lower-cased, punctuation split off) of a text, for Jaccard similarity. */
export function shingles(text: string, n = 2): Set<string> {
  const words = text.toLowerCase().match(/[a-z0-9_]+|[^\sa-z0-9_]/g) ?? [];
  const out = new Set<string>();
  for (const w of words) out.add(w);
  for (let i = 0; i + n <= words.length; i++) out.add(words.slice(i, i + n).join(' '));
  return out;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (!a.size && !b.size) return 1;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common / (a.size + b.size - common);
}

/** A symmetric similarity matrix over texts (1 on the diagonal): n-gram Jaccard, or any other measure. */
export type SimilarityMatrix = readonly (readonly number[])[];

/** The word n-gram Jaccard similarity of every pair of texts. */
export function jaccardMatrix(texts: readonly string[], n = 2): number[][] {
  const sets = texts.map((t) => shingles(t, n));
  return sets.map((a) => sets.map((b) => jaccard(a, b)));
}

/** Mean of the off-diagonal entries of a similarity matrix, over the given indices (all by default). */
export function meanOf(sim: SimilarityMatrix, indices: readonly number[] = sim.map((_, i) => i)): number {
  let sum = 0;
  let pairs = 0;
  for (let x = 0; x < indices.length; x++)
    for (let y = x + 1; y < indices.length; y++) {
      sum += sim[indices[x] as number]?.[indices[y] as number] ?? 0;
      pairs++;
    }
  return pairs ? sum / pairs : 0;
}

/** Mean similarity over all pairs (0 for fewer than two texts). */
export function meanPairwiseSimilarity(texts: readonly string[], n = 2): number {
  return meanOf(jaccardMatrix(texts, n));
}

/**
 * Keeps the `keep` most mutually different texts: greedy max-min selection on n-gram Jaccard
 * similarity, starting from the text least similar to the rest. Returns the chosen indices in input order.
 */
export function selectDiverse(texts: readonly string[], keep: number, n = 2): number[] {
  return selectDiverseBy(jaccardMatrix(texts, n), keep);
}

/** {@link selectDiverse} over any similarity matrix (e.g. cosine similarity of embeddings). */
export function selectDiverseBy(sim: SimilarityMatrix, keep: number): number[] {
  const count = sim.length;
  if (count <= keep) return sim.map((_, i) => i);
  const mean = sim.map((row, i) => row.reduce((s, v, j) => (j === i ? s : s + v), 0) / (count - 1));
  let first = 0;
  for (let i = 1; i < count; i++) if ((mean[i] ?? 0) < (mean[first] ?? 0)) first = i;
  const chosen = [first];
  while (chosen.length < keep) {
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      if (chosen.includes(i)) continue;
      const score = Math.max(...chosen.map((c) => sim[i]?.[c] ?? 0));
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    chosen.push(best);
  }
  return chosen.sort((a, b) => a - b);
}
