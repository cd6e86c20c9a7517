import type { TokenRewardMap } from '@srcode/dataset';
import { describe, expect, it } from 'vitest';
import { renderHtml, rewardColor } from './render.js';

const map: TokenRewardMap = {
  schemaVersion: 1,
  id: 'm<1>',
  mode: 'online',
  side: 'completion',
  tokenizer: 't',
  text: 'if (a < b) x();',
  tokenIds: [1, 2, 3, 4],
  offsets: [
    [0, 3],
    [3, 10],
    [10, 14],
    [14, 15],
  ],
  rewards: [0, -1, 0.5, 0],
  spans: [{ start: 3, end: 10, polarity: 'vulnerable', weight: -1, source: 'match', nodeType: 'parenthesized_expression' }],
};

describe('renderHtml', () => {
  it('escapes the code and needs nothing from outside the page', () => {
    const html = renderHtml([map]);
    expect(html).toContain('(a &#60; b)');
    expect(html).toContain('m&#60;1&#62;');
    expect(html).not.toMatch(/<script|<link|src=|url\(/);
  });

  it('colours tokens by the sign and size of their reward and marks span edges', () => {
    const html = renderHtml([map]);
    expect(html).toContain(`data-reward="-1" style="background-color: ${rewardColor(-1)}"`);
    expect(html).toMatch(/class="tok in-vulnerable span-start span-end"/);
    expect(rewardColor(0)).toBe('transparent');
    expect(rewardColor(0.5)).toMatch(/^rgba\(0, 170, 60, /);
    expect(rewardColor(-3)).toBe(rewardColor(-1));
  });
});
