import { describe, expect, it } from 'vitest';
import { lineChartSvg } from './plot.js';
import { summarise } from './summary.js';

describe('lineChartSvg', () => {
  it('draws one path per series in each panel and escapes labels', () => {
    const svg = lineChartSvg(
      [
        {
          title: 'a',
          series: [
            {
              label: 'x<y',
              points: [
                [0, 0.5],
                [4, 0.25],
              ],
            },
          ],
        },
        {
          title: 'b',
          series: [
            {
              label: 'z',
              points: [
                [0, 1],
                [4, 0],
              ],
            },
          ],
        },
      ],
      'step',
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)?.length).toBe(2);
    expect(svg).toContain('x&lt;y');
  });
});

describe('summarise', () => {
  it('averages seeds per step and reports the mean over RL evaluations', () => {
    const pts = [
      { condition: 'a', seed: 1, step: 0, insecureRate: 0.5, wellFormedRate: 0.5 },
      { condition: 'a', seed: 2, step: 0, insecureRate: 0.3, wellFormedRate: 0.7 },
      { condition: 'a', seed: 1, step: 2, insecureRate: 0.2, wellFormedRate: 0.5 },
      { condition: 'a', seed: 2, step: 2, insecureRate: 0.0, wellFormedRate: 0.5 },
      { condition: 'a', seed: 1, step: 4, insecureRate: 0.0, wellFormedRate: 0.4 },
      { condition: 'a', seed: 2, step: 4, insecureRate: 0.0, wellFormedRate: 0.6 },
    ];
    const { table, svg } = summarise(pts, ['a']);
    expect(table.split('\n')[2]).toBe('| a | 0.400 ± 0.100 | 0.100 ± 0.100 | 0.000 ± 0.000 | 0.050 | 0.600 ± 0.100 | 0.500 ± 0.100 |');
    expect(svg).toContain('<title>');
  });
});
