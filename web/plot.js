// Small SVG plots: line charts (linear or log axes, quartile bands, labelled reference lines) and heat
// maps (a canvas-rendered image for large matrices, focusable cells for small ones). Plain SVG so every
// figure exports as SVG or PNG exactly as drawn; colours come from CSS variables (light and dark schemes).

import { xmlSafe } from './safe-text.js';

const NS = 'http://www.w3.org/2000/svg';
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2',
  '#7f7f7f', '#bcbd22', '#393b79', '#637939'];

export function svgEl(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, xmlSafe(v));
  if (parent) parent.appendChild(e);
  return e;
}

function text(parent, x, y, s, attrs = {}) {
  const t = svgEl('text', { x, y, ...attrs }, parent);
  t.textContent = xmlSafe(s);
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

// series: [{name, x, y, color, dash, band: {lo, hi}, width, describe, legend}] (legend: false keeps a series out of the
// legend, whose `keys` [{name, dash}] then explain its style); refs: [{name, x, y, color, dash}] drawn as
// labelled reference curves, under the data. describe(j), when given, is the readout's text for point j (e.g. a bin's
// range, quartiles and rows). The readout has its own line under the title. Returns the <svg>.
export function linePlot({ title, xLabel, yLabel, series, refs = [], keys = [], xLog = false, yLog = false, yDomain = null,
  width = 640, height = 360 }) {
  const m = { l: 62, r: 180, t: 46, b: 44 };
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot wide', role: 'img' });
  svgEl('title', {}, svg).textContent = xmlSafe(title);
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
  const under = svgEl('g', { class: 'refs' }, body);  // reference curves, drawn before (under) the series
  const legend = svgEl('g', { class: 'legend' }, svg);
  const hidden = new Set();  // series switched off from the legend
  let row = 0;
  // a legend entry; for a series, a button that shows or hides it (click, Enter or Space)
  const addLegend = (s, dash, group = null, key = null) => {
    const y = m.t + 8 + row * 16;
    const lines = wrapWords(s.name, LEGEND_CHARS);  // a long name takes several lines, never cut
    row += lines.length;
    const entry = svgEl('g', { class: group ? 'legend-entry toggle' : 'legend-entry' }, legend);
    svgEl('line', { x1: width - m.r + 10, x2: width - m.r + 30, y1: y, y2: y, stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': dash }, entry);
    const label = text(entry, width - m.r + 34, y + 4, '');
    lines.forEach((line, i) => { svgEl('tspan', { x: width - m.r + 34, dy: i ? 14 : 0 }, label).textContent = xmlSafe(line); });
    if (!group) return;
    svgEl('rect', { x: width - m.r + 6, y: y - 7, width: m.r - 8, height: 14 + 16 * (lines.length - 1), class: 'legend-hit' }, entry);
    entry.setAttribute('tabindex', 0);
    entry.setAttribute('role', 'switch');
    entry.setAttribute('aria-checked', 'true');
    entry.setAttribute('aria-label', xmlSafe(`show ${s.name}`));
    const toggle = () => {
      const off = !hidden.has(key);
      if (off) hidden.add(key); else hidden.delete(key);
      group.setAttribute('visibility', off ? 'hidden' : 'visible');
      entry.setAttribute('aria-checked', String(!off));
      entry.classList.toggle('off', off);
    };
    entry.addEventListener('click', toggle);
    entry.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
  };
  series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    const group = svgEl('g', { class: 'series' }, body);
    if (s.band) {
      const up = pathOf(s.x, s.band.hi, X.f, Y.f, xLog, yLog);
      const lo = pathOf([...s.x].reverse(), [...s.band.lo].reverse(), X.f, Y.f, xLog, yLog).replace(/^M/, 'L');
      if (up && lo) svgEl('path', { d: `${up}${lo}Z`, fill: color, 'fill-opacity': 0.15, stroke: 'none' }, group);
    }
    svgEl('path', { d: pathOf(s.x, s.y, X.f, Y.f, xLog, yLog), fill: 'none', stroke: color, 'stroke-width': s.width || 2,
      'stroke-dasharray': s.dash }, group);
    if (s.x.length <= 24)
      s.x.forEach((x, j) => {
        const y = s.y[j];
        if (Number.isFinite(x) && Number.isFinite(y) && (!xLog || x > 0) && (!yLog || y > 0))
          svgEl('circle', { cx: X.f(x), cy: Y.f(y), r: 2.5, fill: color }, group);
      });
    if (s.legend !== false) addLegend({ ...s, color }, s.dash, group, s);
  });
  // legend-only keys: a line style shared by several series (e.g. "dashed: the maximum"), with no data of their own
  keys.forEach((k) => addLegend({ ...k, color: k.color || 'var(--fg)' }, k.dash));
  refs.forEach((s) => {
    const color = s.color || 'var(--ref, #666)';
    svgEl('path', { d: pathOf(s.x, s.y, X.f, Y.f, xLog, yLog), fill: 'none', stroke: color, 'stroke-width': 1.5,
      'stroke-dasharray': s.dash || '6 4' }, under);
    addLegend({ ...s, color }, s.dash || '6 4');
  });
  // hover: the data point nearest the pointer, of any series, in the readout
  const setReadout = readoutLine(svg, width - m.r, 38);
  const marker = svgEl('circle', { r: 4, class: 'cursor-point', visibility: 'hidden' }, svg);
  const surface = svgEl('rect', { x: m.l, y: m.t, width: width - m.l - m.r, height: height - m.t - m.b, class: 'plot-surface' }, svg);
  surface.addEventListener('pointermove', (e) => {
    const p = svgPoint(svg, e);
    if (!p) return;
    let best = null;
    for (const s of series.filter((x) => !hidden.has(x)))
      s.x.forEach((x, j) => {
        const y = s.y[j];
        if (!Number.isFinite(x) || !Number.isFinite(y) || (xLog && x <= 0) || (yLog && y <= 0)) return;
        const d = Math.hypot(X.f(x) - p.x, Y.f(y) - p.y);
        if (!best || d < best.d) best = { d, s, x, y, j };
      });
    if (!best) return;
    marker.setAttribute('cx', X.f(best.x));
    marker.setAttribute('cy', Y.f(best.y));
    marker.setAttribute('visibility', 'visible');
    setReadout(best.s.describe ? `${best.s.name}: ${best.s.describe(best.j)}`
      : `${best.s.name}: ${xLabel} ${formatTick(best.x)} → ${Number(best.y.toPrecision(4))}`);
  });
  surface.addEventListener('pointerleave', () => { marker.setAttribute('visibility', 'hidden'); setReadout(''); });
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

// The point under a pointer event, in the SVG's own coordinates.
function svgPoint(svg, event) {
  const m = svg.getScreenCTM();
  if (!m) return null;
  const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(m.inverse());
  return { x: p.x, y: p.y };
}

// The readout line at the top right of a plot: what the pointer or the keyboard is on, and its value.
// Empty (so exports stay clean) once the pointer leaves.
// Legend names wrap at about this many characters (the legend column is 146 px of 11 px text).
const LEGEND_CHARS = 24;

// words into lines of at most `width` characters (a longer word has a line of its own)
function wrapWords(s, width) {
  const lines = [];
  for (const word of String(s).split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

function readoutLine(svg, x, y) {
  const t = text(svg, x, y, '', { 'text-anchor': 'end', class: 'readout', 'aria-live': 'polite' });
  return (s) => { t.textContent = xmlSafe(s); };
}

// Labels for a long axis: every step-th, so that neighbours are at least `gap` pixels apart.
function thinned(labels, cell, gap = 11) {
  const step = Math.max(1, Math.ceil(gap / cell));
  return labels.map((s, i) => (i % step === 0 ? s : null));
}

// A rows x cols matrix (values[r * cols + c]); NaN cells blank. Hovering (or, for large maps, moving the keyboard
// cursor with the arrow keys) shows "cellName(r, c): value" in the readout; small matrices get focusable cells.
// onCell(r, c) on click or Enter; onRow(r) makes the row labels clickable. Labels are thinned to fit.
export function heatmap({ title, rows, cols, values, rowLabels = null, colLabels = null, rowTitle, colTitle,
  vmin = 0, vmax = 1, valueLabel = '', onCell = null, onRow = null, selected = null, cellName = null, size = 560, digits = 3 }) {
  const labelSpace = rowLabels ? 90 : 40;
  const m = { l: labelSpace + 18, t: 44, r: 110, b: (colLabels ? 90 : 40) + 10 };
  const cell = Math.max(1, Math.min(48, Math.floor(size / Math.max(rows, cols))));
  const w = Math.max(m.l + cols * cell + m.r, 420), h = m.t + rows * cell + m.b;
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: 'plot', role: 'img' });
  svgEl('title', {}, svg).textContent = xmlSafe(title);
  svgEl('rect', { x: 0, y: 0, width: w, height: h, class: 'plot-bg' }, svg);
  text(svg, 8, 18, title, { class: 'plot-title' });
  const setReadout = readoutLine(svg, w - 8, 36);
  const nameOf = (r, c) => (cellName ? cellName(r, c) : `row ${r}, column ${c}`);
  const describe = (r, c) => {
    const v = values[r * cols + c];
    return `${nameOf(r, c)}: ${Number.isFinite(v) ? v.toFixed(digits) : 'n/a'}`;
  };
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
    // one focusable surface over the image: the pointer or the arrow keys pick a cell
    const cursor = svgEl('rect', { width: cell, height: cell, class: 'cursor-cell', visibility: 'hidden' }, svg);
    const surface = svgEl('rect', { x: m.l, y: m.t, width: cols * cell, height: rows * cell, class: 'heat-surface',
      tabindex: 0, role: 'application', 'aria-label': `${title}: arrow keys move between cells${onCell ? ', Enter picks one' : ''}` }, svg);
    let at = selected ? [...selected] : [rows - 1, 0];
    const show = (r, c) => {
      at = [r, c];
      cursor.setAttribute('x', m.l + c * cell);
      cursor.setAttribute('y', m.t + r * cell);
      cursor.setAttribute('visibility', 'visible');
      setReadout(describe(r, c));
    };
    const hide = () => { cursor.setAttribute('visibility', 'hidden'); setReadout(''); };
    const cellAt = (e) => {
      const p = svgPoint(svg, e);
      if (!p) return null;
      const r = Math.floor((p.y - m.t) / cell), c = Math.floor((p.x - m.l) / cell);
      return r >= 0 && r < rows && c >= 0 && c < cols ? [r, c] : null;
    };
    surface.addEventListener('pointermove', (e) => { const rc = cellAt(e); if (rc) show(...rc); });
    surface.addEventListener('pointerleave', hide);
    surface.addEventListener('focus', () => show(...at));
    surface.addEventListener('blur', hide);
    surface.addEventListener('keydown', (e) => {
      const move = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
      if (move) {
        e.preventDefault();
        show(Math.min(rows - 1, Math.max(0, at[0] + move[0])), Math.min(cols - 1, Math.max(0, at[1] + move[1])));
      } else if (onCell && (e.key === 'Enter' || e.key === ' ')) {
        e.preventDefault();
        onCell(...at);
      }
    });
    if (onCell) surface.addEventListener('click', (e) => { const rc = cellAt(e); if (rc) onCell(...rc); });
    if (selected)
      svgEl('rect', { x: m.l, y: m.t + selected[0] * cell, width: cols * cell, height: cell, class: 'selected-row' }, svg);
  } else {
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c];
        const g = svgEl('g', { class: 'cell', tabindex: 0, role: 'button', 'aria-label': describe(r, c) }, svg);
        svgEl('rect', { x: m.l + c * cell, y: m.t + r * cell, width: cell, height: cell,
          fill: Number.isFinite(v) ? colour(norm(v)) : 'none' }, g);
        if (selected && selected[0] === r && selected[1] === c)
          svgEl('rect', { x: m.l + c * cell + 1, y: m.t + r * cell + 1, width: cell - 2, height: cell - 2, class: 'selected-cell' }, g);
        if (cell >= 28 && Number.isFinite(v))
          text(g, m.l + c * cell + cell / 2, m.t + r * cell + cell / 2 + 4, Number.isFinite(v) ? v.toFixed(2) : 'n/a',
            { 'text-anchor': 'middle', class: 'cell-value', style: `fill: ${norm(v) > 0.6 ? '#000' : '#fff'}` });
        const activate = () => onCell(r, c);
        g.addEventListener('click', activate);
        g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); activate(); } });
        for (const on of ['pointerenter', 'focus']) g.addEventListener(on, () => setReadout(describe(r, c)));
        for (const off of ['pointerleave', 'blur']) g.addEventListener(off, () => setReadout(''));
      }
  }
  const fontSize = Math.max(9, Math.min(11, cell - 1));
  if (rowLabels)
    thinned(rowLabels, cell).forEach((s, r) => {
      if (s === null) return;
      const t = text(svg, m.l - 4, m.t + r * cell + cell / 2 + fontSize / 3, s,
        { 'text-anchor': 'end', 'font-size': fontSize, class: onRow ? 'tick-label row-link' : 'tick-label' });
      if (!onRow) return;
      t.setAttribute('tabindex', 0);
      t.setAttribute('role', 'button');
      t.setAttribute('aria-label', xmlSafe(`${s}: show its row`));
      t.addEventListener('click', () => onRow(r));
      t.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onRow(r); } });
    });
  if (colLabels)
    thinned(colLabels, cell).forEach((s, c) => {
      if (s === null) return;
      const x = m.l + c * cell + cell / 2, y = m.t + rows * cell + 4;
      text(svg, x, y, s, { 'text-anchor': 'end', 'font-size': fontSize, class: 'tick-label', transform: `rotate(-60 ${x} ${y})` });
    });
  text(svg, m.l + (cols * cell) / 2, h - 6, colTitle, { 'text-anchor': 'middle', class: 'axis-label' });
  text(svg, 12, m.t + (rows * cell) / 2, rowTitle,
    { 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 12 ${m.t + (rows * cell) / 2})` });
  colourBar(svg, m.l + cols * cell + 14, m.t, Math.min(200, Math.max(60, rows * cell)), vmin, vmax, valueLabel);
  return svg;
}

// Bars of values over labelled categories (one row of attention: a key token per bar), the `highlight` bar in the
// accent colour; hovering a bar shows "label: value" in the readout. Labels thinned to fit, rotated.
export function barChart({ title, labels, values, yLabel, highlight = -1, width = 640, height = 300, digits = 3 }) {
  const m = { l: 62, r: 20, t: 44, b: 96 };
  const n = values.length;
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot wide', role: 'img' });
  svgEl('title', {}, svg).textContent = xmlSafe(title);
  svgEl('rect', { x: 0, y: 0, width, height, class: 'plot-bg' }, svg);
  text(svg, m.l, 18, title, { class: 'plot-title' });
  const setReadout = readoutLine(svg, width - 8, 36);
  const top = Math.max(1e-12, ...values.filter(Number.isFinite));
  const Y = axisScale(0, top, false, height - m.b, m.t);
  const axes = svgEl('g', { class: 'axes' }, svg);
  for (const t of Y.ticks) {
    svgEl('line', { x1: m.l, x2: width - m.r, y1: Y.f(t), y2: Y.f(t), class: 'grid' }, axes);
    text(axes, m.l - 6, Y.f(t) + 4, formatTick(t), { 'text-anchor': 'end' });
  }
  text(svg, 14, (m.t + height - m.b) / 2, yLabel,
    { 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${(m.t + height - m.b) / 2})` });
  const bw = (width - m.l - m.r) / Math.max(1, n);
  values.forEach((v, i) => {
    const y = Y.f(Number.isFinite(v) ? v : 0);
    const bar = svgEl('rect', { x: m.l + i * bw + bw * 0.1, y, width: Math.max(1, bw * 0.8), height: height - m.b - y,
      class: i === highlight ? 'bar bar-highlight' : 'bar', tabindex: n <= 64 ? 0 : undefined,
      'aria-label': `${labels[i]}: ${Number.isFinite(v) ? v.toFixed(digits) : 'n/a'}` }, svg);
    for (const on of ['pointerenter', 'focus']) bar.addEventListener(on, () => setReadout(bar.getAttribute('aria-label')));
    for (const off of ['pointerleave', 'blur']) bar.addEventListener(off, () => setReadout(''));
  });
  const fontSize = Math.max(9, Math.min(11, bw - 1));
  thinned(labels, bw).forEach((s, i) => {
    if (s === null) return;
    const x = m.l + i * bw + bw / 2, y = height - m.b + 6;
    text(svg, x, y, s, { 'text-anchor': 'end', 'font-size': fontSize, class: 'tick-label', transform: `rotate(-60 ${x} ${y})` });
  });
  return svg;
}
