// Small SVG plots: line charts (linear or log axes, quartile bands, labelled reference lines) and heat
// maps (a canvas-rendered image for large matrices, focusable cells for small ones). Plain SVG so every
// figure exports as SVG or PNG exactly as drawn; colours come from CSS variables (light and dark schemes).

import { superscript } from './format.js';
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


// A tick label, typeset: 0.5, 20, 4,096, 10⁵, 2×10⁻⁴, −3 (a true minus).
export function formatTick(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const sign = v < 0 ? '−' : '';
  if (a >= 1e5 || a < 0.01) {
    const e = Math.floor(Math.log10(a) + 1e-9);
    const m = Number((a / 10 ** e).toPrecision(2));
    return `${sign}${m === 1 ? '' : `${m}×`}10${superscript(e)}`;
  }
  // ticks are round numbers: whole ones exactly (a tick at 2¹² reads 4,096, not 4,100), others to 3 digits
  return sign + (Number.isInteger(a) ? a : Number(a.toPrecision(3))).toLocaleString('en');
}

// Compact layout (a phone): plots drawn at the width of a narrow screen, legends under the plot, so that no text is
// drawn under 11 px. main.js sets it from the window's width and draws again when that changes.
const layout = { compact: false, titleNote: '' };
export function setCompact(on) { layout.compact = on; }
// A note every title then ends with, in brackets: the temperature its numbers come from ("T = 0.5", "computed at T = 1").
export function setTitleNote(note) { layout.titleNote = note; }
const noted = (title) => (layout.titleNote ? `${title} (${layout.titleNote})` : title);
export function isCompact() { return layout.compact; }
const COMPACT_WIDTH = 360;

function axisScale(lo, hi, log, from, to, pow2 = false, count = 6) {
  if (log) {
    const a = Math.log10(lo), b = Math.log10(hi);
    const f = (v) => from + ((Math.log10(v) - a) / (b - a || 1)) * (to - from);
    const ticks = [];
    if (pow2) {  // the data sit at powers of two: ticks there, every second one when there are many
      const e0 = Math.ceil(Math.log2(lo) - 1e-9), e1 = Math.floor(Math.log2(hi) + 1e-9);
      const step = Math.max(1, Math.ceil((e1 - e0 + 1) / 9));
      for (let e = e0; e <= e1; e += step) ticks.push(2 ** e);
      return { f, ticks };
    }
    for (let e = Math.floor(a); e <= Math.ceil(b); e++)
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo * 0.999 && v <= hi * 1.001 && (b - a < 2.5 || m === 1)) ticks.push(v);
      }
    return { f, ticks };
  }
  const step = niceStep(hi - lo, count);
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
  title = noted(title);
  const compact = isCompact();
  if (compact) width = COMPACT_WIDTH;
  // the legend: a column at the right, or (compact) rows under the plot
  const m = compact ? { l: 52, r: 12, t: 46, b: 44 } : { l: 62, r: 180, t: 46, b: 44 };
  const legendChars = compact ? Math.floor((width - m.l - 34) / 6.2) : LEGEND_CHARS;
  const entries = [...series.filter((s) => s.legend !== false), ...keys, ...refs];
  const legendRows = entries.reduce((n, s) => n + wrapWords(s.name, legendChars).length, 0);
  const titleLines = wrapTitle(title, width - m.l - 8).length;
  m.t += 16 * (titleLines - 1);
  const plotBottom = height - m.b + 16 * (titleLines - 1);  // the plot keeps its height when the title wraps
  if (compact) height = plotBottom + m.b + 8 + 16 * legendRows;
  else height = plotBottom + m.b;
  const legendAt = compact ? { x: m.l - 40, y: plotBottom + m.b + 4 } : { x: width - m.r, y: m.t };
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot wide', role: 'img' });
  svgEl('title', {}, svg).textContent = xmlSafe(title);
  svgEl('rect', { x: 0, y: 0, width, height, class: 'plot-bg' }, svg);
  const all = [...series, ...refs];
  const xs = all.flatMap((s) => s.x);
  const ys = yDomain ? yDomain : all.flatMap((s) => [...s.y, ...(s.band ? [...s.band.lo, ...s.band.hi] : [])]);
  const [x0, x1] = extent(xs, xLog);
  const [y0, y1] = yDomain ? yDomain : extent(ys, yLog);
  const powersOfTwo = xLog && xs.length > 1 && xs.every((x) => !Number.isFinite(x) || (x >= 1 && Number.isInteger(Math.log2(x))));
  const X = axisScale(x0, x1, xLog, m.l, width - m.r, powersOfTwo, compact ? 4 : 6);
  const Y = axisScale(y0, y1, yLog, plotBottom, m.t);
  const axes = svgEl('g', { class: 'axes' }, svg);
  for (const t of X.ticks) {
    svgEl('line', { x1: X.f(t), x2: X.f(t), y1: m.t, y2: plotBottom, class: 'grid' }, axes);
    text(axes, X.f(t), plotBottom + 16, formatTick(t), { 'text-anchor': 'middle' });
  }
  for (const t of Y.ticks) {
    svgEl('line', { x1: m.l, x2: width - m.r, y1: Y.f(t), y2: Y.f(t), class: 'grid' }, axes);
    text(axes, m.l - 6, Y.f(t) + 4, formatTick(t), { 'text-anchor': 'end' });
  }
  svgEl('rect', { x: m.l, y: m.t, width: width - m.l - m.r, height: plotBottom - m.t, class: 'frame' }, axes);
  titleText(svg, compact ? 8 : m.l, title, width - m.l - 8);
  text(svg, (m.l + width - m.r) / 2, plotBottom + m.b - 8, xLabel, { 'text-anchor': 'middle', class: 'axis-label' });
  text(svg, 14, (m.t + plotBottom) / 2, yLabel,
    { 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${(m.t + plotBottom) / 2})` });

  const clip = `clip${Math.random().toString(36).slice(2)}`;
  svgEl('rect', { x: m.l, y: m.t, width: width - m.l - m.r, height: plotBottom - m.t }, svgEl('clipPath', { id: clip }, svg));
  const body = svgEl('g', { 'clip-path': `url(#${clip})` }, svg);
  const under = svgEl('g', { class: 'refs' }, body);  // reference curves, drawn before (under) the series
  const legend = svgEl('g', { class: 'legend' }, svg);
  const hidden = new Set();  // series switched off from the legend
  let row = 0;
  // a legend entry; for a series, a button that shows or hides it (click, Enter or Space)
  const addLegend = (s, dash, group = null, key = null) => {
    const y = legendAt.y + 8 + row * 16;
    const lines = wrapWords(s.name, legendChars);  // a long name takes several lines, never cut
    row += lines.length;
    const entry = svgEl('g', { class: group ? 'legend-entry toggle' : 'legend-entry' }, legend);
    svgEl('line', { x1: legendAt.x + 10, x2: legendAt.x + 30, y1: y, y2: y, stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': dash }, entry);
    const label = text(entry, legendAt.x + 34, y + 4, '');
    lines.forEach((line, i) => { svgEl('tspan', { x: legendAt.x + 34, dy: i ? 14 : 0 }, label).textContent = xmlSafe(line); });
    if (!group) return;
    svgEl('rect', { x: legendAt.x + 6, y: y - 7, width: compact ? width - legendAt.x - 8 : m.r - 8, height: 14 + 16 * (lines.length - 1), class: 'legend-hit' }, entry);
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
  const setReadout = readoutLine(svg, width - (compact ? 8 : m.r), m.t - 8);
  const marker = svgEl('circle', { r: 4, class: 'cursor-point', visibility: 'hidden' }, svg);
  const surface = svgEl('rect', { x: m.l, y: m.t, width: width - m.l - m.r, height: plotBottom - m.t, class: 'plot-surface' }, svg);
  const visible = () => series.filter((x) => !hidden.has(x));
  const finite = (s, j) => Number.isFinite(s.x[j]) && Number.isFinite(s.y[j]) && (!xLog || s.x[j] > 0) && (!yLog || s.y[j] > 0);
  let at = null;  // {s, j}: the point the readout shows
  const show = (s, j) => {
    at = { s, j };
    marker.setAttribute('cx', X.f(s.x[j]));
    marker.setAttribute('cy', Y.f(s.y[j]));
    marker.setAttribute('visibility', 'visible');
    setReadout(s.describe ? `${s.name}: ${s.describe(j)}` : `${s.name}: ${xLabel} ${formatTick(s.x[j])} → ${Number(s.y[j].toPrecision(4))}`);
  };
  const hide = () => { marker.setAttribute('visibility', 'hidden'); setReadout(''); };
  surface.addEventListener('pointermove', (e) => {
    const p = svgPoint(svg, e);
    if (!p) return;
    let best = null;
    for (const s of visible())
      s.x.forEach((x, j) => {
        if (!finite(s, j)) return;
        const d = Math.hypot(X.f(x) - p.x, Y.f(s.y[j]) - p.y);
        if (!best || d < best.d) best = { d, s, j };
      });
    if (best) show(best.s, best.j);
  });
  surface.addEventListener('pointerleave', hide);
  // the keyboard reads the values too: Left/Right move along a series, Up/Down to the next series
  surface.setAttribute('tabindex', 0);
  surface.setAttribute('role', 'application');
  surface.setAttribute('aria-label', xmlSafe(`${title}: Left and Right move along a curve, Up and Down change curve`));
  const step = (s, j, dir) => {
    for (let k = j + dir; k >= 0 && k < s.x.length; k += dir) if (finite(s, k)) return k;
    return j;
  };
  surface.addEventListener('focus', () => {
    const s = at?.s ?? visible()[0];
    if (!s) return;
    const j = at ? at.j : s.x.findIndex((_, k) => finite(s, k));
    if (j >= 0) show(s, j);
  });
  surface.addEventListener('blur', hide);
  surface.addEventListener('keydown', (e) => {
    const list = visible();
    if (!at || !list.length) return;
    let { s, j } = at;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') j = step(s, j, e.key === 'ArrowRight' ? 1 : -1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const i = (list.indexOf(s) + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length;
      s = list[i];
      // the new curve's point nearest in x
      j = s.x.reduce((b, x, k) => (finite(s, k) && (b < 0 || Math.abs(x - at.s.x[at.j]) < Math.abs(s.x[b] - at.s.x[at.j])) ? k : b), -1);
      if (j < 0) return;
    } else return;
    e.preventDefault();
    show(s, j);
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

// A colour scale as a function from a value to t in [0, 1]: linear from vmin to vmax (a diverging scale is linear
// too, over a range symmetric about 0), or log10 from vmin > 0 to vmax; values outside the range at its ends.
export function scaleNorm({ scale = 'linear', vmin = 0, vmax = 1 }) {
  const clamp = (t) => Math.min(1, Math.max(0, t));
  if (scale === 'log') {
    const lo = Math.log10(vmin), span = Math.log10(vmax) - lo || 1;
    return (v) => (v > 0 ? clamp((Math.log10(v) - lo) / span) : 0);
  }
  return (v) => clamp((v - vmin) / (vmax - vmin || 1));
}

// values[offset .. offset + rows * cols) as a PNG data URL, one pixel per cell in the colour colourOf(v) gives
// ('rgb(r,g,b)'); NaN cells transparent.
// shown: the cell's size on screen in px. Each cell is painted as a block of about that many pixels (at most 16, and
// at most 4 M pixels in all), so that a renderer that ignores image-rendering: pixelated (a PNG export's canvas, an SVG
// viewer) still shows sharp cells instead of blending neighbours into a blur: exports ask for that (cellImageElement).
function cellImage(values, offset, rows, cols, colourOf, shown = 1) {
  const k = Math.max(1, Math.min(16, Math.round(shown), Math.floor(Math.sqrt(4e6 / (rows * cols)))));
  const canvas = document.createElement('canvas');
  canvas.width = cols * k;
  canvas.height = rows * k;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(cols * k, rows * k);
  // one pixel as 4 bytes r, g, b, a in memory order (whatever the machine's endianness), filled k at a time
  const pixels = new Uint32Array(img.data.buffer);
  const one = new Uint8Array(4), packed = new Uint32Array(one.buffer);
  const rgbaOf = new Map();  // a colour string's packed pixel, parsed once
  const width = cols * k;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[offset + r * cols + c];
      if (!Number.isFinite(v)) continue;  // transparent: the image starts all zero
      const css = colourOf(v);
      let px = rgbaOf.get(css);
      if (px === undefined) {
        one.set([...css.match(/\d+/g).map(Number), 255]);
        px = packed[0];
        rgbaOf.set(css, px);
      }
      pixels.fill(px, r * k * width + c * k, r * k * width + (c + 1) * k);
    }
    // the cell row's other k - 1 pixel rows repeat its first
    for (let y = 1; y < k; y++) pixels.copyWithin((r * k + y) * width, r * k * width, (r * k + 1) * width);
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL('image/png');
}

// An <image> of values[offset .. offset + rows * cols) (see cellImage) in svg at attrs' place and size. The page draws
// it at one pixel per cell, scaled up pixelated: cheap to encode (a first plot's 112-token map in blocks of 5 x 5
// pixels, 560 x 560 in all, took 69 ms). An export, which other renderers draw, takes the blocks of `shown` pixels
// from sharpHref() (export.js).
function cellImageElement(svg, attrs, values, offset, rows, cols, colourOf, shown) {
  const image = svgEl('image', { ...attrs, href: cellImage(values, offset, rows, cols, colourOf), preserveAspectRatio: 'none',
    style: 'image-rendering: pixelated' }, svg);
  image.sharpHref = () => cellImage(values, offset, rows, cols, colourOf, shown);
  return image;
}

// Blue (0) through white (0.5) to red (1): a signed quantity, 0 at the middle.
export function divergingColour(t) {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5));
  const blue = [33, 102, 172], white = [247, 247, 247], red = [178, 24, 43];
  const [a, b, f] = u < 0.5 ? [blue, white, u / 0.5] : [white, red, (u - 0.5) / 0.5];
  const c = a.map((x, k) => Math.round(x + (b[k] - x) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// Black or white text, whichever reads on a cell of colour `rgb`.
function cellInk(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).map(Number);
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#000' : '#fff';
}

function colourBar(svg, x, y, h, vmin, vmax, label, scale = 'linear', paint = colour, right = Infinity) {
  const steps = 32;
  for (let i = 0; i < steps; i++)
    svgEl('rect', { x, y: y + (h * i) / steps, width: 12, height: h / steps + 0.5, fill: paint(1 - i / (steps - 1)) }, svg);
  // labels: the ends, and 0 (diverging) or each power of ten (log) between them
  const at = (t) => y + h * (1 - t);
  const marks = [[1, vmax], [0, vmin]];
  if (scale === 'diverging') marks.push([0.5, 0]);
  if (scale === 'log')
    for (let e = Math.ceil(Math.log10(vmin) + 1e-9); e < Math.log10(vmax) - 1e-9; e++)
      marks.push([(e - Math.log10(vmin)) / (Math.log10(vmax) - Math.log10(vmin)), 10 ** e]);
  for (const [t, v] of marks) text(svg, x + 16, Math.min(y + h, Math.max(y + 8, at(t) + 4)), formatTick(v));
  // the label under the bar, in lines that end before the figure's right edge (11 px text: about 6.2 px a character); a
  // word longer than the room there ends at the edge instead
  const room = Math.max(1, Math.floor((right - 4 - (x + 16)) / 6.2));
  wrapWords(label, room).forEach((line, i) => {
    const fits = x + 16 + line.length * 6.2 <= right - 4;
    text(svg, fits ? x + 16 : right - 4, y + h + 16 + 13 * i, line, fits ? { class: 'axis-label' } : { class: 'axis-label', 'text-anchor': 'end' });
  });
}

// A focusable surface over a grid of rows x cols (a heat map drawn as an image, the thumbnails of every head): the
// pointer or the arrow keys move a cursor (show(r, c), hide()), Enter or Space picks (pick(r, c)), a click calls
// click(r, c) (default: pick). cellAt(event) is the cell under the pointer, or null.
function gridSurface(surface, { rows, cols, start, cellAt, show, hide, pick = null, click = pick }) {
  let at = start;
  const go = (r, c) => { at = [r, c]; show(r, c); };
  surface.addEventListener('pointermove', (e) => { const rc = cellAt(e); if (rc) go(...rc); });
  surface.addEventListener('pointerleave', hide);
  surface.addEventListener('focus', () => go(...at));
  surface.addEventListener('blur', hide);
  surface.addEventListener('keydown', (e) => {
    const move = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[e.key];
    if (move) {
      e.preventDefault();
      go(Math.min(rows - 1, Math.max(0, at[0] + move[0])), Math.min(cols - 1, Math.max(0, at[1] + move[1])));
    } else if (pick && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      pick(...at);
    }
  });
  if (click) surface.addEventListener('click', (e) => { const rc = cellAt(e); if (rc) { at = rc; click(...rc); } });
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

// A title in lines that fit `width` pixels (13 px semi-bold: about 7.3 px a character).
function wrapTitle(title, width) {
  return wrapWords(title, Math.max(20, Math.floor(width / 7.3)));
}

// Draws the title from y = 18 down, a line every 16 px; returns the number of lines.
function titleText(svg, x, title, width) {
  const lines = wrapTitle(title, width);
  const t = text(svg, x, 18, '', { class: 'plot-title' });
  // a space ends every line but the last, so the title's text reads as one sentence
  lines.forEach((line, i) => { svgEl('tspan', { x, dy: i ? 16 : 0 }, t).textContent = xmlSafe(i < lines.length - 1 ? `${line} ` : line); });
  return lines.length;
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
// scale: 'linear' (vmin to vmax), 'log' (log10, vmin > 0; smaller values at vmin's colour) or 'diverging' (a signed
// quantity: blue below 0, white at 0, red above, symmetric). blank: the readout of a NaN cell ('masked'). keys:
// [{label, cls}] a line under the title saying what each highlight means.
export function heatmap({ title, rows, cols, values, rowLabels = null, colLabels = null, rowTitle, colTitle,
  vmin = 0, vmax = 1, valueLabel = '', onCell = null, onRow = null, selected = null, cellName = null, size = 560, digits = 3,
  scale = 'linear', blank = 'n/a', keys = [] }) {
  title = noted(title);
  const labelSpace = rowLabels ? (isCompact() ? 64 : 90) : 40;
  if (isCompact()) size = Math.min(size, COMPACT_WIDTH - labelSpace - 18 - 78);  // drawn at its size on a phone
  const m = { l: labelSpace + 18, t: keys.length ? 60 : 44, r: isCompact() ? 78 : 110, b: (colLabels ? 90 : 40) + 10 };
  const cell = Math.max(1, Math.min(48, Math.floor(size / Math.max(rows, cols))));
  if (scale === 'diverging') { vmax = Math.max(Math.abs(vmin), Math.abs(vmax), 1e-12); vmin = -vmax; }
  const w = Math.max(m.l + cols * cell + m.r, isCompact() ? COMPACT_WIDTH : 420), h = m.t + rows * cell + m.b;
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${w} ${h}`, width: w, height: h, class: 'plot', role: 'img' });
  svgEl('title', {}, svg).textContent = xmlSafe(title);
  svgEl('rect', { x: 0, y: 0, width: w, height: h, class: 'plot-bg' }, svg);
  const titleLines = titleText(svg, 8, title, w - 16);
  m.t += 16 * (titleLines - 1);
  const setReadout = readoutLine(svg, w - 8, 36 + 16 * (titleLines - 1));
  let kx = 8;
  for (const k of keys) {  // what each highlight means, in the highlight's own style
    svgEl('rect', { x: kx, y: m.t - 21 + 0, width: 12, height: 10, class: k.cls }, svg);
    const t = text(svg, kx + 16, m.t - 12, k.label, { class: 'key-label' });
    kx += 28 + 6.2 * k.label.length;
    void t;
  }
  const nameOf = (r, c) => (cellName ? cellName(r, c) : `row ${r}, column ${c}`);
  const describe = (r, c) => {
    const v = values[r * cols + c];
    return `${nameOf(r, c)}: ${Number.isFinite(v) ? v.toFixed(digits) : blank}`;
  };
  // touch: a first tap on a cell reads it (a finger has no hover), a second tap on the same cell picks it
  let touched = null, lastPointer = 'mouse';
  svg.addEventListener('pointerdown', (e) => { lastPointer = e.pointerType; });
  const tapToRead = (r, c) => {
    if (lastPointer !== 'touch' || (touched && touched[0] === r && touched[1] === c)) return false;
    touched = [r, c];
    return true;
  };
  const norm = scaleNorm({ scale, vmin, vmax });
  const paint = scale === 'diverging' ? divergingColour : colour;
  if (rows * cols > 4096 || !onCell) {
    cellImageElement(svg, { x: m.l, y: m.t, width: cols * cell, height: rows * cell }, values, 0, rows, cols, (v) => paint(norm(v)), cell);
    // one focusable surface over the image: the pointer or the arrow keys pick a cell
    const cursor = svgEl('rect', { width: cell, height: cell, class: 'cursor-cell', visibility: 'hidden' }, svg);
    const surface = svgEl('rect', { x: m.l, y: m.t, width: cols * cell, height: rows * cell, class: 'heat-surface',
      tabindex: 0, role: 'application', 'aria-label': `${title}: arrow keys move between cells${onCell ? ', Enter picks one' : ''}` }, svg);
    const show = (r, c) => {
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
    gridSurface(surface, { rows, cols, start: selected ? [...selected] : [rows - 1, 0], cellAt, show, hide, pick: onCell,
      click: onCell && ((r, c) => (tapToRead(r, c) ? show(r, c) : onCell(r, c))) });
    if (selected)
      svgEl('rect', { x: m.l, y: m.t + selected[0] * cell, width: cols * cell, height: cell, class: 'selected-row' }, svg);
  } else {
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c];
        const g = svgEl('g', { class: 'cell', tabindex: 0, role: 'button', 'aria-label': describe(r, c) }, svg);
        svgEl('rect', { x: m.l + c * cell, y: m.t + r * cell, width: cell, height: cell,
          fill: Number.isFinite(v) ? paint(norm(v)) : 'transparent' }, g);  // blank, and still read by hover or tap
        if (selected && selected[0] === r && selected[1] === c)
          svgEl('rect', { x: m.l + c * cell + 1, y: m.t + r * cell + 1, width: cell - 2, height: cell - 2, class: 'selected-cell' }, g);
        if (cell >= 28 && Number.isFinite(v))
          text(g, m.l + c * cell + cell / 2, m.t + r * cell + cell / 2 + 4, Number.isFinite(v) ? v.toFixed(2) : 'n/a',
            { 'text-anchor': 'middle', class: 'cell-value', style: `fill: ${cellInk(paint(norm(v)))}` });
        const activate = () => onCell(r, c);
        g.addEventListener('click', () => { if (tapToRead(r, c)) setReadout(describe(r, c)); else activate(); });
        g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); activate(); } });
        for (const on of ['pointerenter', 'focus']) g.addEventListener(on, () => setReadout(describe(r, c)));
        for (const off of ['pointerleave', 'blur']) g.addEventListener(off, () => setReadout(''));
        g.addEventListener('focus', () => {
          for (const [k, v] of Object.entries({ x: m.l + c * cell - 1, y: m.t + r * cell - 1, width: cell + 2, height: cell + 2 })) ring.setAttribute(k, v);
          ring.setAttribute('visibility', 'visible');
          svg.appendChild(ring);  // above the cells drawn after this one
        });
        g.addEventListener('blur', () => ring.setAttribute('visibility', 'hidden'));
      }
    const ring = svgEl('rect', { class: 'focus-ring', visibility: 'hidden' }, svg);
  }
  const fontSize = 11;  // never smaller: labels are thinned instead
  if (rowLabels)
    thinned(rowLabels, cell, 12).forEach((s, r) => {
      if (s === null) return;
      const t = text(svg, m.l - 4, m.t + r * cell + cell / 2 + fontSize / 3, s,
        { 'text-anchor': 'end', 'font-size': fontSize, class: onRow ? 'tick-label row-link' : 'tick-label' });
      if (!onRow) return;  // a click picks the row; the keyboard picks rows on the map itself (arrows, Enter)
      t.addEventListener('click', () => onRow(r));
    });
  if (colLabels)
    thinned(colLabels, cell, 12).forEach((s, c) => {
      if (s === null) return;
      const x = m.l + c * cell + cell / 2, y = m.t + rows * cell + 4;
      text(svg, x, y, s, { 'text-anchor': 'end', 'font-size': fontSize, class: 'tick-label', transform: `rotate(-60 ${x} ${y})` });
    });
  text(svg, m.l + (cols * cell) / 2, h - 6, colTitle, { 'text-anchor': 'middle', class: 'axis-label' });
  text(svg, 12, m.t + (rows * cell) / 2, rowTitle,
    { 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 12 ${m.t + (rows * cell) / 2})` });
  colourBar(svg, m.l + cols * cell + 14, m.t, Math.min(200, Math.max(60, rows * cell)), vmin, vmax, valueLabel, scale, paint, w);
  return svg;
}

// Bars of values over labelled categories (one row of attention: a key token per bar), the `highlight` bar in the
// highlight colour, which `highlightLabel` names in a key under the title; hovering or focusing a bar shows "label:
// value" in the readout. Labels thinned to fit, rotated.
export function barChart({ title, labels, values, yLabel, highlight = -1, highlightLabel = '', width = 640, height = 300, digits = 3 }) {
  title = noted(title);
  if (isCompact()) width = COMPACT_WIDTH;
  const m = { l: isCompact() ? 52 : 62, r: isCompact() ? 10 : 20, t: 44, b: 96 };
  const titleLines = wrapTitle(title, width - m.l - 8).length;
  const keyed = highlight >= 0 && highlightLabel;
  m.t += 16 * (titleLines - 1) + (keyed ? 16 : 0);
  height += 16 * (titleLines - 1) + (keyed ? 16 : 0);
  const n = values.length;
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot wide', role: 'img' });
  svgEl('title', {}, svg).textContent = xmlSafe(title);
  svgEl('rect', { x: 0, y: 0, width, height, class: 'plot-bg' }, svg);
  titleText(svg, isCompact() ? 8 : m.l, title, width - m.l - 8);
  if (keyed) {
    svgEl('rect', { x: m.l, y: m.t - 33, width: 12, height: 10, class: 'key-swatch bar-highlight' }, svg);
    text(svg, m.l + 16, m.t - 24, highlightLabel, { class: 'key-label' });
  }
  const setReadout = readoutLine(svg, width - 8, m.t - 8);
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
  const fontSize = 11;
  thinned(labels, bw, 12).forEach((s, i) => {
    if (s === null) return;
    const x = m.l + i * bw + bw / 2, y = height - m.b + 6;
    text(svg, x, y, s, { 'text-anchor': 'end', 'font-size': fontSize, class: 'tick-label', transform: `rotate(-60 ${x} ${y})` });
  });
  return svg;
}

// Ranked horizontal bars: one labelled row per item, likeliest first (next-token predictions). marked: the index of
// the row drawn in the highlight colour, named by markLabel in a key. Each row is focusable and reads "label: value".
export function rankedBars({ title, labels, values, xLabel, marked = -1, markLabel = '', digits = 3 }) {
  title = noted(title);
  const width = isCompact() ? COMPACT_WIDTH : 640;
  const labelW = isCompact() ? 110 : 170;
  const rowH = 20;
  const titleLines = wrapTitle(title, width - 16).length;
  const m = { l: labelW + 12, r: 70, t: 30 + 16 * titleLines + (markLabel ? 16 : 0), b: 40 };
  const height = m.t + rowH * labels.length + m.b;
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot wide', role: 'img' });
  svgEl('title', {}, svg).textContent = xmlSafe(title);
  svgEl('rect', { x: 0, y: 0, width, height, class: 'plot-bg' }, svg);
  titleText(svg, 8, title, width - 16);
  if (markLabel) {
    svgEl('rect', { x: 8, y: m.t - 33, width: 12, height: 10, class: 'key-swatch bar-next' }, svg);
    text(svg, 24, m.t - 24, markLabel, { class: 'key-label' });
  }
  const setReadout = readoutLine(svg, width - 8, m.t - 8);
  const top = Math.max(1e-12, ...values.filter(Number.isFinite));
  const X = axisScale(0, top, false, m.l, width - m.r, false, isCompact() ? 3 : 5);
  const axes = svgEl('g', { class: 'axes' }, svg);
  for (const t of X.ticks) {
    svgEl('line', { x1: X.f(t), x2: X.f(t), y1: m.t, y2: height - m.b, class: 'grid' }, axes);
    text(axes, X.f(t), height - m.b + 14, formatTick(t), { 'text-anchor': 'middle' });
  }
  text(svg, (m.l + width - m.r) / 2, height - 8, xLabel, { 'text-anchor': 'middle', class: 'axis-label' });
  values.forEach((v, i) => {
    const y = m.t + i * rowH;
    const g = svgEl('g', { class: 'ranked-row', tabindex: 0, 'aria-label': xmlSafe(`${labels[i]}: ${Number.isFinite(v) ? v.toFixed(digits) : 'n/a'}`) }, svg);
    const maxChars = Math.floor(labelW / 6.6);
    const label = labels[i].length > maxChars ? `${labels[i].slice(0, maxChars - 1)}…` : labels[i];
    text(g, m.l - 6, y + 14, label, { 'text-anchor': 'end', class: 'tick-label mono' });
    svgEl('rect', { x: m.l, y: y + 3, width: Math.max(1, X.f(Number.isFinite(v) ? v : 0) - m.l), height: rowH - 6,
      class: i === marked ? 'bar bar-next' : 'bar' }, g);
    text(g, X.f(Number.isFinite(v) ? v : 0) + 4, y + 14, Number.isFinite(v) ? v.toFixed(digits) : 'n/a', { class: 'tick-label' });
    for (const on of ['pointerenter', 'focus']) g.addEventListener(on, () => setReadout(g.getAttribute('aria-label')));
    for (const off of ['pointerleave', 'blur']) g.addEventListener(off, () => setReadout(''));
  });
  return svg;
}

// A text as its tokens, wrapped into lines, each token's background shaded by its value in `shade(i)` (0..1, in the
// colour of class `tone`): where a chosen token attends, or what attends to it. One focusable surface: the pointer
// or the arrow keys move between tokens (onHover(i), null on leaving), a click or Enter picks one (onPick(i, add):
// add with Shift or Ctrl/Cmd held, to sum several). describe(i) is the readout's text for token i.
export function tokenText({ title, tokens, shade, tone = 'shade-look', chosen = [], onHover = null, onPick = null, describe = null }) {
  title = noted(title);
  const width = isCompact() ? COMPACT_WIDTH : 760;
  const charW = 7.2, lineH = 22, pad = 8;
  const titleLines = wrapTitle(title, width - 16).length;
  const top = 30 + 16 * titleLines;
  // lay the tokens out: a token never splits; a token that holds a newline ends its line
  const boxes = [];
  let x = pad, line = 0;
  tokens.forEach((tok, i) => {
    const w = Math.max(1, tok.length) * charW + 2;
    if (x + w > width - pad && x > pad) { x = pad; line++; }
    boxes.push({ i, x, line, w });
    x += w;
    if (tok.includes('⏎')) { x = pad; line++; }
  });
  const height = top + (line + 1) * lineH + pad;
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot wide', role: 'img' });
  svgEl('title', {}, svg).textContent = xmlSafe(title);
  svgEl('rect', { x: 0, y: 0, width, height, class: 'plot-bg' }, svg);
  titleText(svg, 8, title, width - 16);
  const setReadout = readoutLine(svg, width - 8, top - 8);
  const shades = boxes.map((b) => svgEl('rect', { x: b.x, y: top + b.line * lineH, width: b.w, height: lineH - 2, class: tone,
    'fill-opacity': 0 }, svg));
  const picks = boxes.map((b) => svgEl('rect', { x: b.x, y: top + b.line * lineH, width: b.w, height: lineH - 2, class: 'chosen-token',
    visibility: 'hidden' }, svg));
  boxes.forEach((b) => text(svg, b.x + 1, top + b.line * lineH + 15, tokens[b.i], { class: 'token-text mono' }));
  const paint = (values, marks) => {
    shades.forEach((r, i) => r.setAttribute('fill-opacity', Math.min(1, Math.max(0, values(i))).toFixed(3)));
    picks.forEach((r, i) => r.setAttribute('visibility', marks.includes(i) ? 'visible' : 'hidden'));
  };
  paint(shade, chosen);
  svg.repaint = paint;  // (shade, marks): another figure's hover shades this text too
  const cursor = svgEl('rect', { class: 'cursor-cell', visibility: 'hidden' }, svg);
  const surface = svgEl('rect', { x: 0, y: top, width, height: height - top, class: 'plot-surface', tabindex: 0, role: 'application',
    'aria-label': xmlSafe(`${title}: arrow keys move between tokens, Enter picks one, Shift+Enter adds it`) }, svg);
  let at = chosen.length ? chosen[chosen.length - 1] : tokens.length - 1;
  // preview: shade the text for token i alone (the pointer, or the keyboard cursor once it moves); focusing the
  // text only shows the cursor, so the chosen tokens' shading stays
  const show = (i, preview = true) => {
    at = i;
    const b = boxes[i];
    for (const [k, v] of Object.entries({ x: b.x, y: top + b.line * lineH, width: b.w, height: lineH - 2 })) cursor.setAttribute(k, v);
    cursor.setAttribute('visibility', 'visible');
    if (onHover && preview) onHover(i);
    if (describe) setReadout(describe(i));
  };
  const hide = () => { cursor.setAttribute('visibility', 'hidden'); setReadout(''); if (onHover) onHover(null); };
  const tokenAt = (e) => {
    const p = svgPoint(svg, e);
    if (!p) return null;
    const ln = Math.floor((p.y - top) / lineH);
    const b = boxes.find((q) => q.line === ln && p.x >= q.x && p.x < q.x + q.w);
    return b ? b.i : null;
  };
  surface.addEventListener('pointermove', (e) => { const i = tokenAt(e); if (i !== null && i !== at) show(i); });
  surface.addEventListener('pointerleave', hide);
  surface.addEventListener('focus', () => show(at, false));
  surface.addEventListener('blur', hide);
  surface.addEventListener('keydown', (e) => {
    const step = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity }[e.key];
    if (step !== undefined) {
      e.preventDefault();
      show(Math.min(tokens.length - 1, Math.max(0, at + step)));
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      const b = boxes[at], ln = b.line + (e.key === 'ArrowUp' ? -1 : 1);
      const near = boxes.filter((q) => q.line === ln).sort((p, q) => Math.abs(p.x - b.x) - Math.abs(q.x - b.x))[0];
      if (near) show(near.i);
    } else if (onPick && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      onPick(at, e.shiftKey || e.ctrlKey || e.metaKey);
    }
  });
  if (onPick) surface.addEventListener('click', (e) => { const i = tokenAt(e); if (i !== null) onPick(i, e.shiftKey || e.ctrlKey || e.metaKey); });
  return svg;
}

// Every head's attention pattern as a thumbnail, layers down and heads across (B x B cells each, NaN blank); a click
// or Enter on a thumbnail calls onHead(layer, head). One focusable surface: arrow keys move between heads.
export function thumbnailGrid({ title, layers, heads, size, thumbs, scale = 'head', selected = null, onHead = null, describe = null }) {
  title = noted(title);
  const maxW = isCompact() ? COMPACT_WIDTH : 860;
  const m = { l: 58, t: 0, r: 8, b: 24, gap: 4 };
  const tile = Math.max(24, Math.min(96, Math.floor((maxW - m.l - m.r) / heads) - m.gap));
  const width = Math.max(m.l + heads * (tile + m.gap) + m.r, isCompact() ? COMPACT_WIDTH : 420);
  const titleLines = wrapTitle(title, width - 16).length;
  m.t = 40 + 16 * titleLines;
  const height = m.t + layers * (tile + m.gap) + m.b;
  const svg = svgEl('svg', { xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, class: 'plot', role: 'img' });
  svgEl('title', {}, svg).textContent = xmlSafe(title);
  svgEl('rect', { x: 0, y: 0, width, height, class: 'plot-bg' }, svg);
  titleText(svg, 8, title, width - 16);
  const setReadout = readoutLine(svg, width - 8, m.t - 22);
  const at = (l, h) => [m.l + h * (tile + m.gap), m.t + l * (tile + m.gap)];
  for (let l = 0; l < layers; l++) {
    text(svg, m.l - 6, m.t + l * (tile + m.gap) + tile / 2 + 4, `layer ${l}`, { 'text-anchor': 'end', class: 'tick-label' });
    for (let h = 0; h < heads; h++) {
      const off = (l * heads + h) * size * size;
      // the largest value below the first rows (which hold few tokens, so large weights)
      let top = 0;
      for (let i = Math.max(1, Math.floor(size / 16)) * size; i < size * size; i++) if (thumbs[off + i] > top) top = thumbs[off + i];
      const norm = scaleNorm(scale === 'log' ? { scale: 'log', vmin: 1e-3, vmax: 1 } : { vmin: 0, vmax: top || 1 });
      const [x, y] = at(l, h);
      svgEl('rect', { x: x - 0.5, y: y - 0.5, width: tile + 1, height: tile + 1, class: 'frame' }, svg);
      cellImageElement(svg, { x, y, width: tile, height: tile }, thumbs, off, size, size, (v) => colour(norm(v)), tile / size);
      if (selected && selected[0] === l && selected[1] === h)
        svgEl('rect', { x: x - 2, y: y - 2, width: tile + 4, height: tile + 4, class: 'selected-cell' }, svg);
    }
  }
  for (let h = 0; h < heads; h++)
    text(svg, at(0, h)[0] + tile / 2, height - 8, `${h}`, { 'text-anchor': 'middle', class: 'tick-label' });
  text(svg, 8, height - 8, 'head', { class: 'axis-label' });
  const cursor = svgEl('rect', { width: tile + 4, height: tile + 4, class: 'focus-ring', visibility: 'hidden' }, svg);
  const surface = svgEl('rect', { x: m.l, y: m.t, width: heads * (tile + m.gap), height: layers * (tile + m.gap), class: 'heat-surface',
    tabindex: 0, role: 'application', 'aria-label': xmlSafe(`${title}: arrow keys move between heads, Enter opens one`) }, svg);
  const show = (l, h) => {
    const [x, y] = at(l, h);
    cursor.setAttribute('x', x - 2);
    cursor.setAttribute('y', y - 2);
    cursor.setAttribute('visibility', 'visible');
    setReadout(describe ? describe(l, h) : `layer ${l} head ${h}`);
  };
  const hide = () => { cursor.setAttribute('visibility', 'hidden'); setReadout(''); };
  const headAt = (e) => {
    const p = svgPoint(svg, e);
    if (!p) return null;
    const h = Math.floor((p.x - m.l) / (tile + m.gap)), l = Math.floor((p.y - m.t) / (tile + m.gap));
    return l >= 0 && l < layers && h >= 0 && h < heads ? [l, h] : null;
  };
  gridSurface(surface, { rows: layers, cols: heads, start: selected ? [...selected] : [0, 0], cellAt: headAt, show, hide, pick: onHead });
  return svg;
}
