// Exporting a figure: its SVG as drawn, a PNG rendered from that SVG, and its data as CSV or JSON.
import { csvPreamble } from './provenance.js';
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

// What a figure's look is made of: each element's computed value of these goes into its style attribute, so the
// exported file looks as the figure does on the page (the light or dark scheme it was drawn in) with none of the
// page's CSS. Without it the pointer layers (transparent on the page by CSS) export black, and bars lose colour.
const LOOK = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'stroke-linecap',
  'stroke-linejoin', 'opacity', 'visibility', 'display', 'font-family', 'font-size', 'font-weight', 'font-style',
  'text-anchor', 'dominant-baseline', 'paint-order', 'white-space'];

function inlineLook(from, to) {
  const style = getComputedStyle(from);
  to.setAttribute('style', LOOK.map((p) => `${p}:${style.getPropertyValue(p)}`).join(';'));
  for (let i = 0; i < from.children.length; i++) inlineLook(from.children[i], to.children[i]);
}

// The SVG as a standalone file: every element's computed look inlined, the pointer-only state (focus rings,
// cursors, tab stops) left out.
export function svgText(svg) {
  const copy = svg.cloneNode(true);
  inlineLook(svg, copy);
  // cell images in blocks of pixels (plot.js's cellImageElement): a viewer that ignores image-rendering blurs one pixel
  // per cell into its neighbours
  const images = copy.querySelectorAll('image');
  svg.querySelectorAll('image').forEach((image, i) => { if (image.sharpHref) images[i].setAttribute('href', image.sharpHref()); });
  for (const e of copy.querySelectorAll('[tabindex]')) e.removeAttribute('tabindex');
  copy.removeAttribute('class');
  copy.setAttribute('width', String(svg.viewBox.baseVal.width));
  copy.setAttribute('height', String(svg.viewBox.baseVal.height));
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

// provenance (web/provenance.js): what the figure was measured on, as "# " lines above the rows / a field beside the data
export function exportCsv(rows, name, provenance) {
  const text = (provenance ? csvPreamble(provenance).map((l) => `${l}\n`).join('') : '') + csvText(rows);
  download(new Blob([text], { type: 'text/csv' }), `${name}.csv`);
}

export function exportJson(data, name, provenance) {
  download(new Blob([JSON.stringify(provenance ? { provenance, data } : data, null, 1)], { type: 'application/json' }), `${name}.json`);
}
