// The page on every core and on one thread: served cross-origin isolated (COOP/COEP, as npm start serves it)
// it runs the pthreads build on navigator.hardwareConcurrency threads; on a host without those headers its
// service worker adds them (one reload); where that cannot work (service workers blocked, or embedded in
// another site) it runs the single-thread build and says so. Both give the same numbers, bit for bit: the
// core splits its work into the same tasks whatever the number of threads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { drawn, openPage, startBrowser } from './browser.mjs';

let isolated, plain;
before(async () => {
  isolated = await startBrowser({ isolate: true });
  plain = await startBrowser({ isolate: false });
});
after(async () => {
  await isolated.close();
  await plain.close();
});

const TEXT = 'The cat sat on the mat because the mat was warm, and the cat liked the warm mat.';
const CORPUS = 'A dog ran in the park. The park was green and the dog was happy. Then it rained, and everyone went home. '.repeat(3);

// A report without its timings (the only fields that may differ between two runs).
function untimed(value) {
  if (Array.isArray(value)) return value.map(untimed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !/second/.test(k)).map(([k, v]) => [k, untimed(v)]));
}

// The same requests in one page, answered by its worker: a forward pass with every head, and analyses whose
// every number goes through the parallel parts of the core (heads, column blocks of the GEMMs, the logits).
async function results(page) {
  return page.evaluate(async ({ text, corpus }) => {
    const worker = globalThis.attnlabWorker;
    const out = {};
    out.run = await worker.call('run', { text, options: { all_heads: true } });
    for (const name of ['selectivity', 'sensitivity', 'conditioning', 'constant']) {
      const inputs = name === 'constant' ? { text, corpus } : { text };
      out[name] = await worker.call('analyze', { name, inputs, request: {} });
    }
    return out;
  }, { text: TEXT, corpus: CORPUS });
}

test('cross-origin isolated, the page runs on every core and says so', async () => {
  const page = await openPage(isolated);
  await drawn(page, 'attention');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  assert.match(await page.textContent('#model-status'), new RegExp(`Running on ${cores} threads?\\.$`));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('on a host without COOP/COEP, the page isolates itself through its service worker and runs on every core', async () => {
  const page = await openPage(plain);
  await page.waitForFunction(() => crossOriginIsolated && navigator.serviceWorker.controller, null, { timeout: 60000 });
  await drawn(page, 'attention');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.match(await page.textContent('#model-status'), new RegExp(`Running on ${cores} threads?\\.$`));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('without isolation (service workers blocked), the page runs on one thread and says why', async () => {
  const page = await openPage(plain, '', { serviceWorkers: 'block' });
  await drawn(page, 'attention');
  assert.equal(await page.evaluate(() => crossOriginIsolated), false);
  assert.match(await page.textContent('#model-status'), /Running on 1 thread: this page is not cross-origin isolated/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('embedded in another site\'s page, the page runs on one thread and says why', async () => {
  // the host page: about:blank with an iframe of the page served with COOP/COEP (a parent that is not
  // isolated cannot give its frames isolation, whatever headers they have)
  const host = await isolated.browser.newPage();
  await host.setContent(`<iframe src="${isolated.address}?embed=1" width="900" height="700"></iframe>`);
  const frame = await (await host.waitForSelector('iframe')).contentFrame();
  await frame.waitForSelector('body[data-state=ready] #figures figure svg', { timeout: 120000 });
  assert.equal(await frame.evaluate(() => crossOriginIsolated), false);
  assert.match(await frame.textContent('#model-status'), /Running on 1 thread: this page is not cross-origin isolated/);
  await host.close();
});

test('every core and one thread give the same numbers, bit for bit', async () => {
  const pages = [await openPage(isolated), await openPage(plain, '', { serviceWorkers: 'block' })];
  for (const page of pages) await drawn(page, 'attention');
  const [many, one] = [untimed(await results(pages[0])), untimed(await results(pages[1]))];
  assert.ok(Object.keys(many.run.attention).length > 0 && Number.isFinite(many.run.loss), 'the forward pass reported attention rows and a loss');
  assert.notEqual(many.constant.all_heads.cost, 0, 'attention averaged over another text changes the loss');
  for (const key of Object.keys(one)) assert.deepStrictEqual(many[key], one[key], `${key}: the same on every core as on one thread`);
  for (const page of pages) {
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});
