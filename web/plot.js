// Small SVG plots: line charts (linear or log axes, quartile bands, labelled reference lines) and heat
// maps (a canvas-rendered image for large matrices, focusable cells for small ones). Plain SVG so every
// figure exports as SVG or PNG exactly as drawn; colours come from CSS variables (light and dark schemes).

const NS = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2',
  '#7f7f7f', '#bcbd22', '#393b79', '#637939'];

export function svgEl(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

function text(parent, x, y, s, attrs = {}) {
  const t = svgEl('text', { x, y, ...attrs }, parent);
  t.textContent = s;
  return t;
}

function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

function formatTick(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

function axisScale(lo, hi, log, from, to) {
  if (log) {
    const a = Math.log10(lo), b = Math.log10(hi);
    const f = (v) => from + ((Math.log10(v) - a) / (b - a || 1)) * (to - from);
    const ticks = [];
    for (let e = Math.floor(a); e <= Math.ceil(b); e++)
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo * 0.999 && v <= hi * 1.001 && (b - a < 2.5 || m === 1)) ticks.push(v);
      }
    return { f, ticks };
  }
  const step = niceStep(hi - lo, 6);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { f: (v) => from + ((v - lo) / (hi - lo || 1)) * (to - from), ticks };
}

function extent(values, log) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v) && (!log || v > 0)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return log ? [0.1, 1] : [0, 1];
  if (lo === hi) return log ? [lo / 2, hi * 2] : [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

// Path through finite points; gaps where a value is missing (null / NaN / non-positive on a log axis).
function pathOf(xs, ys, fx, fy, xLog, yLog) {
  let d = '', pen = false;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i];
    const ok = Number.isFinite(x) && Number.isFinite(y) && (!xLog || x > 0) && (!yLog || y > 0);
    if (!ok) { pen = false; continue; }
    d += `${pen ? 'L' : 'M'}${fx(x).toFixed(1)},${fy(y).toFixed(1)}`;
    pen = true;
  }
  return d;
}

// series: [{name, x, y, color, dash, band: {lo, hi}, width}]; refs: [{name, x, y, color, dash}] drawn as
// labelled reference curves. Returns the <svg>.
export function linePlot({ title, xLabel, yLabel, series, refs = [], xLog = false, yLog = false, yDomain = null,
  width = 640, height = 360 }) {
  const m = { l: 62, r: 180, t: 28, b: 44 };
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot', role: 'img' });
  svgEl('title', {}, svg).textContent = title;
  svgEl('rect', { x: 0, y: 0, width, height, class: 'plot-bg' }, svg);
  const all = [...series, ...refs];
  const xs = all.flatMap((s) => s.x);
  const ys = yDomain ? yDomain : all.flatMap((s) => [...s.y, ...(s.band ? [...s.band.lo, ...s.band.hi] : [])]);
  const [x0, x1] = extent(xs, xLog);
  const [y0, y1] = yDomain ? yDomain : extent(ys, yLog);
  const X = axisScale(x0, x1, xLog, m.l, width - m.r);
  const Y = axisScale(y0, y1, yLog, height - m.b, m.t);
  const axes = svgEl('g', { class: 'axes' }, svg);
  for (const t of X.ticks) {
    svgEl('line', { x1: X.f(t), x2: X.f(t), y1: m.t, y2: height - m.b, class: 'grid' }, axes);
    text(axes, X.f(t), height - m.b + 16, formatTick(t), { 'text-anchor': 'middle' });
  }
  for (const t of Y.ticks) {
    svgEl('line', { x1: m.l, x2: width - m.r, y1: Y.f(t), y2: Y.f(t), class: 'grid' }, axes);
    text(axes, m.l - 6, Y.f(t) + 4, formatTick(t), { 'text-anchor': 'end' });
  }
  svgEl('rect', { x: m.l, y: m.t, width: width - m.l - m.r, height: height - m.t - m.b, class: 'frame' }, axes);
  text(svg, m.l, 18, title, { class: 'plot-title' });
  text(svg, (m.l + width - m.r) / 2, height - 8, xLabel, { 'text-anchor': 'middle', class: 'axis-label' });
  text(svg, 14, (m.t + height - m.b) / 2, yLabel,
    { 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${(m.t + height - m.b) / 2})` });

  const clip = `clip${Math.random().toString(36).slice(2)}`;
  svgEl('rect', { x: m.l, y: m.t, width: width - m.l - m.r, height: height - m.t - m.b }, svgEl('clipPath', { id: clip }, svg));
  const body = svgEl('g', { 'clip-path': `url(#${clip})` }, svg);
  const legend = svgEl('g', { class: 'legend' }, svg);
  let row = 0;
  const addLegend = (s, dash) => {
    const y = m.t + 8 + row++ * 16;
    svgEl('line', { x1: width - m.r + 10, x2: width - m.r + 30, y1: y, y2: y, stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': dash }, legend);
    text(legend, width - m.r + 34, y + 4, s.name);
  };
  series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    if (s.band) {
      const up = pathOf(s.x, s.band.hi, X.f, Y.f, xLog, yLog);
      const lo = pathOf([...s.x].reverse(), [...s.band.lo].reverse(), X.f, Y.f, xLog, yLog).replace(/^M/, 'L');
      if (up && lo) svgEl('path', { d: `${up}${lo}Z`, fill: color, 'fill-opacity': 0.15, stroke: 'none' }, body);
    }
    svgEl('path', { d: pathOf(s.x, s.y, X.f, Y.f, xLog, yLog), fill: 'none', stroke: color, 'stroke-width': s.width || 2,
      'stroke-dasharray': s.dash }, body);
    if (s.x.length <= 24)
      s.x.forEach((x, j) => {
        const y = s.y[j];
        if (Number.isFinite(x) && Number.isFinite(y) && (!xLog || x > 0) && (!yLog || y > 0))
          svgEl('circle', { cx: X.f(x), cy: Y.f(y), r: 2.5, fill: color }, body);
      });
    addLegend({ ...s, color }, s.dash);
  });
  refs.forEach((s) => {
    const color = s.color || 'var(--ref, #666)';
    svgEl('path', { d: pathOf(s.x, s.y, X.f, Y.f, xLog, yLog), fill: 'none', stroke: color, 'stroke-width': 1.5,
      'stroke-dasharray': s.dash || '6 4' }, body);
    addLegend({ ...s, color }, s.dash || '6 4');
  });
  return svg;
}

// Viridis-like colour for t in [0, 1].
export function colour(t) {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u)), f = u - i;
  const c = stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function colourBar(svg, x, y, h, vmin, vmax, label) {
  const steps = 32;
  for (let i = 0; i < steps; i++)
    svgEl('rect', { x, y: y + (h * i) / steps, width: 12, height: h / steps + 0.5, fill: colour(1 - i / (steps - 1)) }, svg);
  text(svg, x + 16, y + 8, formatTick(vmax));
  text(svg, x + 16, y + h, formatTick(vmin));
  text(svg, x + 16, y + h / 2, label, { class: 'axis-label' });
}

// A rows x cols matrix (values[r * cols + c]); NaN cells blank. Small matrices get focusable cells
// (onCell(r, c) on click or Enter); large ones are drawn as one image. Labels are shown when they fit.
export function heatmap({ title, rows, cols, values, rowLabels = null, colLabels = null, rowTitle, colTitle,
  vmin = 0, vmax = 1, valueLabel = '', onCell = null, selected = null, cellName = null, size = 560 }) {
  const labelSpace = rowLabels && rows <= 64 ? 90 : 40;
  const m = { l: labelSpace + 18, t: 28, r: 110, b: (colLabels && cols <= 64 ? 90 : 40) + 10 };
  const cell = Math.max(1, Math.min(48, Math.floor(size / Math.max(rows, cols))));
  const w = m.l + cols * cell + m.r, h = m.t + rows * cell + m.b;
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: 'plot', role: 'img' });
  svgEl('title', {}, svg).textContent = title;
  svgEl('rect', { x: 0, y: 0, width: w, height: h, class: 'plot-bg' }, svg);
  text(svg, 8, 18, title, { class: 'plot-title' });
  const norm = (v) => (v - vmin) / (vmax - vmin || 1);
  if (rows * cols > 4096 || !onCell) {
    const canvas = document.createElement('canvas');
    canvas.width = cols;
    canvas.height = rows;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(cols, rows);
    for (let i = 0; i < rows * cols; i++) {
      const v = values[i];
      const rgb = Number.isFinite(v) ? colour(norm(v)).match(/\d+/g).map(Number) : [0, 0, 0];
      img.data.set([...rgb, Number.isFinite(v) ? 255 : 0], i * 4);
    }
    ctx.putImageData(img, 0, 0);
    svgEl('image', { x: m.l, y: m.t, width: cols * cell, height: rows * cell, href: canvas.toDataURL('image/png'),
      preserveAspectRatio: 'none', style: 'image-rendering: pixelated' }, svg);
  } else {
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c];
        const g = svgEl('g', { class: 'cell', tabindex: 0, role: 'button',
          'aria-label': `${cellName ? cellName(r, c) : `${r}, ${c}`}: ${Number.isFinite(v) ? v.toFixed(3) : 'n/a'}` }, svg);
        svgEl('rect', { x: m.l + c * cell, y: m.t + r * cell, width: cell, height: cell,
          fill: Number.isFinite(v) ? colour(norm(v)) : 'none' }, g);
        if (selected && selected[0] === r && selected[1] === c)
          svgEl('rect', { x: m.l + c * cell + 1, y: m.t + r * cell + 1, width: cell - 2, height: cell - 2, class: 'selected-cell' }, g);
        if (cell >= 28 && Number.isFinite(v))
          text(g, m.l + c * cell + cell / 2, m.t + r * cell + cell / 2 + 4, v.toFixed(2),
            { 'text-anchor': 'middle', class: 'cell-value', style: `fill: ${norm(v) > 0.6 ? '#000' : '#fff'}` });
        const activate = () => onCell(r, c);
        g.addEventListener('click', activate);
        g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); activate(); } });
      }
  }
  const fontSize = Math.max(6, Math.min(11, cell - 1));
  if (rowLabels && rows <= 64)
    rowLabels.forEach((s, r) => text(svg, m.l - 4, m.t + r * cell + cell / 2 + fontSize / 3, s,
      { 'text-anchor': 'end', 'font-size': fontSize, class: 'tick-label' }));
  if (colLabels && cols <= 64)
    colLabels.forEach((s, c) => {
      const x = m.l + c * cell + cell / 2, y = m.t + rows * cell + 4;
      text(svg, x, y, s, { 'text-anchor': 'end', 'font-size': fontSize, class: 'tick-label', transform: `rotate(-60 ${x} ${y})` });
    });
  text(svg, m.l + (cols * cell) / 2, h - 6, colTitle, { 'text-anchor': 'middle', class: 'axis-label' });
  text(svg, 12, m.t + (rows * cell) / 2, rowTitle,
    { 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 12 ${m.t + (rows * cell) / 2})` });
  colourBar(svg, m.l + cols * cell + 14, m.t, Math.min(200, Math.max(60, rows * cell)), vmin, vmax, valueLabel);
  return svg;
}
