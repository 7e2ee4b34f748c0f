// The page under hostile input and faults: downloads cut short or failing mid-way, a URL that serves a web
// page, empty files, a 100,000-character text, a run too large for wasm memory, rapid repeated clicks, and
// ten load/unload cycles. Each gives a clear message or a queued run, and the page keeps its model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyModel, makeModel } from '../cli/helpers.mjs';
import { drawn, listenLocal, longText, openPage, shot, shownError, startBrowser } from './browser.mjs';

const FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'];
const files = (dir) => FILES.map((f) => join(dir, f));

// A server for one checkpoint folder that misbehaves by path prefix (CORS open, as Hugging Face is):
//   /ok/F         the file
//   /truncated/F  the weights cut to a third, sent as a complete response (no length to check against)
//   /dropped/F    the weights' full Content-Length, a third of the bytes, then the connection is destroyed
//   /html/F       a web page (200, text/html), as a login wall or a wrong link gives
//   /disguised/F  a web page sent as application/octet-stream
function faultyServer(dir) {
  const server = http.createServer((req, res) => {
    const [, mode, name] = req.url.split('/');
    const cors = { 'access-control-allow-origin': '*' };
    if (!FILES.includes(name)) { res.writeHead(404, cors).end('not found'); return; }
    const page = '<!DOCTYPE html><html><body>Sign in to continue</body></html>';
    if (mode === 'html') { res.writeHead(200, { ...cors, 'content-type': 'text/html; charset=utf-8' }).end(page); return; }
    if (mode === 'disguised') { res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream' }).end(page); return; }
    const bytes = readFileSync(join(dir, name));
    const weights = name === 'model.safetensors';
    if (mode === 'truncated' && weights) {
      res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream' });
      res.end(bytes.subarray(0, Math.floor(bytes.length / 3)));
      return;
    }
    if (mode === 'dropped' && weights) {
      res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 3)), () => setTimeout(() => res.destroy(), 50));
      return;
    }
    res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
  });
  return listenLocal(server);
}

let env, faulty;
const model = makeModel();
before(async () => {
  env = await startBrowser();
  faulty = await faultyServer(model);
});
after(async () => {
  await env.close();
  await new Promise((r) => faulty.server.close(r));
});

// The page still holds the shipped model and draws another view with it.
async function keepsShippedModel(page) {
  assert.match(await page.textContent('#model-status'), /tiny-gpt2: GPT-2 \(GPT2LMHeadModel\), 4 layers/);
  await page.click('[role=tab][data-view=selectivity]');
  await drawn(page, 'selectivity');
  assert.deepEqual(page.problems, []);
}

async function loadUrl(page, url) {
  await page.fill('#remote-input', url);
  await page.click('#remote-form button');
}

async function executed(page) {
  return (await page.evaluate(() => globalThis.attnlabWorker.call('stats'))).executed;
}

test('a truncated download is refused by the core, is not cached, and the page keeps its model', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await loadUrl(page, `${faulty.base}truncated/`);
  // no Content-Length: the page asks before a download of unknown size
  await page.waitForSelector('#confirm:not([hidden])');
  assert.match(await page.textContent('#confirm-text'), /model\.safetensors from 127\.0\.0\.1:\d+ does not say its size/);
  await page.click('#confirm-yes');
  const message = await shownError(page);
  assert.match(message, /Could not load .*truncated.*model\.safetensors/s);
  assert.match(message, /The page keeps tiny-gpt2/);
  const cached = await page.evaluate(async () => (await (await caches.open('attnlab-checkpoints-v1')).keys()).map((r) => r.url));
  assert.ok(!cached.some((u) => u.includes('/truncated/')), `nothing of a failed load is cached: ${cached}`);
  await shot(page, 'hostile-truncated');
  await keepsShippedModel(page);
  await page.close();
});

test('a network error in the middle of the weights download says so, and the page keeps its model', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await loadUrl(page, `${faulty.base}dropped/`);
  const message = await shownError(page);
  assert.match(message, /model\.safetensors: the download (failed after|stopped at) [\d.]+ MiB/);
  assert.match(message, /try again/);
  await keepsShippedModel(page);
  await page.close();
});

test('a URL that serves a web page instead of a checkpoint is refused clearly, whatever its content type', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  for (const mode of ['html', 'disguised']) {
    await loadUrl(page, `${faulty.base}${mode}/`);
    assert.match(await shownError(page), /config\.json: the server returned a web page, not the file/);
  }
  await keepsShippedModel(page);
  await page.close();
});

test('a 0-byte file is refused by name, and the page keeps its model', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  for (const name of ['model.safetensors', 'config.json']) {
    const dir = copyModel(model);
    writeFileSync(join(dir, name), '');
    await page.setInputFiles('#file-input', files(dir));
    assert.match(await shownError(page), new RegExp(`${name.replace('.', '\\.')} is empty \\(0 bytes\\)`));
  }
  await keepsShippedModel(page);
  await page.close();
});

test('a text of 100,000 characters is analysed window by window and the page stays usable', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const text = longText(100000);
  await page.fill('#text', text);
  const start = Date.now();
  await page.click('#analyse-button');
  await page.waitForFunction(() => /^[1-9]\d{4,} tokens$/.test(document.querySelector('#token-count').textContent), null, { timeout: 240000 });
  await drawn(page, 'attention', 240000);
  console.log(`# 100,000 characters: ${await page.textContent('#token-count')}, attention drawn after ${Date.now() - start} ms`);
  await page.click('[role=tab][data-view=selectivity]');
  await drawn(page, 'selectivity', 240000);
  assert.equal(await page.inputValue('#text'), text, 'the text is kept whole');
  await shot(page, 'hostile-long-text');
  // still usable: a short text replaces it
  await page.fill('#text', 'Short again.');
  await page.click('#analyse-button');
  await page.waitForFunction(() => /^\d tokens$/.test(document.querySelector('#token-count').textContent));
  await drawn(page, 'selectivity');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('rapid repeated clicks during a run share it or replace it: the worker does not queue ten runs', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  // the head map needs the text's selectivity run on every new text
  await page.click('[role=tab][data-view=heads]');
  await drawn(page, 'heads');
  const before = await executed(page);
  const a = longText(12000), b = `${longText(8000)} The end.`;
  await page.fill('#text', a);
  for (let i = 0; i < 5; i++) await page.click('#analyse-button');  // the same text: one run
  for (let i = 0; i < 10; i++) {  // a different text each click: only the newest matters
    await page.fill('#text', i % 2 ? b : a);
    await page.click('#analyse-button');
  }
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 240000 });
  await drawn(page, 'heads');
  assert.equal(await page.isHidden('#error'), true, await page.textContent('#error'));
  const expected = (await page.evaluate((t) => globalThis.attnlabWorker.call('tokenize', { text: t }), b)).tokens.length;
  assert.equal(await page.textContent('#token-count'), `${expected} tokens`, 'the figures are of the last text');
  const after = await executed(page);
  const runs = (after.selectivity ?? 0) - (before.selectivity ?? 0);
  console.log(`# 15 clicks during a run: ${runs} selectivity runs executed`);
  assert.ok(runs >= 1 && runs <= 3, `${runs} selectivity runs for 15 clicks`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a run too large for the wasm memory reports out of memory and the page keeps working', async () => {
  // context 65,536: a 30,000-token text asks for 30,000 x 30,000 attention scores and weights (7.2 GB), beyond wasm32
  const big = makeModel(['--ctx', '65536']);
  const page = await openPage(env);
  await drawn(page, 'attention');
  await page.setInputFiles('#file-input', files(big));
  await page.waitForFunction(() => /context 65536/.test(document.querySelector('#model-status').textContent));
  await drawn(page, 'attention');
  await page.fill('#text', ' a'.repeat(30000));  // under the page's 32,768-token cap
  await page.click('#analyse-button');
  assert.match(await shownError(page), /out of memory: the model or the text is too large for this tab/);
  await shot(page, 'hostile-out-of-memory');
  await page.fill('#text', 'A short text fits.');
  await page.click('#analyse-button');
  await page.waitForFunction(() => /^\d tokens$/.test(document.querySelector('#token-count').textContent));
  await drawn(page, 'attention');
  assert.equal(await page.isHidden('#error'), true);
  // a run that fits but needs 650 MB (9,000 x 9,000 scores and weights of a head) grows the heap, which never
  // shrinks: once idle, the worker is started afresh with the same model and the memory goes back to the browser
  await page.click('[role=tab][data-view=heads]');
  await drawn(page, 'heads');
  const loaded = await page.evaluate(() => globalThis.attnlabWorker.call('memory'));
  await page.fill('#text', ' a'.repeat(9000));
  await page.click('#analyse-button');
  await page.waitForFunction(() => /^9000 tokens$/.test(document.querySelector('#token-count').textContent), null, { timeout: 240000 });
  await drawn(page, 'heads');
  await page.waitForFunction(async (n) => (await globalThis.attnlabWorker.call('memory')).bytes <= n + 256 * 2 ** 20, loaded.bytes, { timeout: 60000 });
  const back = await page.evaluate(() => globalThis.attnlabWorker.call('memory'));
  console.log(`# heap ${(loaded.bytes / 2 ** 20).toFixed(0)} MiB before a 9,000-token run, ${(back.bytes / 2 ** 20).toFixed(0)} MiB after it (worker restarted)`);
  const executed = await page.evaluate(() => globalThis.attnlabWorker.call('stats'));
  assert.equal(executed.executed.load, 1, 'the heap came back because a fresh worker loaded the model once');
  await page.click('[role=tab][data-view=selectivity]');
  await drawn(page, 'selectivity');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('loading a second model frees the first: ten load/unload cycles return the heap to the same level', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const memory = () => page.evaluate(() => globalThis.attnlabWorker.call('memory'));
  const levels = [];
  for (let cycle = 0; cycle <= 10; cycle++) {
    await page.setInputFiles('#file-input', files(model));
    await page.waitForFunction(() => /local: model\.safetensors/.test(document.querySelector('#model-status').textContent));
    await drawn(page, 'attention');
    await page.click('#shipped-button');
    await page.waitForFunction(() => /^Model: tiny-gpt2/.test(document.querySelector('#model-status').textContent));
    await drawn(page, 'attention');
    levels.push(await memory());
  }
  const used = levels.map((l) => l.used);
  console.log(`# heap in use after each shipped-model reload (MiB): ${used.map((u) => (u / 2 ** 20).toFixed(2)).join(' ')}; heap ${(levels[10].bytes / 2 ** 20).toFixed(0)} MiB`);
  console.log(`# heap size after each cycle (MiB): ${levels.map((l) => (l.bytes / 2 ** 20).toFixed(2)).join(' ')}`);
  // cycle 0 may keep one-time allocations; from then on every cycle ends where the first did
  for (let i = 1; i <= 10; i++) assert.ok(Math.abs(used[i] - used[1]) <= 2 ** 20, `cycle ${i}: ${used[i]} bytes in use vs ${used[1]}`);
  assert.equal(levels[10].bytes, levels[1].bytes, 'the heap did not grow');
  assert.deepEqual(page.problems, []);
  await page.close();
});
