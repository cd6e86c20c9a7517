import type { TokenRewardMap } from '@srcode/dataset';

/** Options of {@link renderHtml}. */
export interface RenderOptions {
  /** Page title. @default 'Token rewards' */
  title?: string;
  /** Reward magnitude drawn at full strength; larger ones are clipped. @default 1 */
  scale?: number;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The background of a token: green for positive rewards, red for negative, none for zero. */
export function rewardColor(reward: number, scale = 1): string {
  if (reward === 0 || !Number.isFinite(reward)) return 'transparent';
  const a = Math.round((0.25 + 0.6 * Math.min(1, Math.abs(reward) / scale)) * 100) / 100;
  return reward > 0 ? `rgba(0, 170, 60, ${a})` : `rgba(220, 30, 30, ${a})`;
}

function renderMap(map: TokenRewardMap, scale: number): string {
  const text = map.text ?? '';
  // cut the text at every token and span boundary, so each segment has one token and a set of spans
  const cuts = new Set<number>([0, text.length]);
  for (const [s = 0, e = 0] of map.offsets) cuts.add(Math.min(s, text.length)).add(Math.min(e, text.length));
  for (const sp of map.spans) cuts.add(Math.min(sp.start, text.length)).add(Math.min(sp.end, text.length));
  const points = [...cuts].sort((a, b) => a - b);
  const tokenAt = new Int32Array(text.length).fill(-1);
  map.offsets.forEach(([s = 0, e = 0], i) => {
    for (let c = s; c < e && c < text.length; c++) if ((tokenAt[c] as number) < 0) tokenAt[c] = i;
  });
  const parts: string[] = [];
  for (let k = 1; k < points.length; k++) {
    const s = points[k - 1] as number;
    const e = points[k] as number;
    const t = tokenAt[s] as number;
    const reward = t >= 0 ? (map.rewards[t] ?? 0) : 0;
    const classes = ['tok'];
    for (const sp of map.spans) {
      if (sp.start <= s && sp.end >= e) {
        classes.push(sp.polarity === 'secure' ? 'in-secure' : 'in-vulnerable');
        if (sp.start === s) classes.push('span-start');
        if (sp.end === e) classes.push('span-end');
      }
    }
    parts.push(
      `<span class="${classes.join(' ')}" data-token="${t}" data-reward="${reward}" style="background-color: ${rewardColor(reward, scale)}" title="token ${t}: ${reward}">${escapeHtml(text.slice(s, e))}</span>`,
    );
  }
  const spans = map.spans.map(
    (sp) => `<li>${sp.polarity} ${escapeHtml(sp.nodeType ?? '')} [${sp.start}, ${sp.end}) weight ${sp.weight} (${sp.source})</li>`,
  );
  return `<section class="map" data-id="${escapeHtml(map.id)}">
<h2>${escapeHtml(map.id)} <small>${escapeHtml(map.mode)}${map.side ? ` · ${escapeHtml(map.side)}` : ''} · ${escapeHtml(map.tokenizer)} · ${map.tokenIds.length} tokens</small></h2>
<pre class="code">${parts.join('')}</pre>
<ul class="spans">${spans.join('')}</ul>
</section>`;
}

/**
 * A self-contained HTML page (no external resources) showing each map's text with every token
 * coloured by its reward and every span outlined (secure solid green, vulnerable dashed red).
 */
export function renderHtml(maps: readonly TokenRewardMap[], options: RenderOptions = {}): string {
  const scale = options.scale ?? 1;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title ?? 'Token rewards')}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; }
pre.code { font: 13px/1.5 ui-monospace, monospace; white-space: pre-wrap; border: 1px solid #ccc; padding: 0.75rem; }
.tok.in-secure { border-top: 2px solid #0a6; border-bottom: 2px solid #0a6; }
.tok.in-vulnerable { border-top: 2px dashed #c00; border-bottom: 2px dashed #c00; }
.tok.in-secure.span-start { border-left: 2px solid #0a6; }
.tok.in-secure.span-end { border-right: 2px solid #0a6; }
.tok.in-vulnerable.span-start { border-left: 2px dashed #c00; }
.tok.in-vulnerable.span-end { border-right: 2px dashed #c00; }
small { color: #555; font-weight: normal; }
</style></head>
<body>
<h1>${escapeHtml(options.title ?? 'Token rewards')}</h1>
<p>Green tokens are rewarded, red ones penalised, stronger colour for larger magnitude; outlines mark spans.</p>
${maps.map((m) => renderMap(m, scale)).join('\n')}
</body></html>
`;
}
