// One SVG line/point chart, written by hand: a few hundred bytes of markup need no plotting library.
// Every chart has <title> and <desc> (what a screen reader says), text as text, and a legend; every
// plotted point carries its values in data-series/data-x/data-y, so a test (or a person) can read
// back exactly what was drawn.

import { type Axis, linear, niceAxis, tickLabel } from './scale.js';

export interface ChartPoint {
  x: number;
  y: number;
  /** Drawn beside the point (e.g. "z = 1.0"). */
  label?: string;
  /** Shown on hover and read by screen readers. */
  tooltip?: string;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
  color: string;
  /** stroke-dasharray of the connecting line; lines tell series apart without colour too. */
  dash?: string;
  marker: 'circle' | 'square';
  /** Connect the points in x order. */
  line: boolean;
}

/** A horizontal line at a fixed value (a baseline, a budget, the noise-free run). */
export interface ReferenceLine {
  name: string;
  y: number;
  color: string;
  dash: string;
}

export interface ChartSpec {
  /** Unique within a page: the <title>/<desc> ids derive from it. */
  id: string;
  title: string;
  desc: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  references: ReferenceLine[];
  /** The x range to show even without points (e.g. all rounds of a run). */
  xRange?: [number, number];
  xInteger?: boolean;
  xFromZero?: boolean;
  yFromZero?: boolean;
  /** Shown in the plot area instead of data, e.g. "no noise (ε = ∞)". */
  message?: string;
  width?: number;
  height?: number;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const CHAR_WIDTH = 7.2; // at 12 px, to lay the legend out without measuring text

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const num = (v: number) => String(Number(v.toFixed(2)));

interface LegendItem {
  name: string;
  color: string;
  dash?: string;
  marker?: 'circle' | 'square';
  line: boolean;
}

/** Legend rows that fit the width: [x offset, item] per row. */
function layoutLegend(items: LegendItem[], width: number): Array<Array<[number, LegendItem]>> {
  const rows: Array<Array<[number, LegendItem]>> = [[]];
  let x = 0;
  for (const item of items) {
    const w = 30 + item.name.length * CHAR_WIDTH + 22;
    if (x > 0 && x + w > width) rows.push([]), (x = 0);
    rows[rows.length - 1].push([x, item]);
    x += w;
  }
  return rows.filter((r) => r.length > 0);
}

function marker(shape: 'circle' | 'square', x: number, y: number, color: string, size = 4, extra = '', inner = ''): string {
  if (shape === 'circle') return `<circle${extra} cx="${num(x)}" cy="${num(y)}" r="${size}" fill="${color}" stroke="#fff" stroke-width="1">${inner}</circle>`;
  return `<rect${extra} x="${num(x - size)}" y="${num(y - size)}" width="${2 * size}" height="${2 * size}" fill="${color}" stroke="#fff" stroke-width="1">${inner}</rect>`;
}

function axisFor(values: number[], o: { integer?: boolean; fromZero?: boolean }): Axis {
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (o.fromZero) lo = Math.min(0, lo);
  // A little room, so that a value at the edge (a baseline line, the best round) is not on the frame.
  else if (!o.integer) lo -= (hi - lo) * 0.04;
  if (!o.integer) hi += (hi - lo) * 0.04;
  return niceAxis(lo, hi, { integer: o.integer });
}

export function renderChart(spec: ChartSpec): string {
  const W = spec.width ?? 640;
  const H = spec.height ?? 400;
  const left = 68;
  const right = W - 24;
  // With a message instead of data, a legend would name lines that are not there.
  const legendItems: LegendItem[] = spec.message ? [] : [
    ...spec.series.map((s) => ({ name: s.name, color: s.color, dash: s.dash, marker: s.marker, line: s.line })),
    ...spec.references.map((r) => ({ name: r.name, color: r.color, dash: r.dash, line: true })),
  ];
  const legend = layoutLegend(legendItems, right - left);
  const top = 46 + legend.length * 18 + 10;
  const bottom = H - 56;

  const points = spec.series.flatMap((s) => s.points);
  const xs = [...points.map((p) => p.x), ...(spec.xRange ?? [])];
  const ys = [...points.map((p) => p.y), ...spec.references.map((r) => r.y)];
  const xAxis = axisFor(xs, { integer: spec.xInteger, fromZero: spec.xFromZero });
  const drawY = ys.length > 0;
  const yAxis = axisFor(ys, { fromZero: spec.yFromZero });
  const sx = linear(xAxis.min, xAxis.max, left, right);
  const sy = linear(yAxis.min, yAxis.max, bottom, top);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${spec.id}-title ${spec.id}-desc" font-family='${FONT}' font-size="12">`);
  out.push(`<title id="${spec.id}-title">${escapeXml(spec.title)}</title>`);
  out.push(`<desc id="${spec.id}-desc">${escapeXml(spec.desc)}</desc>`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="26" font-size="16" font-weight="600" fill="#111">${escapeXml(spec.title)}</text>`);

  // Legend, above the plot so it never covers a point.
  out.push('<g class="legend">');
  legend.forEach((row, i) => {
    const y = 46 + i * 18;
    for (const [dx, item] of row) {
      const x = left + dx;
      if (item.line) out.push(`<line x1="${num(x)}" y1="${y}" x2="${num(x + 24)}" y2="${y}" stroke="${item.color}" stroke-width="2"${item.dash ? ` stroke-dasharray="${item.dash}"` : ''}/>`);
      if (item.marker) out.push(marker(item.marker, x + 12, y, item.color));
      out.push(`<text x="${num(x + 30)}" y="${y + 4}" fill="#222">${escapeXml(item.name)}</text>`);
    }
  });
  out.push('</g>');

  // Axes: grid lines at the y ticks, tick labels, axis titles.
  out.push('<g class="axes" fill="#333">');
  if (drawY && !spec.message) {
    for (const t of yAxis.ticks) {
      const y = num(sy(t));
      out.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#e3e3e3"/>`);
      out.push(`<text x="${left - 8}" y="${y}" dy="4" text-anchor="end">${tickLabel(t, yAxis.step)}</text>`);
    }
  }
  for (const t of xAxis.ticks) {
    const x = num(sx(t));
    out.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${bottom + 19}" text-anchor="middle">${tickLabel(t, xAxis.step)}</text>`);
  }
  out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`);
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`);
  out.push(`<text x="${num((left + right) / 2)}" y="${H - 14}" text-anchor="middle" font-size="13">${escapeXml(spec.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${num((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(spec.yLabel)}</text>`);
  out.push('</g>');

  if (spec.message) {
    out.push(`<text class="message" x="${num((left + right) / 2)}" y="${num((top + bottom) / 2)}" text-anchor="middle" font-size="15" fill="#555">${escapeXml(spec.message)}</text>`);
  } else {
    for (const r of spec.references) {
      const y = num(sy(r.y));
      out.push(`<line class="reference" data-series="${escapeXml(r.name)}" data-y="${r.y}" x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="${r.color}" stroke-width="1.5" stroke-dasharray="${r.dash}"/>`);
    }
    // Smaller markers when many points share the width, so the line stays visible between them.
    const size = points.length > 40 * spec.series.length ? 2.5 : 4;
    for (const s of spec.series) {
      const sorted = [...s.points].sort((a, b) => a.x - b.x);
      out.push(`<g class="series" data-series="${escapeXml(s.name)}">`);
      if (s.line && sorted.length > 1) {
        out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${sorted.map((p) => `${num(sx(p.x))},${num(sy(p.y))}`).join(' ')}"/>`);
      }
      for (const p of sorted) {
        const attrs = ` class="point" data-series="${escapeXml(s.name)}" data-x="${p.x}" data-y="${p.y}"`;
        out.push(marker(s.marker, sx(p.x), sy(p.y), s.color, size, attrs, p.tooltip ? `<title>${escapeXml(p.tooltip)}</title>` : ''));
        if (p.label) out.push(`<text x="${num(sx(p.x))}" y="${num(sy(p.y) - 9)}" text-anchor="middle" font-size="11" fill="#222">${escapeXml(p.label)}</text>`);
      }
      out.push('</g>');
    }
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
