// The page's time to its first plot as a visitor's browser takes it: Chromium started on its own, with no DevTools
// protocol attached. Playwright attaches DevTools, whose network capture copies every response body in the page's
// renderer and reports each chunk to the browser process; on this page, whose first plot waits on a 14.5 MB download,
// that added about 0.9 s on the 2-core VM (npm run bench prints both). The time is the page's own: its User Timing
// marks (boot.js), from the navigation's start, sent back by a probe script added to the served index.html.
//   node scripts/first-plot.mjs [build/web] [rounds]
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { staticFiles, listen, ISOLATION } from './serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';

const DRAWN = 'attnlab: first figures in the document';

// Posts the page's attnlab marks once the first figures are in; a plain script, run before the page's modules.
const PROBE = `(function poll() {
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('attnlab: '));
  if (!marks.some((m) => m.name === ${JSON.stringify(DRAWN)})) { setTimeout(poll, 20); return; }
  fetch('/__marks', { method: 'POST', body: JSON.stringify(marks.map((m) => [m.name.slice(9), Math.round(m.startTime)])) });
})();`;
// The browser opens this first and settles, then goes to the page. Same origin and headers as the page: its renderer
// process is up already, as a new tab's is (Chromium keeps a spare one) and as Playwright's fresh page's is.
const OPENER = '<!doctype html><title>opener</title><script>setTimeout(() => { location.href = "/"; }, 1500);</script>';

// rounds fresh browsers (each its own empty profile) open the page at web; resolves to one {name: ms} per round.
export async function firstPlots(web, { rounds = 5, timeoutMs = 60000 } = {}) {
  const files = staticFiles(web);
  let arrived = null;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/__marks') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { res.writeHead(204).end(); if (arrived) arrived(Object.fromEntries(JSON.parse(body))); });
    } else if (url.pathname === '/__probe.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', ...ISOLATION }).end(PROBE);
    } else if (url.pathname === '/__open') {
      res.writeHead(200, { 'content-type': 'text/html', ...ISOLATION }).end(OPENER);
    } else if (url.pathname === '/' || url.pathname === '/index.html') {
      const html = fs.readFileSync(path.join(web, 'index.html'), 'utf8').replace('</body>', '<script async src="/__probe.js"></script></body>');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...ISOLATION }).end(html);
    } else files(req, res);
  });
  const { address } = await listen(server, 0);
  const port = new URL(address).port;
  const runs = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'attnlab-first-plot-'));
      let timer;
      const marks = new Promise((resolve, reject) => {
        arrived = resolve;
        timer = setTimeout(() => reject(new Error(`no first plot within ${timeoutMs / 1000} s`)), timeoutMs);
      });
      const browser = spawn(CHROMIUM, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`,
        `http://localhost:${port}/__open`], { stdio: 'ignore', detached: true });
      try {
        runs.push(await marks);
      } finally {
        arrived = null;
        clearTimeout(timer);
        try { process.kill(-browser.pid, 'SIGKILL'); } catch { /* gone already */ }
        await new Promise((resolve) => setTimeout(resolve, 300));
        fs.rmSync(profile, { recursive: true, force: true });
      }
    }
  } finally {
    server.close();
  }
  return runs;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const DRAWN_MARK = DRAWN.slice(9);

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = await firstPlots(process.argv[2] || 'build/web', { rounds: Number(process.argv[3] || 5) });
  runs.forEach((m, i) => console.log(`run ${i + 1}: ${Object.entries(m).map(([k, v]) => `${k} ${v}`).join(', ')}`));
  console.log(`first plot: ${runs.map((m) => m[DRAWN_MARK]).join(', ')} ms; median ${median(runs.map((m) => m[DRAWN_MARK]))} ms`);
}
