// Exporting a figure: its SVG as drawn, a PNG rendered from that SVG, and its data as CSV or JSON.
import { csvCell } from './safe-text.js';

function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// The SVG with the page's computed colours inlined, so it looks the same outside the page.
export function svgText(svg) {
  const copy = svg.cloneNode(true);
  const style = getComputedStyle(document.documentElement);
  const vars = ['--fg', '--bg', '--grid', '--ref', '--accent'].map((v) => `${v}: ${style.getPropertyValue(v)};`).join(' ');
  const css = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  css.textContent = `svg { ${vars} font: 11px system-ui, sans-serif; }
    .plot-bg { fill: var(--bg); } text { fill: var(--fg); } .plot-title { font-weight: 600; font-size: 13px; }
    .grid { stroke: var(--grid); } .frame { fill: none; stroke: var(--fg); stroke-opacity: 0.5; }
    .selected-cell { fill: none; stroke: var(--accent); stroke-width: 3; }`;
  copy.insertBefore(css, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}

export function exportSvg(svg, name) {
  download(new Blob([svgText(svg)], { type: 'image/svg+xml' }), `${name}.svg`);
}

export function pngBlob(svg, scale = 2) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    const url = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = svg.viewBox.baseVal.width * scale;
      canvas.height = svg.viewBox.baseVal.height * scale;
      const ctx = canvas.getContext('2d');
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export failed'))), 'image/png');
    };
    img.onerror = () => reject(new Error('PNG export failed: the SVG could not be rendered'));
    img.src = url;
  });
}

export async function exportPng(svg, name) {
  download(await pngBlob(svg), `${name}.png`);
}

// rows: array of arrays, the first the header.
export function csvText(rows) {
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export function exportCsv(rows, name) {
  download(new Blob([csvText(rows)], { type: 'text/csv' }), `${name}.csv`);
}

export function exportJson(data, name) {
  download(new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' }), `${name}.json`);
}
