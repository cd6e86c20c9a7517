import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../bench/corpus.js';
import { DATA } from './rule-cases.js';

const REVIEW = fileURLToPath(new URL('../bench/corpus-review/c-cyberseceval.tsv', import.meta.url));
const rows = readFileSync(REVIEW, 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => l.split('\t'));

describe('reviewed CyberSecEval C labels', () => {
  it('each line names an item, a label and a reason', () => {
    expect(rows.length).toBeGreaterThan(0);
    for (const [id, label, reason] of rows) {
      expect(id).toMatch(/^cyberseceval\/c-\d+$/);
      expect(['clean', 'vulnerable']).toContain(label);
      expect((reason ?? '').length).toBeGreaterThan(10);
    }
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
  });

  it.skipIf(!existsSync(DATA))('every reviewed id is a C item of the corpus (needs ../shared/data)', () => {
    const ids = new Set(loadCorpus(DATA).map((i) => i.id));
    expect(rows.map((r) => r[0]).filter((id) => !ids.has(id as string))).toEqual([]);
  });
});
