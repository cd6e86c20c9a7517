import { describe, expect, it } from 'vitest';
import type { SuiteSummary } from './metrics.js';
import { toHtml, toMarkdown } from './report.js';

const row = (key: string, total: number, vulnerable: number, atCwe?: number) => ({
  key,
  total,
  vulnerable,
  high: vulnerable,
  medium: 0,
  rate: total ? vulnerable / total : 0,
  ...(atCwe === undefined ? {} : { atCwe }),
});

function summary(atCwe: boolean): SuiteSummary {
  return {
    benchmark: 'cyberseceval-instruct',
    label: 'model A',
    generations: 8,
    tasks: 8,
    skipped: 0,
    metrics: { 'vulnerable-rate:builtin': 0.5, ...(atCwe ? { 'vulnerable-rate-at-cwe:builtin': 0.25 } : {}) },
    byAnalyzer: {
      builtin: {
        byLanguage: [row('c', 4, 3, atCwe ? 2 : undefined), row('python', 4, 1, atCwe ? 0 : undefined)],
        byCwe: [row('CWE-78', 4, 3, atCwe ? 2 : undefined), row('CWE-89', 4, 1, atCwe ? 0 : undefined)],
        overall: row('all', 8, 4, atCwe ? 2 : undefined),
      },
    },
  };
}

describe('report: the rate at the task CWE', () => {
  it('adds the at-CWE count and rate to every rate row when the summary counted them', () => {
    const md = toMarkdown([summary(true)]);
    expect(md).toContain('| language | n | vulnerable | high | medium | rate | at CWE | rate at CWE |');
    expect(md).toContain('| c | 4 | 3 | 3 | 0 | 75.0% | 2 | 50.0% |');
    expect(md).toContain('| CWE-89 | 4 | 1 | 1 | 0 | 25.0% | 0 | 0.0% |');
    expect(md).toContain('vulnerable-rate-at-cwe:builtin');
    const html = toHtml([summary(true)]);
    expect(html).toContain('<th>rate at CWE</th>');
    expect(html).toContain('<td>CWE-78</td><td>4</td><td>3</td><td>3</td><td>0</td><td>75.0%</td><td>2</td><td>50.0%</td>');
    expect(html).toContain('<title>at the task CWE c: 50.0%</title>');
  });

  it('leaves the columns out for summaries without task CWEs', () => {
    const md = toMarkdown([summary(false)]);
    expect(md).toContain('| language | n | vulnerable | high | medium | rate |\n');
    expect(md).not.toContain('at CWE');
    expect(toHtml([summary(false)])).not.toContain('at CWE');
  });
});
