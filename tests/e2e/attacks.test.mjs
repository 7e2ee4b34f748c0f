// The page against an attacker (issue 32): the embed snippet pasted into another site runs nothing; a link to a
// model elsewhere fetches nothing until the visitor says yes, and private or plain-http addresses never; sizes are
// refused before a download or a copy; a request that cannot reach the worker fails alone; a huge text is refused
// with the heap unchanged; NaN weights give one clear error in every view; control characters survive every export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync, readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { copyModel, makeModel, readSafetensors, shardCheckpoint, writeSafetensors } from '../cli/helpers.mjs';
import { assertLossLikeCli, drawn, exportsOf, listenLocal, longText, openPage, shot, shownError, startBrowser } from './browser.mjs';

const FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'];
const files = (dir) => FILES.map((f) => join(dir, f));
const VIEWS = ['attention', 'heads', 'selectivity', 'topk', 'sensitivity', 'paper', 'normalisers', 'conditioning', 'constant', 'papa', 'hardmax'];

// A server on another origin (127.0.0.1, while the page is on localhost) that counts what it is asked:
//   /blog/            an HTML page whose body is `blogBody` (a blog post with a pasted embed snippet)
//   /model/F          a checkpoint's file, CORS open
//   /huge/config.json declares 1 GiB, sends 64 KiB and then nothing more
//   /big/F            the checkpoint, but model.safetensors declares 200 MB, sends 64 KiB and then nothing more
//   /sharded/F        a Llama checkpoint split into model.safetensors.index.json and two shards (no model.safetensors)
function otherOrigin(dir, shardedDir) {
  const server = http.createServer((req, res) => {
    server.requests.push(req.url);
    const [, mode, name] = req.url.split('/');
    const cors = { 'access-control-allow-origin': '*' };
    if (mode === 'blog') { res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><body>${server.blogBody}</body>`); return; }
    if (mode === 'huge' && name === 'config.json') {
      res.writeHead(200, { ...cors, 'content-type': 'application/json', 'content-length': String(2 ** 30) });
      res.write(Buffer.alloc(65536, 32));
      server.hanging.push(res);
      return;
    }
    if (mode === 'big' && name === 'model.safetensors') {
      res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream', 'content-length': String(200e6) });
      res.write(Buffer.alloc(65536));
      server.hanging.push(res);
      return;
    }
    if (mode === 'sharded' && /^[\w.-]+$/.test(name ?? '') && existsSync(join(shardedDir, name))) {
      const bytes = readFileSync(join(shardedDir, name));
      res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
      return;
    }
    if ((mode === 'model' || mode === 'big') && FILES.includes(name)) {
      const bytes = readFileSync(join(dir, name));
      res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
      return;
    }
    res.writeHead(404, cors).end('not found');
  });
  server.requests = [];
  server.hanging = [];
  server.blogBody = '';
  return listenLocal(server);
}

let env, other;
const model = makeModel();
const llama = makeModel(['--family', 'llama', '--heads', '4', '--kv-heads', '2', '--embd', '32']);
const sharded = copyModel(llama);
shardCheckpoint(sharded);
before(async () => {
  env = await startBrowser();
  other = await otherOrigin(model, sharded);
});
after(async () => {
  for (const res of other.server.hanging) res.destroy();
  await env.close();
  await new Promise((r) => other.server.close(r));
});

const heap = (page) => page.evaluate(() => globalThis.attnlabWorker.call('memory'));
const cachedUrls = (page) => page.evaluate(async () => (await (await caches.open('attnlab-checkpoints-v1')).keys()).map((r) => r.url));

for (const [form, payload] of [
  ['an attribute', '" onload="window.parent.__embedPwned=document.domain'],
  ['a closing tag and a script', '"></iframe><script>window.__embedPwned=1</script><iframe title="'],
]) {
  test(`the embed code of a link whose model name carries ${form} runs nothing when pasted into another site`, async () => {
    const spec = `./models/tiny-gpt2/?a=${payload}`;
    const page = await openPage(env, `#model=${encodeURIComponent(spec)}`);
    await drawn(page, 'attention');
    await page.click('#embed-button');
    await page.waitForSelector('#embed-code:not([hidden])');
    const code = await page.inputValue('#embed-code');
    other.server.blogBody = `<h1>My post</h1>${code}<p>after</p>`;
    const blog = await env.browser.newPage();
    await blog.goto(`${other.base}blog/`);
    const frames = await blog.$$('iframe');
    assert.equal(frames.length, 1, 'exactly one iframe: the snippet did not break out of its tag');
    const title = await frames[0].getAttribute('title');
    assert.equal(title, `attnlab: attention view of ${spec}`, 'the title holds the model name as text');
    const frame = await frames[0].contentFrame();
    await frame.waitForSelector('body[data-state=ready] #figures figure svg', { timeout: 120000 });
    assert.equal(await blog.evaluate(() => window.__embedPwned), undefined, 'no script of the payload ran in the blog');
    assert.equal(await blog.textContent('p'), 'after');
    await blog.close();
    await page.close();
  });
}

test('a sharded checkpoint on another site: its index, then each shard asked about and downloaded, with the one file\'s numbers', async () => {
  other.server.requests.length = 0;
  const link = `${other.base}sharded/`;
  const page = await openPage(env, `#model=${encodeURIComponent(link)}`);
  await page.waitForSelector('#confirm:not([hidden])');
  await page.click('#confirm-yes');  // the site
  for (const shard of ['model-00001-of-00002', 'model-00002-of-00002']) {
    await page.waitForFunction((name) => new RegExp(`${name}\\.safetensors from 127\\.0\\.0\\.1:\\d+ is [\\d.]+ MB\\. Download it\\?`)
      .test(document.querySelector('#confirm-text').textContent) && !document.querySelector('#confirm').hidden, shard);
    await page.click('#confirm-yes');
  }
  await page.waitForFunction(() => /127\.0\.0\.1:\d+\/sharded\/: Llama \(LlamaForCausalLM\), 2 layers × 4 heads \(2 key\/value heads\)/
    .test(document.querySelector('#model-status').textContent));
  // in this order: the tokenizer before the weights, the one file (absent) before the index, then the shards
  assert.deepEqual(other.server.requests, ['config.json', 'tokenizer.json', 'vocab.json', 'merges.txt', 'model.safetensors',
    'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'].map((f) => `/sharded/${f}`));
  await assertLossLikeCli(page, llama, 'Shards downloaded load like one file.');  // the one-file checkpoint's numbers
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a link to a model on another site fetches nothing until the visitor says yes, and nothing if they say no', async () => {
  other.server.requests.length = 0;
  const link = `${other.base}model/`;
  const page = await openPage(env, `#model=${encodeURIComponent(link)}`);
  await page.waitForSelector('#confirm:not([hidden])');
  const question = await page.textContent('#confirm-text');
  assert.match(question, /another site, 127\.0\.0\.1:\d+/);
  await drawn(page, 'attention');  // the shipped model meanwhile
  assert.match(await page.textContent('#model-status'), /tiny-gpt2: GPT-2 \(GPT2LMHeadModel\), 4 layers/);
  assert.deepEqual(other.server.requests, [], 'no request before the answer');
  await shot(page, 'attack-remote-link-question');
  await page.click('#confirm-no');
  await page.waitForTimeout(500);
  assert.deepEqual(other.server.requests, [], 'no request after a no');
  assert.ok(!(await cachedUrls(page)).some((u) => u.startsWith(other.base)), 'nothing cached');
  await page.close();

  const yes = await openPage(env, `#model=${encodeURIComponent(link)}`);
  await yes.waitForSelector('#confirm:not([hidden])');
  await yes.click('#confirm-yes');
  // then the weights' size, asked whatever it is for a model on another site
  await yes.waitForFunction(() => /model\.safetensors from 127\.0\.0\.1:\d+ is [\d.]+ MB\. Download it\?/.test(document.querySelector('#confirm-text').textContent) &&
    !document.querySelector('#confirm').hidden);
  assert.deepEqual(other.server.requests.filter((u) => u !== '/model/model.safetensors').sort(), ['/model/config.json', '/model/merges.txt', '/model/tokenizer.json', '/model/vocab.json']);
  await yes.click('#confirm-yes');
  await yes.waitForFunction(() => /127\.0\.0\.1:\d+\/model\/: GPT-2 \(GPT2LMHeadModel\), 2 layers/.test(document.querySelector('#model-status').textContent));
  // kept in Cache Storage, as the visitor said yes (written once the model has loaded)
  await yes.waitForFunction(async (url) => (await (await caches.open('attnlab-checkpoints-v1')).keys()).some((r) => r.url === url),
    `${link}model.safetensors`);
  await yes.close();
});

test('a download over 100 MB waits for a yes that shows its size; a no ends it and keeps nothing', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await page.fill('#remote-input', `${other.base}big/`);
  await page.click('#remote-form button');
  await page.waitForSelector('#confirm:not([hidden])');
  assert.match(await page.textContent('#confirm-text'), /model\.safetensors from 127\.0\.0\.1:\d+ is 200 MB\. Download it\?/);
  await shot(page, 'attack-large-download-question');
  await page.click('#confirm-no');
  assert.match(await shownError(page), /model\.safetensors: not downloaded, as you chose[\s\S]*The page keeps tiny-gpt2/);
  assert.ok(!(await cachedUrls(page)).some((u) => u.startsWith(other.base)), 'nothing cached');
  await page.click('[role=tab][data-view=heads]');
  await drawn(page, 'heads');
  await page.close();
});

test('a model a link names on this site loads without a question, and is not kept in Cache Storage', async () => {
  const page = await openPage(env, `#model=${encodeURIComponent('./models/tiny-gpt2/')}&view=heads`);
  await drawn(page, 'heads');
  assert.match(await page.textContent('#model-status'), /\.\/models\/tiny-gpt2\/: GPT-2 \(GPT2LMHeadModel\), 4 layers/);
  assert.equal(await page.isHidden('#confirm'), true);
  assert.deepEqual(await cachedUrls(page), []);
  await page.close();
});

test('links to plain-http, private, link-local and protocol-relative addresses are refused without a request', async () => {
  for (const [link, why] of [
    ['http://169.254.169.254/latest/', /private or link-local address \(169\.254\.169\.254\)/],
    ['https://192.168.1.1/model/', /private or link-local address/],
    ['http://example.com/model/', /uses plain http; use https/],
    ['//example.com/model/', /protocol-relative address/],
    ['not a model!!', /neither a Hugging Face id/],
  ]) {
    const page = await openPage(env, `#model=${encodeURIComponent(link)}`);
    const requests = [];
    page.on('request', (r) => { if (!r.url().startsWith(env.address)) requests.push(r.url()); });
    const message = await shownError(page);
    assert.match(message, why, link);
    assert.match(message, /Showing the shipped model instead/);
    await drawn(page, 'attention');
    assert.deepEqual(requests, [], `${link}: nothing fetched from elsewhere`);
    await page.close();
  }
});

test('a 1 GiB config.json is refused from its declared size before the download, and the page goes on working', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const start = Date.now();
  await page.fill('#remote-input', `${other.base}huge/`);
  await page.click('#remote-form button');
  assert.match(await shownError(page), /config\.json is 1\.00 GiB; this page takes at most 256\.0 MiB/);
  assert.ok(Date.now() - start < 10000, 'refused at once, not after the download');
  await page.click('[role=tab][data-view=heads]');
  await drawn(page, 'heads');
  await page.close();
});

test('a 300 MiB config.json from the file picker is refused before it is read, and the heap does not grow', async () => {
  const dir = copyModel(model);
  truncateSync(join(dir, 'config.json'), 300 * 2 ** 20);  // sparse: 300 MiB of zeros
  const page = await openPage(env);
  await drawn(page, 'attention');
  const before = await heap(page);
  await page.setInputFiles('#file-input', files(dir));
  assert.match(await shownError(page), /config\.json is 300\.0 MiB; this page takes at most 256\.0 MiB/);
  assert.equal((await heap(page)).bytes, before.bytes);
  await page.click('[role=tab][data-view=heads]');
  await drawn(page, 'heads');
  await page.close();
});

test('a request that cannot be handed to the worker fails alone, and the next one runs', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const failed = await page.evaluate(() => globalThis.attnlabWorker.call('tokenize', { text: () => 'not cloneable' }).then(() => 'resolved', (e) => e.message));
  assert.match(failed, /could not hand the tokenize request to the worker: .*could not be cloned/);
  const next = await page.evaluate(() => globalThis.attnlabWorker.call('tokenize', { text: 'still here' }));
  assert.equal(next.tokens.length, 2);
  await page.click('[role=tab][data-view=heads]');
  await drawn(page, 'heads');
  await page.close();
});

test('a 1.4 MB text is refused by its token count with the heap unchanged; a text near the cap runs with the heap within 256 MiB of its size after loading', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await page.click('[role=tab][data-view=selectivity]');
  await drawn(page, 'selectivity');
  const loaded = await heap(page);
  await page.fill('#text', longText(1400000));
  await page.click('#analyse-button');
  assert.match(await shownError(page), /the text is [\d,]+ tokens; the page analyses at most 32,768/);
  const afterRefusal = await heap(page);
  console.log(`# 1.4 MB text refused: heap ${(loaded.bytes / 2 ** 20).toFixed(0)} -> ${(afterRefusal.bytes / 2 ** 20).toFixed(0)} MiB`);
  assert.ok(afterRefusal.bytes - loaded.bytes <= 64 * 2 ** 20, 'tokenizing it grows the heap by at most 64 MiB');
  // just under the cap: the text's own selectivity (the button switches the view from the held-out sample)
  await page.fill('#text', longText(100000));
  await page.click('#analyse-button');
  await drawn(page, 'selectivity', 300000);
  await page.click('#figures figure .figure-action');
  await page.waitForFunction(() => /sample=text/.test(location.hash));
  await drawn(page, 'selectivity', 300000);
  const tokens = await page.textContent('#token-count');
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  await page.waitForTimeout(1000);  // the recycle check runs once the view has drawn
  const afterRun = await heap(page);
  console.log(`# ${tokens} through selectivity: heap ${(loaded.bytes / 2 ** 20).toFixed(0)} -> ${(afterRun.bytes / 2 ** 20).toFixed(0)} MiB (in use ${(afterRun.used / 2 ** 20).toFixed(1)} MiB)`);
  assert.ok(afterRun.bytes - loaded.bytes <= 256 * 2 ** 20, 'the heap stays within 256 MiB of its size after loading');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('NaN weights: every view says which head went non-finite, clears the old figures, and the page keeps working', async () => {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  data.writeFloatLE(NaN, header['h.1.attn.c_attn.weight'].data_offsets[0]);
  writeSafetensors(dir, header, data);
  const page = await openPage(env);
  await drawn(page, 'attention');
  await page.setInputFiles('#file-input', files(dir));
  await page.waitForFunction(() => /local: model\.safetensors/.test(document.querySelector('#model-status').textContent));
  for (const view of VIEWS) {
    await page.click(`[role=tab][data-view=${view}]`);
    await page.waitForFunction((v) => document.body.dataset.view === v && document.body.dataset.state === 'ready', view, { timeout: 120000 });
    const message = await shownError(page);
    assert.match(message, /non-finite values \(NaN or infinity\) in layer 1 head 0's attention scores/, view);
    assert.doesNotMatch(message, /internal error|bad options/, view);
    assert.equal(await page.locator('#figures figure').count(), 0, `${view}: no figure of another view is left`);
  }
  await shot(page, 'attack-nan-weights');
  await page.click('#shipped-button');
  await page.waitForFunction(() => /^Model: tiny-gpt2/.test(document.querySelector('#model-status').textContent));
  await drawn(page, 'hardmax');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('control characters in the text survive every export of the attention view: valid SVG, a PNG, quoted CSV', async () => {
  const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');
  const text = `Before ${controls} after\r, and "quoted".`;
  const page = await openPage(env, `#model=tiny-gpt2&text=${encodeURIComponent(text)}&view=attention`);
  await drawn(page, 'attention');
  for (const figure of await page.locator('#figures figure').all()) {
    const got = await exportsOf(page, figure);
    const svg = got.SVG.toString('utf8');
    const parsed = await page.evaluate((s) => new DOMParser().parseFromString(s, 'image/svg+xml').querySelector('parsererror')?.textContent ?? null, svg);
    assert.equal(parsed, null, 'the SVG is well-formed XML');
    assert.doesNotMatch(svg, /[\x00-\x08\x0b\x0c\x0e-\x1f]/, 'no raw control character');
    // the figures that show the text's tokens (all but the predictions, whose tokens are the model's)
    if (!(await figure.getAttribute('data-name')).startsWith('predictions')) assert.match(svg, /\u2401/, 'U+0001 shown as its control picture');
    assert.deepEqual([...got.PNG.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const csv = got.CSV.toString('utf8');
    // the provenance lines: each a "# key: value" line, the text as a JSON string that reads back exactly
    const preamble = csv.split('\n').filter((l) => l.startsWith('# '));
    assert.equal(JSON.parse(preamble.find((l) => l.startsWith('# text: ')).slice('# text: '.length)), text);
    for (const line of preamble) assert.doesNotMatch(line, /[\x00-\x08\x0b-\x1f]/, `a raw control character in ${JSON.stringify(line)}`);
    for (const line of csv.split('\n').filter((l) => !l.startsWith('# ')).slice(1, -1)) {
      // every record's unquoted parts hold no bare carriage return
      assert.doesNotMatch(line.replace(/"(?:[^"]|"")*"/g, ''), /\r/, line);
    }
    assert.ok(JSON.parse(got.JSON.toString('utf8')));
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});
