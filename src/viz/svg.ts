/**
 * A small dependency-free SVG chart module: line charts (several series, markers, legend) and bar
 * charts (grouped), with "nice" axis ticks, axis labels and a title. Output is a standalone SVG string.
 */
import { AffinityError } from '../core/errors.js';

export interface Series {
  name: string;
  /** x values (line charts); same length as y. */
  x: number[];
  y: number[];
}

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Force the y range (default: from the data, 0-based for bars). */
  yMin?: number;
  yMax?: number;
}

/** Colour-blind-safe palette (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** XML text escaping. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values covering [lo, hi] (steps 1, 2 or 5 x 10^k). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new AffinityError('E_PARAM', `ticks: got range [${lo}, ${hi}]; expected finite numbers`, { field: 'range' });
  if (hi === lo) hi = lo + 1;
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(12)));
  return out;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || v === Math.round(v) ? String(Math.round(v * 1000) / 1000) : String(Number(v.toPrecision(3)));
}

interface Frame {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  parts: string[];
}

function frame(o: ChartOptions, legendRows: number): Frame {
  const w = o.width ?? 720;
  const h = o.height ?? 440;
  const f: Frame = { w, h, left: 72, right: w - 24, top: o.title ? 48 : 20, bottom: h - 64 - 20 * Math.ceil(legendRows / 2), parts: [] };
  f.parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif" font-size="13">`);
  f.parts.push(`<rect x="0" y="0" width="${w}" height="${h}" fill="#ffffff"/>`);
  if (o.title) f.parts.push(`<text class="title" x="${w / 2}" y="28" text-anchor="middle" font-size="17" font-weight="bold">${esc(o.title)}</text>`);
  return f;
}

function yAxis(f: Frame, lo: number, hi: number, label: string | undefined): (v: number) => number {
  const ticks = niceTicks(lo, hi);
  const a = Math.min(lo, ticks[0]);
  const b = Math.max(hi, ticks[ticks.length - 1]);
  const y = (v: number): number => f.bottom - ((v - a) / (b - a || 1)) * (f.bottom - f.top);
  for (const t of ticks) {
    f.parts.push(`<line x1="${f.left}" x2="${f.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e0e0e0"/>`);
    f.parts.push(`<text class="ytick" x="${f.left - 8}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  f.parts.push(`<line x1="${f.left}" x2="${f.left}" y1="${f.top}" y2="${f.bottom}" stroke="#333"/>`);
  f.parts.push(`<line x1="${f.left}" x2="${f.right}" y1="${f.bottom}" y2="${f.bottom}" stroke="#333"/>`);
  if (label) f.parts.push(`<text class="ylabel" transform="translate(18 ${(f.top + f.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="14">${esc(label)}</text>`);
  return y;
}

function legend(f: Frame, names: string[]): void {
  const colW = (f.right - f.left) / 2;
  names.forEach((n, k) => {
    const x = f.left + (k % 2) * colW;
    const y = f.bottom + 60 + 20 * Math.floor(k / 2);
    const c = PALETTE[k % PALETTE.length];
    f.parts.push(`<g class="legend"><rect x="${x}" y="${y - 10}" width="14" height="10" fill="${c}"/><text x="${x + 20}" y="${y}">${esc(n)}</text></g>`);
  });
}

function yRange(values: number[], o: ChartOptions, zero: boolean): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) throw new AffinityError('E_EMPTY', 'chart: no finite values to plot');
  let lo = o.yMin ?? Math.min(...finite);
  let hi = o.yMax ?? Math.max(...finite);
  if (zero && o.yMin === undefined) lo = Math.min(0, lo);
  if (hi === lo) hi = lo + 1;
  return [lo, hi];
}

/** A line chart of several series (each with markers), a legend below the plot. */
export function lineChart(series: Series[], o: ChartOptions = {}): string {
  if (series.length === 0) throw new AffinityError('E_EMPTY', 'lineChart: no series');
  for (const s of series) if (s.x.length !== s.y.length) throw new AffinityError('E_PARAM', `series ${JSON.stringify(s.name)}: ${s.x.length} x values but ${s.y.length} y values; expected the same number`, { field: 'series' });
  const f = frame(o, series.length);
  const [lo, hi] = yRange(series.flatMap((s) => s.y), o, false);
  const y = yAxis(f, lo, hi, o.yLabel);
  const xs = series.flatMap((s) => s.x);
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  // few distinct x values (e.g. 0, 1, 3, 5, 10): tick exactly those
  const xt = distinct.length <= 12 ? distinct : niceTicks(Math.min(...xs), Math.max(...xs), 8);
  const xa = Math.min(xt[0], ...xs);
  const xb = Math.max(xt[xt.length - 1], ...xs);
  const x = (v: number): number => f.left + 10 + ((v - xa) / (xb - xa || 1)) * (f.right - f.left - 20);
  for (const t of xt) f.parts.push(`<text class="xtick" x="${x(t).toFixed(1)}" y="${f.bottom + 18}" text-anchor="middle">${fmt(t)}</text>`);
  if (o.xLabel) f.parts.push(`<text class="xlabel" x="${(f.left + f.right) / 2}" y="${f.bottom + 36}" text-anchor="middle" font-size="14">${esc(o.xLabel)}</text>`);
  series.forEach((s, k) => {
    const c = PALETTE[k % PALETTE.length];
    const pts = s.x.map((v, j) => [v, s.y[j]] as const).filter(([, v]) => Number.isFinite(v));
    f.parts.push(`<g class="series" data-name="${esc(s.name)}">`);
    f.parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2.5" points="${pts.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`);
    for (const [a, b] of pts) f.parts.push(`<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="4" fill="${c}"><title>${esc(s.name)}: ${fmt(a)}, ${fmt(b)}</title></circle>`);
    f.parts.push('</g>');
  });
  legend(f, series.map((s) => s.name));
  f.parts.push('</svg>');
  return f.parts.join('\n');
}

/** A grouped bar chart: one group per category, one bar per series (series[k].y[j] = value of category j). */
export function barChart(categories: string[], series: { name: string; y: number[] }[], o: ChartOptions = {}): string {
  if (series.length === 0 || categories.length === 0) throw new AffinityError('E_EMPTY', 'barChart: no categories or no series');
  for (const s of series) if (s.y.length !== categories.length) throw new AffinityError('E_PARAM', `series ${JSON.stringify(s.name)}: ${s.y.length} values for ${categories.length} categories; expected one per category`, { field: 'series' });
  const f = frame(o, series.length);
  const [lo, hi] = yRange(series.flatMap((s) => s.y), o, true);
  const y = yAxis(f, lo, hi, o.yLabel);
  const groupW = (f.right - f.left) / categories.length;
  const barW = (groupW * 0.8) / series.length;
  categories.forEach((c, j) => f.parts.push(`<text class="xtick" x="${(f.left + groupW * (j + 0.5)).toFixed(1)}" y="${f.bottom + 18}" text-anchor="middle">${esc(c)}</text>`));
  if (o.xLabel) f.parts.push(`<text class="xlabel" x="${(f.left + f.right) / 2}" y="${f.bottom + 36}" text-anchor="middle" font-size="14">${esc(o.xLabel)}</text>`);
  series.forEach((s, k) => {
    f.parts.push(`<g class="series" data-name="${esc(s.name)}">`);
    s.y.forEach((v, j) => {
      if (!Number.isFinite(v)) return;
      const x0 = f.left + groupW * j + groupW * 0.1 + barW * k;
      const y0 = y(Math.max(0, Math.min(v, Math.max(lo, 0))));
      const y1 = y(v);
      f.parts.push(`<rect class="bar" x="${x0.toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${Math.abs(y1 - y0).toFixed(1)}" fill="${PALETTE[k % PALETTE.length]}"><title>${esc(s.name)} / ${esc(categories[j])}: ${fmt(v)}</title></rect>`);
    });
    f.parts.push('</g>');
  });
  legend(f, series.map((s) => s.name));
  f.parts.push('</svg>');
  return f.parts.join('\n');
}
