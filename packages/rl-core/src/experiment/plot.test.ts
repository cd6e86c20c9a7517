import { describe, expect, it } from 'vitest';
import { lineChartSvg } from './plot.js';

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
