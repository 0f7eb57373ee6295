// Small SVG charts for the dashboard: line chart (several series) and bar chart with confidence whiskers.
const NS = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** About `count` round ticks covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  if (hi === lo) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function tickLabel(v) {
  return Math.abs(v) >= 1000 ? v.toLocaleString('en-US') : String(Number(v.toPrecision(3)));
}

function frame(opts, nLegend) {
  const w = opts.width || 640;
  const h = opts.height || 280;
  const svg = s('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart', role: 'img', 'aria-label': opts.title || 'chart', 'font-size': 12, 'font-family': 'system-ui, sans-serif' });
  const f = { svg, w, h, left: 56, right: w - 16, top: opts.title ? 28 : 10, bottom: h - 36 - (nLegend > 0 ? 18 : 0) };
  if (opts.title) svg.appendChild(s('text', { x: w / 2, y: 18, 'text-anchor': 'middle', 'font-weight': 700, 'font-size': 13 }, opts.title));
  return f;
}

function yAxis(f, lo, hi, label, format = tickLabel) {
  const ticks = niceTicks(lo, hi);
  const a = Math.min(lo, ticks[0]);
  const b = Math.max(hi, ticks[ticks.length - 1]);
  const y = (v) => f.bottom - ((v - a) / (b - a || 1)) * (f.bottom - f.top);
  for (const t of ticks) {
    f.svg.appendChild(s('line', { x1: f.left, x2: f.right, y1: y(t), y2: y(t), stroke: '#e6e8eb' }));
    f.svg.appendChild(s('text', { x: f.left - 6, y: y(t) + 4, 'text-anchor': 'end', fill: '#555' }, format(t)));
  }
  f.svg.appendChild(s('line', { x1: f.left, x2: f.left, y1: f.top, y2: f.bottom, stroke: '#333' }));
  f.svg.appendChild(s('line', { x1: f.left, x2: f.right, y1: f.bottom, y2: f.bottom, stroke: '#333' }));
  if (label) f.svg.appendChild(s('text', { transform: `translate(14 ${(f.top + f.bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' }, label));
  return y;
}

function legend(f, names) {
  let x = f.left;
  const y = f.h - 8;
  names.forEach((n, i) => {
    f.svg.appendChild(s('rect', { x, y: y - 9, width: 10, height: 10, fill: PALETTE[i % PALETTE.length] }));
    f.svg.appendChild(s('text', { x: x + 14, y }, n));
    x += 24 + n.length * 7;
  });
}

/**
 * Line chart. series: [{ name, x: number[], y: number[] }]; opts: { title, yLabel, xFormat(x) -> string,
 * xTicks: number[] (default: about 6 of the x values) }.
 */
export function lineChart(series, opts = {}) {
  const f = frame(opts, series.length > 1 ? series.length : 0);
  const xs = series.flatMap((q) => q.x);
  const ys = series.flatMap((q) => q.y);
  if (!xs.length) {
    f.svg.appendChild(s('text', { x: f.w / 2, y: (f.top + f.bottom) / 2, 'text-anchor': 'middle', fill: '#888' }, 'no data'));
    return f.svg;
  }
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y = yAxis(f, Math.min(0, ...ys), Math.max(...ys), opts.yLabel, opts.yFormat);
  const x = (v) => f.left + 8 + ((v - x0) / (x1 - x0 || 1)) * (f.right - f.left - 16);
  const uniq = [...new Set(xs)].sort((a, b) => a - b);
  const every = Math.max(1, Math.ceil(uniq.length / 6));
  const xf = opts.xFormat || tickLabel;
  uniq.filter((_, i) => i % every === 0).forEach((v) => {
    f.svg.appendChild(s('text', { x: x(v), y: f.bottom + 16, 'text-anchor': 'middle', fill: '#555' }, xf(v)));
  });
  if (opts.xLabel) f.svg.appendChild(s('text', { x: (f.left + f.right) / 2, y: f.bottom + 32, 'text-anchor': 'middle' }, opts.xLabel));
  series.forEach((q, i) => {
    const c = PALETTE[i % PALETTE.length];
    const pts = q.x.map((v, k) => `${x(v).toFixed(1)},${y(q.y[k]).toFixed(1)}`).join(' ');
    f.svg.appendChild(s('polyline', { points: pts, fill: 'none', stroke: c, 'stroke-width': 2, class: 'series' }));
    if (q.x.length <= 40) q.x.forEach((v, k) => f.svg.appendChild(s('circle', { cx: x(v), cy: y(q.y[k]), r: 2.5, fill: c })));
  });
  if (series.length > 1) legend(f, series.map((q) => q.name));
  return f.svg;
}

/**
 * Bar chart with confidence whiskers. groups: [{ label, bars: [{ name, value, low?, high? }] }]: one group
 * per category (e.g. metric), one bar per series (e.g. variant), whiskers from low to high.
 */
export function barChart(groups, opts = {}) {
  const names = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.name)))];
  const f = frame(opts, names.length > 1 ? names.length : 0);
  const his = groups.flatMap((g) => g.bars.map((b) => Math.max(b.value, b.high ?? b.value)));
  const y = yAxis(f, 0, Math.max(1e-9, ...his), opts.yLabel, opts.yFormat);
  const gw = (f.right - f.left) / Math.max(1, groups.length);
  const bw = Math.min(56, (gw * 0.7) / Math.max(1, names.length));
  groups.forEach((g, gi) => {
    const gx = f.left + gi * gw + (gw - bw * names.length) / 2;
    g.bars.forEach((b) => {
      const k = names.indexOf(b.name);
      const x = gx + k * bw;
      const c = PALETTE[k % PALETTE.length];
      f.svg.appendChild(s('rect', { x: x + 2, y: y(b.value), width: bw - 4, height: Math.max(0, f.bottom - y(b.value)), fill: c, class: 'bar' }, undefined));
      if (b.low !== undefined && b.high !== undefined) {
        const cx = x + bw / 2;
        f.svg.appendChild(s('line', { x1: cx, x2: cx, y1: y(b.low), y2: y(b.high), stroke: '#222', 'stroke-width': 1.5, class: 'whisker' }));
        f.svg.appendChild(s('line', { x1: cx - 6, x2: cx + 6, y1: y(b.low), y2: y(b.low), stroke: '#222', 'stroke-width': 1.5 }));
        f.svg.appendChild(s('line', { x1: cx - 6, x2: cx + 6, y1: y(b.high), y2: y(b.high), stroke: '#222', 'stroke-width': 1.5 }));
      }
    });
    f.svg.appendChild(s('text', { x: f.left + gi * gw + gw / 2, y: f.bottom + 16, 'text-anchor': 'middle' }, g.label));
  });
  if (names.length > 1) legend(f, names);
  return f.svg;
}
