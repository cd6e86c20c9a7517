/** One line of a plot: a label and (x, y) points. */
export interface Series {
  label: string;
  points: [number, number][];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A self-contained SVG with one panel per chart, shared legend, y in [0, 1]. */
export function lineChartSvg(panels: { title: string; series: Series[] }[], xLabel: string): string {
  const pw = 360;
  const ph = 240;
  const m = { l: 48, r: 16, t: 28, b: 40 };
  const width = panels.length * (pw + m.l + m.r);
  const legendH = 20 * Math.max(...panels.map((p) => p.series.length));
  const height = ph + m.t + m.b + legendH;
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x)));
  const xMax = Math.max(1, ...xs);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(panels.map((p) => p.title).join('; '))}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  panels.forEach((panel, pi) => {
    const ox = pi * (pw + m.l + m.r) + m.l;
    const X = (x: number) => ox + (x / xMax) * pw;
    const Y = (y: number) => m.t + ph - y * ph;
    out.push(`<text x="${ox + pw / 2}" y="16" text-anchor="middle" font-size="13">${esc(panel.title)}</text>`);
    out.push(`<rect x="${ox}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
    for (let i = 0; i <= 4; i++) {
      const y = i / 4;
      out.push(
        `<line x1="${ox}" x2="${ox + pw}" y1="${Y(y)}" y2="${Y(y)}" stroke="#eee"/><text x="${ox - 6}" y="${Y(y) + 4}" text-anchor="end">${y.toFixed(2)}</text>`,
      );
      const x = (xMax * i) / 4;
      out.push(`<text x="${X(x)}" y="${m.t + ph + 16}" text-anchor="middle">${Math.round(x)}</text>`);
    }
    out.push(`<text x="${ox + pw / 2}" y="${m.t + ph + 32}" text-anchor="middle">${esc(xLabel)}</text>`);
    panel.series.forEach((s, si) => {
      const color = COLORS[si % COLORS.length];
      const d = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
      for (const [x, y] of s.points) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
      const ly = m.t + ph + m.b + 14 + si * 20;
      out.push(
        `<line x1="${ox}" x2="${ox + 20}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/><text x="${ox + 26}" y="${ly}">${esc(s.label)}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
