// Browser end-to-end helpers: serve build/web, open it in Debian's Chromium through playwright-core, and
// write screenshots under build/test-artifacts/e2e.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { attnlab, repo } from '../cli/helpers.mjs';
import { serve } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';

export const webDir = process.env.ATTNLAB_WEB_DIR ?? join(repo, 'build', 'web');
export const artifacts = join(repo, 'build', 'test-artifacts', 'e2e');
mkdirSync(artifacts, { recursive: true });

// isolate: serve the page cross-origin isolated (COOP/COEP, as npm start does: every core) or not (one thread).
export async function startBrowser({ isolate = true } = {}) {
  const { server, address } = await serve(webDir, 0, { quiet: true, isolate });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    address,
    browser,
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

// A page that records its own errors (uncaught exceptions and console errors other than expected 404s).
// serviceWorkers: 'allow' (the page may isolate itself through isolation-sw.js) or 'block'.
export async function openPage(env, path = '', { colorScheme = 'light', serviceWorkers = 'allow' } = {}) {
  const page = await env.browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme, serviceWorkers });
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/404|Failed to load resource/.test(m.text())) page.problems.push(`console: ${m.text()}`); });
  await page.goto(env.address + path);
  return page;
}

// Waits until the page has drawn `view` and is idle.
export async function drawn(page, view, timeout = 120000) {
  await page.waitForSelector(`body[data-state=ready][data-view=${view}] #figures figure svg`, { timeout });
}

export async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

// Chromium drops a page's downloads beyond about ten a second (25 export clicks in 1.2 s gave 13 downloads, 80 ms
// apart all 25): the export buttons are clicked at least this far apart, as a person would.
const DOWNLOAD_GAP_MS = 150;

// The downloads of a figure's export buttons: { SVG, PNG, CSV, JSON } as Buffers, each named after the figure.
export async function exportsOf(page, figure, kinds = ['SVG', 'PNG', 'CSV', 'JSON']) {
  const name = await figure.getAttribute('data-name');
  const got = {};
  for (const kind of kinds) {
    const wait = (page.lastDownloadAt ?? 0) + DOWNLOAD_GAP_MS - Date.now();
    if (wait > 0) await page.waitForTimeout(wait);
    const [download] = await Promise.all([page.waitForEvent('download'), figure.locator(`button:text-is("${kind}")`).click()]);
    page.lastDownloadAt = Date.now();
    assert.equal(download.suggestedFilename(), `${name}.${kind.toLowerCase()}`);
    got[kind] = readFileSync(await download.path());
  }
  return got;
}

// The page's error line, once it shows.
export async function shownError(page) {
  await page.waitForSelector('#error:not([hidden])');
  return page.textContent('#error');
}

// Natural text (the README's words), repeated to `n` characters.
export function longText(n) {
  const para = readFileSync(join(repo, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  return para.repeat(Math.ceil(n / para.length)).slice(0, n);
}

// A test server on a port of 127.0.0.1, another origin than the page's localhost: {server, base}.
export function listenLocal(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}/` })));
}

// For every figure: the readout, filled with a long reading, and the title, as boxes in the figure's coordinates.
// Returns the figures where they intersect: [] when every readout has its own line.
export function readoutOverTitle(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const svg of document.querySelectorAll('#figures figure > svg')) {
      const readout = svg.querySelector('.readout'), title = svg.querySelector('.plot-title');
      if (!readout || !title) continue;
      const kept = readout.textContent;
      readout.textContent = "layer 3: N = 129-256: median 0.123, quartiles 0.100 to 0.200, 12,345 rows";
      const a = readout.getBBox(), b = title.getBBox();
      readout.textContent = kept;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      if (!apart) bad.push(`${svg.closest('figure').dataset.name}: readout ${JSON.stringify(a)} over title ${JSON.stringify(b)}`);
    }
    return bad;
  });
}

// The loaded model's loss on `text` in the page's worker equals `attnlab run` on the checkpoint folder `dir`
// (relative 1e-5): the page read the same numbers as the CLI.
export async function assertLossLikeCli(page, dir, text) {
  const got = await page.evaluate((t) => globalThis.attnlabWorker.call('run', { text: t, options: {} }), text);
  const cli = attnlab(['run', '--model', dir, '--text', text]);
  assert.ok(Math.abs(got.loss - cli.json.loss) <= 1e-5 * Math.abs(cli.json.loss), `loss ${got.loss} vs the CLI's ${cli.json.loss} on ${dir}`);
}
