// The page's wasm heap against the length of the text (issue 32): loads a checkpoint into the built page in
// Chromium, runs the selectivity view on the text in the box at growing lengths, and prints the heap after each.
// Run after `npm run build`:
//   node scripts/experiments/page_memory.mjs [CHECKPOINT_DIR] [--tokens 2000,30000]
// Without a folder it measures the shipped model; `attnlab make-random --out DIR --layers 12 --heads 12 --embd 768
// --ctx 1024` writes a GPT-2 124M-shaped one.
import { join } from 'node:path';
import { drawn, longText, openPage, startBrowser } from '../../tests/e2e/browser.mjs';

const args = process.argv.slice(2);
const dir = args[0] && !args[0].startsWith('--') ? args[0] : null;
const at = args.indexOf('--tokens');
const targets = (at >= 0 ? args[at + 1] : '2000,30000').split(',').map(Number);

const env = await startBrowser();
try {
  const page = await openPage(env);
  await drawn(page, 'attention');
  if (dir) {
    await page.setInputFiles('#file-input', ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'].map((f) => join(dir, f)));
    await page.waitForFunction(() => /local: /.test(document.querySelector('#model-status').textContent), null, { timeout: 300000 });
    await drawn(page, 'attention', 300000);
  }
  await page.click('[role=tab][data-view=selectivity]');
  await drawn(page, 'selectivity', 600000);
  const heap = async () => page.evaluate(() => globalThis.attnlabWorker.call('memory'));
  const mib = (b) => (b / 2 ** 20).toFixed(0);
  console.log((await page.textContent('#model-status')).replace(/ Running on .*/, ''));
  console.log(`heap after loading: ${mib((await heap()).bytes)} MiB`);
  for (const tokens of targets) {
    const start = Date.now();
    await page.fill('#text', longText(Math.round(tokens * 3.4)));
    await page.click('#analyse-button');
    await drawn(page, 'selectivity', 1800000);
    if (!/sample=text/.test(page.url())) {
      await page.click('#figures figure .figure-action');  // the text in the box, not the held-out sample
      await page.waitForFunction(() => /sample=text/.test(location.hash));
    }
    await drawn(page, 'selectivity', 1800000);
    const h = await heap();
    console.log(`${await page.textContent('#token-count')}: heap ${mib(h.bytes)} MiB (in use ${mib(h.used)} MiB), ${((Date.now() - start) / 1000).toFixed(0)} s`);
  }
  await page.close();
} finally {
  await env.close();
}
