import { describe, expect, it } from 'vitest';

// The values the entry exports: a name added here is a public promise, so it is added on purpose.
describe('public surface', () => {
  it('exports the schemas, JSONL I/O, importers, curation and the shared error model', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
      'DatasetError',
      'ERROR_CODES',
      'IMPORT_FORMATS',
      'JsonlAppender',
      'JsonlReader',
      'LANGUAGES',
      'PairStatsCollector',
      'RUN_OUTCOMES',
      'SCHEMA_NAMES',
      'SrcodeError',
      'assertValid',
      'computeChanges',
      'dedupPairs',
      'formatIssue',
      'fromSvenRecord',
      'fromUnknown',
      'importPairs',
      'isSrcodeError',
      'languageFromFileName',
      'lineIndex',
      'pairStats',
      'readJsonl',
      'readJsonlAll',
      'samplePairsPath',
      'splitPairs',
      'validate',
      'writeJsonlAtomic',
    ]);
  });
});
