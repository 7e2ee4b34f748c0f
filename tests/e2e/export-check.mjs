// Exports look like the page (issue 34, item 1): a figure's PNG export (rendered from the exported SVG, as a
// reader's browser would) compared pixel by pixel with a screenshot of the same figure on the page. A figure that
// exports as a black rectangle, or loses its colours, differs on most of its pixels. page.test.mjs checks every
// figure of every view in the light scheme; exports.test.mjs one view of each kind in the dark scheme.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts } from './browser.mjs';

// In the page: both images drawn at the figure's viewBox size; the mean absolute difference of the RGB channels
// (0-255) and the share of pixels that differ by more than 96 in some channel.
async function compare(page, index, screenshot) {
  return page.evaluate(async ({ index, shot }) => {
    const { pngBlob } = await import('./export.js');
    const svg = document.querySelectorAll('#figures figure svg')[index];
    const w = Math.round(svg.viewBox.baseVal.width), h = Math.round(svg.viewBox.baseVal.height);
    const load = (src) => new Promise((resolve, reject) => { const i = new Image(); i.onload = () => resolve(i); i.onerror = reject; i.src = src; });
    const pixels = async (src) => {
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d');
      ctx.drawImage(await load(src), 0, 0, w, h);
      return ctx.getImageData(0, 0, w, h).data;
    };
    const exported = URL.createObjectURL(await pngBlob(svg, 1));
    const a = await pixels(exported), b = await pixels(`data:image/png;base64,${shot}`);
    let sum = 0, far = 0;
    for (let p = 0; p < a.length; p += 4) {
      const d = [0, 1, 2].map((k) => Math.abs(a[p + k] - b[p + k]));
      sum += d[0] + d[1] + d[2];
      if (Math.max(...d) > 96) far++;
    }
    const n = a.length / 4;
    return { mean: sum / (3 * n), far: far / n, w, h, exported: await (await fetch(exported)).blob().then((bl) => bl.size) };
  }, { index, shot: screenshot.toString('base64') });
}

// Every figure now drawn: its PNG export against its screenshot on the page (mean difference at most 12 of 255, at
// most 5% of pixels far apart); a mismatch's screenshot is kept in the artifacts. label: the scheme, for messages.
export async function assertExportsMatch(page, label) {
  await page.mouse.move(0, 0);  // no hover readout or cursor on the screenshot
  const figures = page.locator('#figures figure svg');
  const count = await figures.count();
  for (let i = 0; i < count; i++) {
    const shot = await figures.nth(i).screenshot();
    const d = await compare(page, i, shot);
    const name = await page.locator('#figures figure').nth(i).getAttribute('data-name');
    console.log(`# ${label} ${name}: mean difference ${d.mean.toFixed(1)}, far pixels ${(100 * d.far).toFixed(1)}% (${d.w}x${d.h})`);
    if (d.mean > 12 || d.far > 0.05) writeFileSync(join(artifacts, `export-mismatch-${label}-${name}.png`), shot);
    assert.ok(d.mean <= 12 && d.far <= 0.05, `${name} (${label}): the export differs from the page (mean ${d.mean.toFixed(1)}, ${(100 * d.far).toFixed(1)}% far)`);
  }
}
