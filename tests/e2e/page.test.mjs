// The page in Chromium: opens on the shipped model and draws every view; loads a local checkpoint through
// the file input; shows clear errors for bad checkpoints and keeps working; keeps its state in the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyModel, makeModel, shardCheckpoint } from '../cli/helpers.mjs';
import { assertLossLikeCli, drawn, exportsOf, openPage, readoutOverTitle, shot, startBrowser } from './browser.mjs';
import { assertExportsMatch } from './export-check.mjs';

let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

const VIEWS = { attention: 5, allheads: 1, heads: 1, selectivity: 2, topk: 2, sensitivity: 5, paper: 6, normalisers: 1, conditioning: 6, constant: 1, papa: 2, hardmax: 1, lookup: 1 };
const files = (dir) => ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'].map((f) => join(dir, f));

test('the page opens on the shipped model and every view draws', async () => {
  const page = await openPage(env);
  const start = Date.now();
  await drawn(page, 'attention');
  console.log(`# first plot drawn ${Date.now() - start} ms after opening`);
  // the status line in plain words; the loader's conversion notes only in its tooltip
  const status = await page.textContent('#model-status');
  assert.match(status, /^Model: tiny-gpt2: GPT-2 \(GPT2LMHeadModel\), 4 layers × 8 heads, 128 channels, context 256, 7\.3 M parameters, weights kept in F16 \(13\.9 MiB\)\. Running on \d+ threads?\.$/);
  assert.match(await page.getAttribute('#model-status', 'title'), /keeps \d+ weights in F16/);
  for (const [view, count] of Object.entries(VIEWS)) {
    await page.click(`[role=tab][data-view=${view}]`);
    await drawn(page, view);
    assert.equal(await page.locator('#figures figure svg').count(), count, `${view}: figures`);
    for (const caption of await page.locator('#figures figcaption').allTextContents()) assert.ok(caption.length > 60, `${view}: caption`);
    // every title names the temperature (the one used, a sweep, or T = 1 whatever the control says) and fits its figure
    const titles = await page.evaluate(() => [...document.querySelectorAll('#figures figure > svg')].map((svg) => {
      const t = svg.querySelector('.plot-title'), b = t.getBBox();
      return { text: t.textContent, left: b.x, right: b.x + b.width, width: svg.viewBox.baseVal.width };
    }));
    const note = ['attention', 'allheads', 'heads', 'selectivity', 'topk', 'normalisers'].includes(view) ? /\(T = 1\)$/
      : ['sensitivity', 'paper'].includes(view) ? /\(T swept\)$/ : /\(computed at T = 1\)$/;
    for (const t of titles) {
      assert.match(t.text, note, `${view}: ${t.text}`);
      assert.ok(t.left >= 0 && t.right <= t.width, `${view}: the title "${t.text}" runs from ${t.left} to ${t.right} in a figure ${t.width} wide`);
    }
    // every legend line lies inside its figure
    const legends = await page.evaluate(() => [...document.querySelectorAll('#figures figure > svg .legend text')].map((t) => {
      const b = t.getBBox();
      return { text: t.textContent, right: b.x + b.width, bottom: b.y + b.height, width: t.ownerSVGElement.viewBox.baseVal.width,
        height: t.ownerSVGElement.viewBox.baseVal.height };
    }));
    for (const l of legends) assert.ok(l.right <= l.width + 1 && l.bottom <= l.height, `${view}: legend "${l.text}" leaves its figure`);
    assert.deepEqual(await readoutOverTitle(page), [], `${view}: a readout over a title`);
    // every figure's PNG export matches it on the page
    await assertExportsMatch(page, 'light');
    if (view === 'paper') {
      // every verdict names the model it was measured on, and the view offers GPT-2 124M, which the paper measured
      for (const finding of await page.locator('#figures .finding').allTextContents()) assert.match(finding, /tiny-gpt2/);
      assert.match(await page.textContent('#figures .figure-action'), /openai-community\/gpt2/);
    }
    if (view === 'constant' || view === 'papa') {
      // held out by default, as PAPA evaluates: the shipped averages over the training text, the page's text held out
      assert.match(await page.textContent('#figures figcaption'), /tiny-gpt2's training text, .* never saw/);
    }
    if (view === 'selectivity') {
      // per-N curves over the shipped held-out sample in log bins, with their row counts: thousands of rows per layer
      const finding = await page.textContent('#figures .finding');
      const total = Number(/, ([\d,]+) in all\./.exec(finding)[1].replace(/,/g, ''));
      assert.ok(total >= 1000, finding);
      assert.match(await page.textContent('#figures figcaption'), /held out from tiny-gpt2's training\), pooled over 12 log-spaced bins/);
    }
    if (view === 'topk') {
      // the head's top-k mass over the held-out sample in log bins: thousands of rows for k = 1
      const finding = await page.locator('#figures .finding').nth(1).textContent();
      assert.ok(Number(/Rows in all: k = 1: ([\d,]+)/.exec(finding)[1].replace(/,/g, '')) >= 1000, finding);
      assert.match(await page.locator('#figures figcaption').nth(1).textContent(), /the page's English sample .* pooled over 12 log-spaced bins/);
    }
    if (view === 'paper') {
      // the distance figures over the held-out sample in overlapping windows: at least 1,000 rows per layer
      const caption = await page.textContent('#figures figcaption');
      assert.match(caption, /Rows from the page's English sample .*windows of up to 256 tokens, one every 64/);
      assert.ok(Number(/per layer \(([\d,]+) in all\)/.exec(caption)[1].replace(/,/g, '')) >= 1000, caption);
    }
    if (view === 'lookup') assert.match(await page.textContent('#figures .finding'), /^Every read was exact: n = \d+: (\d+) of \1 reads/);
    await shot(page, `view-${view}`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the attention map names its tokens, reads any cell on hover and from the keyboard, and shows a clicked query\'s row', async () => {
  const text = 'The cat sat on the mat.';  // The | cat | sat | on | the | mat | .
  const page = await openPage(env, `#model=tiny-gpt2&text=${encodeURIComponent(text)}&layer=0&head=0&view=attention`);
  await drawn(page, 'attention');
  const map = page.locator('#figures figure').first();
  const labels = await map.locator('.tick-label').allTextContents();
  for (const token of ['The', '·cat', '·sat', '·mat', '.']) assert.ok(labels.includes(token), `label ${token} in ${labels}`);
  // the exact weight of the cell 'mat' (5) -> 'cat' (1), from the worker's own attention rows
  const weight = await page.evaluate(async (t) => {
    const a = await globalThis.attnlabWorker.call('attention', { text: t, layer: 0, head: 0, temperature: 1 });
    return a.probs[5 * a.tokens + 1];
  }, text);
  await map.locator('[aria-label="\'·mat\' (5) → \'·cat\' (1): ' + weight.toFixed(3) + '"]').hover();
  assert.equal(await map.locator('.readout').textContent(), `'·mat' (5) → '·cat' (1): ${weight.toFixed(3)}`);
  // keyboard: focus a cell, its readout shows
  await map.locator('[aria-label^="\'·sat\' (2) → \'The\' (0):"]').focus();
  assert.match(await map.locator('.readout').textContent(), /^'·sat' \(2\) → 'The' \(0\): \d\.\d{3}$/);
  // the row below is the last token's until a query is clicked; clicking the query label '·cat' shows its row
  assert.match(await page.locator('#figures figure').nth(1).locator('.plot-title').textContent(), /Where '\.' \(6\) looks/);
  await map.locator('.row-link', { hasText: '·cat' }).click();
  await page.waitForFunction(() => /Where '·cat' \(1\) looks/.test(document.querySelectorAll('#figures figure')[1]?.textContent ?? ''));
  assert.match(page.url(), /q=1/);
  assert.equal(await page.locator('#figures figure[data-name^="attention-row"] .bar').count(), 2);
  await shot(page, 'attention-row');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the attention map and the predictions at its query come from one forward pass; another head reruns the map alone, another query the predictions alone', async () => {
  const text = 'The cat sat on the mat.';  // The | cat | sat | on | the | mat | .
  const page = await openPage(env, `#model=tiny-gpt2&text=${encodeURIComponent(text)}&layer=0&head=0&view=attention`);
  await drawn(page, 'attention');
  const runs = async () => (await page.evaluate(() => globalThis.attnlabWorker.call('stats'))).executed.attention ?? 0;
  const finding = () => page.textContent('#figures figure[data-name^="predictions"] .finding');
  assert.equal(await runs(), 1, 'one pass for the map and the predictions');
  assert.match(await page.textContent('#figures figure[data-name^="predictions"]'), /What the model predicts after '\.' \(6\)/);
  await page.selectOption('#head', '3');
  await page.waitForFunction(() => /layer 0 head 3/i.test(document.querySelector('#figures figcaption')?.textContent ?? ''));
  await page.waitForSelector('body[data-state=ready]');
  assert.equal(await runs(), 2, 'the predictions do not depend on the head: the map alone runs again');
  await page.locator('#figures figure').first().locator('.row-link', { hasText: '·cat' }).click();
  await page.waitForFunction(() => /What the model predicts after '·cat' \(1\)/.test(document.querySelector('#figures figure[data-name^="predictions"]')?.textContent ?? ''));
  await page.waitForSelector('body[data-state=ready]');
  assert.equal(await runs(), 3, 'the map of head 3 is at hand: the predictions at the new query alone run');
  // the figure's numbers are those of a pass that asks for the predictions alone (the page's earlier way)
  const alone = await page.evaluate(async (t) => {
    const a = await globalThis.attnlabWorker.call('attention', { text: t, layer: null, temperature: 1, top_k: 10, top_rows: [1] });
    return { prob: a.next_prob[1], rank: a.next_rank[1], top: a.top_probs[10] };
  }, text);
  const shown = await finding();
  assert.ok(shown.includes(`has probability ${alone.prob.toFixed(3)} (rank ${alone.rank.toLocaleString('en')} of the vocabulary)`), shown);
  assert.ok(shown.includes(`at ${alone.top.toFixed(3)}.`), shown);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('with no head in the link, the attention map opens on the most selective head: the lowest mean normalised entropy, recomputed from its rows', async () => {
  const text = 'The cat sat on the mat. The dog sat on the log.';
  const page = await openPage(env, `#model=tiny-gpt2&text=${encodeURIComponent(text)}&view=attention`);
  await drawn(page, 'attention');
  const [layer, head] = ['layer', 'head'].map((k) => Number(new URLSearchParams(new URL(page.url()).hash.slice(1)).get(k)));
  // every head's mean of H / log N over its rows with N >= 2, from the worker's attention rows
  const means = await page.evaluate(async (t) => {
    const out = [];
    for (let l = 0; l < 4; l++)
      for (let h = 0; h < 8; h++) {
        const a = await globalThis.attnlabWorker.call('attention', { text: t, layer: l, head: h, temperature: 1 });
        let sum = 0;
        for (let i = 1; i < a.tokens; i++) {
          let H = 0;
          for (let j = 0; j <= i; j++) { const p = a.probs[i * a.tokens + j]; if (p > 0) H -= p * Math.log(p); }
          sum += H / Math.log(i + 1);
        }
        out.push({ l, h, mean: sum / (a.tokens - 1) });
      }
    return out;
  }, text);
  const best = means.reduce((b, m) => (m.mean < b.mean ? m : b));
  assert.deepEqual([layer, head], [best.l, best.h], `opened on ${layer}:${head}; lowest entropy ${JSON.stringify(best)}`);
  assert.equal(await page.inputValue('#layer'), String(best.l));
  assert.match(await page.textContent('#status-note'), new RegExp(`Opened on layer ${best.l} head ${best.h}, the most selective head`));
  assert.match(await page.textContent('#figures figcaption'), new RegExp(`layer ${best.l} head ${best.h}`, 'i'));
  // a head the visitor picks stays picked
  await page.selectOption('#head', String((best.h + 1) % 8));
  await page.waitForFunction((h) => new URL(location.href).hash.includes(`head=${h}`), (best.h + 1) % 8);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a long text\'s attention map thins its token labels and reads cells from the keyboard', async () => {
  const page = await openPage(env);  // the default text: 112 tokens, drawn as an image
  await drawn(page, 'attention');
  const map = page.locator('#figures figure').first();
  const rowLabels = await map.locator('.row-link').count();
  assert.ok(rowLabels >= 20 && rowLabels < 112, `${rowLabels} row labels`);
  await map.locator('.heat-surface').focus();
  await page.keyboard.press('ArrowRight');
  assert.match(await map.locator('.readout').textContent(), /^'\.' \(111\) → '·attention' \(1\): \d\.\d{3}$/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the head map and the line plots give a hover readout, and legend entries switch series off and on', async () => {
  const page = await openPage(env, '#model=tiny-gpt2&text=Hello%20world%2C%20hello%20again&view=heads');
  await drawn(page, 'heads');
  await page.hover('[aria-label^="layer 1 head 3:"]');
  assert.match(await page.locator('#figures .readout').first().textContent(), /^layer 1 head 3: \d\.\d{3}$/);
  await page.click('[role=tab][data-view=selectivity]');
  await drawn(page, 'selectivity');
  const plot = page.locator('#figures figure svg').first();
  await plot.scrollIntoViewIfNeeded();  // below the fold of the test's viewport since the model menu has eight entries
  const box = await plot.locator('.plot-surface').boundingBox();
  await page.mouse.move(box.x + 2, box.y + box.height / 2);  // the left edge: the smallest N's points
  // a binned point reads as its bin: the range of N, the median, the quartiles and the rows behind it
  assert.match(await plot.locator('.readout').textContent(), /^layer \d: N = \d: median \d\.\d{3}, quartiles \d\.\d{3} to \d\.\d{3}, [\d,]+ rows$/);
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);  // the right edge: the longest readout, the last bin's
  assert.match(await plot.locator('.readout').textContent(), /N = \d+-\d+: median/);
  // the readout has a line of its own: its box never meets the title's
  const [readout, title] = [await plot.locator('.readout').boundingBox(), await plot.locator('.plot-title').boundingBox()];
  assert.ok(readout.y >= title.y + title.height || readout.y + readout.height <= title.y || readout.x >= title.x + title.width ||
    readout.x + readout.width <= title.x, `readout ${JSON.stringify(readout)} over title ${JSON.stringify(title)}`);
  // a legend entry hides its series, and the readout then skips it
  const entry = plot.locator('.legend-entry.toggle').first();
  const name = await entry.textContent();
  await entry.click();
  assert.equal(await entry.getAttribute('aria-checked'), 'false');
  assert.equal(await plot.locator('g.series').first().getAttribute('visibility'), 'hidden');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  assert.ok(!(await plot.locator('.readout').textContent()).startsWith(`${name}:`));
  await entry.press('Enter');
  assert.equal(await plot.locator('g.series').first().getAttribute('visibility'), 'visible');
  assert.deepEqual(page.problems, []);
  await page.close();
});

// Opens the sensitivity view (16 temperatures, forward and backward: seconds in wasm) and waits until it computes.
async function startSensitivity(page) {
  await page.click('[role=tab][data-view=sensitivity]');
  await page.waitForFunction(() => /Sensitivity.*temperature 1 of 16/.test(document.querySelector('#progress-label').textContent));
}
const cancelled = (page) => page.waitForFunction(() => /Cancelled/.test(document.querySelector('#status-note').textContent));

test('a long analysis shows its progress and can be cancelled; the page then works as before', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await startSensitivity(page);
  // while it computes, the attention view's figures are gone from under the sensitivity tab
  assert.equal(await page.locator('#figures figure').count(), 0);
  assert.match(await page.textContent('#figures .placeholder'), /Computing the .*ensitivity.* view/);
  await page.click('#cancel-button');
  await cancelled(page);
  assert.equal(await page.locator('#figures figure').count(), 0);
  assert.match(await page.textContent('#figures .placeholder'), /was cancelled before it was drawn/);
  assert.ok(await page.locator('#progress-row').isHidden());
  assert.ok(await page.locator('#error').isHidden());
  await shot(page, 'cancelled');
  // the fresh worker holds the same model: another view draws, and the cancelled analysis runs when asked again
  await page.click('[role=tab][data-view=heads]');
  await drawn(page, 'heads');
  assert.match(await page.textContent('#model-status'), /tiny-gpt2: GPT-2 \(GPT2LMHeadModel\), 4 layers × 8 heads/);
  await page.click('[role=tab][data-view=sensitivity]');
  await drawn(page, 'sensitivity');
  assert.equal(await page.locator('#figures figure svg').count(), 5);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a second cancel while the first one reloads the model joins it: the page keeps its model and works as before', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await startSensitivity(page);
  // both clicks in one turn: the second comes while the first one's reload holds the model's bytes in the new worker
  await page.evaluate(() => { const b = document.querySelector('#cancel-button'); b.click(); b.click(); });
  await cancelled(page);
  assert.ok(await page.locator('#error').isHidden(), await page.textContent('#error'));
  await page.click('[role=tab][data-view=heads]');
  await drawn(page, 'heads');
  assert.match(await page.textContent('#model-status'), /tiny-gpt2/);
  // and once more afterwards: the kept bytes are whole
  await startSensitivity(page);
  await page.click('#cancel-button');
  await cancelled(page);
  await page.click('[role=tab][data-view=selectivity]');
  await drawn(page, 'selectivity');
  assert.ok(await page.locator('#error').isHidden(), await page.textContent('#error'));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('crossing the phone width redraws the figures at the phone\'s width, and back; its tab strip keeps the chosen tab in sight', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const width = () => page.evaluate(() => Number(document.querySelector('#figures figure:last-of-type svg').getAttribute('width')));
  const wide = await width();
  assert.ok(wide > 360, `desktop width ${wide}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => Number(document.querySelector('body[data-state=ready] #figures figure:last-of-type svg')?.getAttribute('width')) <= 360);
  // the phone's tab strip scrolls sideways: a view picked through the link (not by a click, which would scroll the
  // tab in itself) gets its tab scrolled into sight
  const inSight = () => page.evaluate(() => {
    const strip = document.querySelector('#tabs').getBoundingClientRect();
    const tab = document.querySelector('[role=tab][aria-selected=true]').getBoundingClientRect();
    return tab.left >= strip.left - 1 && tab.right <= strip.right + 1;
  });
  await page.evaluate(() => { location.hash = location.hash.replace(/view=[a-z]+/, 'view=lookup'); });
  await drawn(page, 'lookup');
  await page.waitForFunction(() => document.querySelector('#tabs').scrollLeft > 0);
  assert.ok(await inSight(), 'the Memory lookup tab is out of sight in the phone\'s tab strip');
  await page.evaluate(() => { location.hash = location.hash.replace(/view=[a-z]+/, 'view=attention'); });
  await drawn(page, 'attention');
  await page.waitForFunction(() => document.querySelector('#tabs').scrollLeft === 0);
  assert.ok(await inSight(), 'the Attention tab is out of sight in the phone\'s tab strip');
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.waitForFunction((w) => Number(document.querySelector('body[data-state=ready] #figures figure:last-of-type svg')?.getAttribute('width')) === w, wide);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the model menu offers pre-trained models of every family with their download sizes, and says which this browser keeps', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const menu = () => page.locator('#model-menu button').allTextContents();
  const others = ['SmolLM2 135M (Llama) (≈ 269 MB download)', 'Pythia 70M (GPT-NeoX) (≈ 141 MB download)',
    'Pythia 160M (GPT-NeoX) (≈ 325 MB download)', 'TinyStories 33M (GPT-Neo) (≈ 274 MB download)', 'Qwen2.5 0.5B (Qwen2) (≈ 988 MB download)'];
  assert.deepEqual(await menu(), ['GPT-2 124M (548 MB download)', 'DistilGPT2 82M (353 MB download)', 'GPT-2 medium 355M (1.52 GB download)', ...others]);
  // a cached copy of DistilGPT2's weights (as a finished download leaves it) is reported after a reload
  await page.evaluate(async () => {
    const cache = await caches.open('attnlab-checkpoints-v1');
    await cache.put('https://huggingface.co/distilgpt2/resolve/main/model.safetensors', new Response(new Uint8Array(8)));
  });
  await page.reload();
  await drawn(page, 'attention');
  assert.deepEqual(await menu(), ['GPT-2 124M (548 MB download)', 'DistilGPT2 82M (in this browser\'s cache)', 'GPT-2 medium 355M (1.52 GB download)', ...others]);
  await page.evaluate(() => caches.delete('attnlab-checkpoints-v1'));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the held-out sample\'s curves are computed once: a new text in the box does not run them again', async () => {
  const page = await openPage(env, '#model=tiny-gpt2&text=The%20cat%20sat%20on%20the%20mat.&view=selectivity');
  await drawn(page, 'selectivity');
  const runs = async () => (await page.evaluate(() => globalThis.attnlabWorker.call('stats'))).executed.selectivity ?? 0;
  const before = await runs();
  assert.equal(before, 1, 'the sample\'s run only: the view does not need the text\'s selectivity');
  const finding = await page.textContent('#figures .finding');
  await page.fill('#text', 'A different text, typed after the curves were drawn.');
  await page.click('#analyse-button');
  await page.waitForFunction(() => document.querySelector('#token-count').textContent === '11 tokens');
  await drawn(page, 'selectivity');
  assert.equal(await runs(), before);
  assert.equal(await page.textContent('#figures .finding'), finding);
  // the text in the box, on request, is one run of its own
  await page.click('#figures .figure-action');
  await page.waitForFunction(() => /the text in the box/.test(document.querySelector('#figures figcaption')?.textContent ?? ''));
  assert.equal(await runs(), before + 1);
  assert.match(page.url(), /sample=text/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

// The verdicts of the selectivity view, per layer: { 'H / log N': ['falls', ...], 'N_eff / N': [...] }
async function selectivityVerdicts(page) {
  const findings = await page.locator('#figures .finding').allTextContents();
  return findings.map((f) => [...f.matchAll(/layer (\d+) (falls|flat|rises|too few rows)/g)].map((m) => m[2]));
}

test('the selectivity verdict agrees in direction on the held-out sample and on a 600-token paragraph of the same kind of text', async () => {
  // tests/e2e/held-out-paragraph.txt: 640 tokens of the Debian FAQ between two of the sample's chunks (the sample's
  // source, never in the shipped model's training text)
  const paragraph = readFileSync(new URL('./held-out-paragraph.txt', import.meta.url), 'utf8');
  const page = await openPage(env, `#model=tiny-gpt2&text=${encodeURIComponent(paragraph)}&view=selectivity`);
  await drawn(page, 'selectivity');
  const onSample = await selectivityVerdicts(page);
  await page.click('#figures .figure-action');  // the text in the box instead
  await page.waitForFunction(() => /the text in the box/.test(document.querySelector('#figures figcaption')?.textContent ?? ''));
  const onText = await selectivityVerdicts(page);
  const finding = await page.textContent('#figures .finding');
  assert.match(finding, /ρ = -?\d\.\d\d, 95% interval/);
  assert.equal(onSample.length, 2);
  let agreeing = 0;
  onSample.forEach((layers, f) => {
    assert.equal(layers.length, 4, `figure ${f}: a verdict per layer`);
    layers.forEach((v, l) => {
      const w = onText[f][l];
      assert.ok(!(v === 'falls' && w === 'rises') && !(v === 'rises' && w === 'falls'), `figure ${f} layer ${l}: ${v} on the sample, ${w} on the text`);
      if (v === w && (v === 'falls' || v === 'rises')) agreeing++;
    });
  });
  assert.ok(agreeing >= 4, `layers with the same direction on both: ${agreeing} (${JSON.stringify({ onSample, onText })})`);
  // a text too short for four bins (N = 2, 3, 4) says so rather than guessing
  await page.fill('#text', 'The cat sat.');
  await page.click('#analyse-button');
  await page.waitForFunction(() => /too few rows/.test(document.querySelector('#figures .finding')?.textContent ?? ''));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the progressive replacement view switches to in-sample averages on request, and the URL keeps the choice', async () => {
  const page = await openPage(env, '#model=tiny-gpt2&text=The%20earth%20was%20without%20form%2C%20and%20void%3B%20and%20darkness%20was%20upon%20the%20face%20of%20the%20deep.&view=papa');
  await drawn(page, 'papa');
  await page.click('#figures .figure-action');
  await page.waitForFunction(() => /in-sample/.test(document.querySelector('#figures figcaption')?.textContent ?? ''));
  assert.match(page.url(), /averages=text/);
  assert.match(await page.textContent('#figures .figure-action'), /training-text averages/);
  await shot(page, 'view-papa-in-sample');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the dark scheme and the embed mode draw too', async () => {
  const page = await openPage(env, '?embed=1#model=tiny-gpt2&text=The%20earth%20was%20without%20form&view=heads', { colorScheme: 'dark' });
  await drawn(page, 'heads');
  assert.equal(await page.isVisible('header'), false);
  assert.equal(await page.isVisible('#text'), false);
  await shot(page, 'embed-dark-heads');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a head-map cell opens that head, by mouse and by keyboard', async () => {
  const page = await openPage(env, '#model=tiny-gpt2&text=Hello%20world%2C%20hello%20again&view=heads');
  await drawn(page, 'heads');
  await page.click('[aria-label^="layer 2 head 5:"]');
  await drawn(page, 'attention');
  assert.match(page.url(), /layer=2&head=5&view=attention/);
  await page.click('[role=tab][data-view=heads]');
  await drawn(page, 'heads');
  await page.focus('[aria-label^="layer 1 head 3:"]');
  await page.keyboard.press('Enter');
  await drawn(page, 'attention');
  assert.match(page.url(), /layer=1&head=3/);
  await page.close();
});

test('the URL state round-trips: controls follow the hash and a reload restores the view', async () => {
  const text = 'And God said, Let there be light: and there was light.';
  const page = await openPage(env, `#model=tiny-gpt2&text=${encodeURIComponent(text)}&layer=3&head=6&view=topk&t=0.5`);
  await drawn(page, 'topk');
  assert.equal(await page.inputValue('#text'), text);
  assert.equal(await page.inputValue('#layer'), '3');
  assert.equal(await page.inputValue('#head'), '6');
  assert.equal(await page.inputValue('#temperature'), '0.5');
  await page.selectOption('#head', '2');
  await drawn(page, 'topk');
  const url = page.url();
  assert.match(url, /head=2/);
  await page.reload();
  await drawn(page, 'topk');
  assert.equal(page.url(), url);
  assert.equal(await page.inputValue('#head'), '2');
  assert.match(await page.textContent('#figures'), /layer 3 head 2/);
  await page.close();
});

test('a local checkpoint loads through the file input, and every view draws within its 32-token context', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await page.setInputFiles('#file-input', files(makeModel()));
  await page.waitForFunction(() => /local: model\.safetensors: GPT-2 \(GPT2LMHeadModel\), 2 layers × 2 heads/.test(document.querySelector('#model-status').textContent));
  await drawn(page, 'attention');
  assert.equal(await page.locator('#layer option').count(), 2);
  await shot(page, 'local-checkpoint');
  // the page's default window sizes (sensitivity: 128 tokens) must shrink to a shorter context
  for (const view of Object.keys(VIEWS)) {
    await page.click(`[role=tab][data-view=${view}]`);
    await drawn(page, view);
    assert.ok(await page.locator('#error').isHidden(), `${view}: ${await page.textContent('#error')}`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('every view draws on a SmolLM2-shaped (Llama: 9 heads sharing 3 key/value heads) and a Pythia-shaped (GPT-NeoX) checkpoint', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const shapes = [
    ['Llama \\(LlamaForCausalLM\\), 2 layers × 9 heads \\(3 key/value heads\\), 72 channels',
      ['--family', 'llama', '--heads', '9', '--kv-heads', '3', '--embd', '72', '--inner', '192', '--rope-theta', '100000']],
    ['GPT-NeoX \\(GPTNeoXForCausalLM\\), 2 layers × 4 heads, 64 channels', ['--family', 'gpt-neox', '--heads', '4', '--embd', '64']],
  ];
  for (const [status, flags] of shapes) {
    await page.setInputFiles('#file-input', files(makeModel(flags)));
    await page.waitForFunction((s) => new RegExp(`local: model\\.safetensors: ${s}`).test(document.querySelector('#model-status').textContent), status);
    for (const view of Object.keys(VIEWS)) {
      await page.click(`[role=tab][data-view=${view}]`);
      await drawn(page, view);
      assert.ok(await page.locator('#error').isHidden(), `${flags[1]} ${view}: ${await page.textContent('#error')}`);
      assert.ok(await page.locator('#figures figure svg').count() >= 1, `${flags[1]} ${view}: figures`);
      // the captions name what differs from GPT-2 where a view reads K or V itself (heads sharing them), and only there
      const first = await page.textContent('#figures figure figcaption');
      const shared = ['paper', 'hardmax'].includes(view) && flags[1] === 'llama';
      assert.equal(/each 3 consecutive heads \(0-2, 3-5, …\) share one key\/value head/.test(first), shared, `${flags[1]} ${view}: ${first}`);
      assert.doesNotMatch(first, /are local|without GPT-2's 1\/√d/, `${flags[1]} ${view}`);
    }
    await shot(page, `family-${flags[1]}`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('on a GPT-Neo-shaped checkpoint the captions say which layers are local and that its scores are unscaled', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await page.setInputFiles('#file-input', files(makeModel(['--family', 'gpt-neo', '--heads', '4', '--embd', '32', '--window', '4'])));
  await page.waitForFunction(() => /local: model\.safetensors: GPT-Neo \(GPTNeoForCausalLM\), 2 layers × 4 heads/.test(document.querySelector('#model-status').textContent));
  const expected = {
    selectivity: [/Layer 1 is local: a row sees only its last 4 keys, and N counts those, min\(i \+ 1, 4\)\./, /GPT-Neo's scores are q·k without GPT-2's 1\/√d/],
    paper: [/Layer 1 is local: a row sees only its last 4 keys, so there rows longer than 4 are left out\./, /without GPT-2's 1\/√d/],
    hardmax: [/Layer 1 is local: a row sees only its last 4 keys; there the hull, its directions and the best score are over those keys\./],
    constant: [/Layer 1 is local: a row sees only its last 4 keys \(weights before them are 0\)\./],
  };
  for (const [view, patterns] of Object.entries(expected)) {
    await page.click(`[role=tab][data-view=${view}]`);
    await drawn(page, view);
    assert.ok(await page.locator('#error').isHidden(), `${view}: ${await page.textContent('#error')}`);
    const caption = await page.textContent('#figures figure figcaption');
    for (const p of patterns) assert.match(caption, p, view);
    if (view === 'hardmax' || view === 'constant') assert.doesNotMatch(caption, /1\/√d/, `${view} runs at T = 1 whatever the scale`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a sharded checkpoint folder (an index and two shards) loads through the folder input with the one file\'s numbers', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const one = makeModel(['--family', 'llama', '--heads', '4', '--kv-heads', '2', '--embd', '32']);
  const two = copyModel(one);
  shardCheckpoint(two);
  await page.setInputFiles('#folder-input', two);
  await page.waitForFunction(() => /local: model: Llama \(LlamaForCausalLM\), 2 layers × 4 heads \(2 key\/value heads\)/.test(document.querySelector('#model-status').textContent));
  await assertLossLikeCli(page, one, 'Shards load like one file.');  // the one-file checkpoint's numbers
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a checkpoint folder loads through the folder input', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const dir = makeModel();
  await page.setInputFiles('#folder-input', dir);
  await page.waitForFunction(() => /local: model: GPT-2 \(GPT2LMHeadModel\), 2 layers × 2 heads/.test(document.querySelector('#model-status').textContent));
  await drawn(page, 'attention');
  assert.deepEqual(page.problems, []);
  await page.close();
});

async function expectLoadError(dir, pattern, name) {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await page.setInputFiles('#file-input', files(dir));
  await page.waitForSelector('#error:not([hidden])');
  const message = await page.textContent('#error');
  assert.match(message, pattern);
  assert.match(message, /The page keeps tiny-gpt2/);
  await shot(page, name);
  assert.ok(await page.locator('#error').isVisible(), 'the error line is still there, so the screenshot shows it');
  // still working on the shipped model
  assert.match(await page.textContent('#model-status'), /tiny-gpt2/);
  await page.click('[role=tab][data-view=selectivity]');
  await drawn(page, 'selectivity');
  assert.deepEqual(page.problems, []);
  await page.close();
}

// A copy of a random checkpoint whose model.safetensors lost its last 1000 bytes.
function truncatedCheckpoint() {
  const dir = copyModel(makeModel());
  const bytes = readFileSync(join(dir, 'model.safetensors'));
  writeFileSync(join(dir, 'model.safetensors'), bytes.subarray(0, bytes.length - 1000));
  return dir;
}

test('a corrupted weights file shows a clear error and the page keeps working', async () => {
  await expectLoadError(truncatedCheckpoint(), /model\.safetensors/, 'error-corrupted');
});

test('a load the worker refuses gives the bytes that were moved to it back with its error', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  const got = await page.evaluate(async () => {
    const { WorkerClient } = await import('./worker-client.js');
    const client = new WorkerClient(new URL('./worker.js', location.href));
    const weights = new Uint8Array(4096).map((_, i) => i % 251).buffer;  // not a safetensors file
    const config = new TextEncoder().encode('{"model_type": "gpt2"}').buffer;
    try {
      await client.call('load', { files: { 'config.json': config, 'model.safetensors': weights }, options: {} }, null, [config, weights]);
      return { loaded: true };
    } catch (e) {
      const back = e.returned ? new Uint8Array(e.returned['model.safetensors']) : null;
      return { message: e.message, moved: weights.byteLength === 0, back: back && [back.length, back.every((v, i) => v === i % 251)],
        config: e.returned ? new TextDecoder().decode(e.returned['config.json']) : null };
    } finally {
      client.worker.terminate();
    }
  });
  assert.equal(got.loaded, undefined);
  assert.ok(got.message.length > 0);
  assert.ok(got.moved, 'the weights were moved to the worker, not copied');
  assert.deepEqual(got.back, [4096, true]);
  assert.equal(got.config, '{"model_type": "gpt2"}');
  await page.close();
});

test('a checkpoint with the wrong shapes names the tensor and the page keeps working', async () => {
  const dir = copyModel(makeModel());
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  config.n_embd = 32;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  await expectLoadError(dir, /has shape \[\d+(,\d+)*\], expected \[\d+(,\d+)*\]/, 'error-wrong-shape');
});

test('a refused checkpoint\'s error line stays while the layout redraws the figures (the model panel folds for a phone and opens again), and goes once the visitor acts', async () => {
  const page = await openPage(env, '#view=selectivity');
  await drawn(page, 'selectivity');
  await page.setInputFiles('#file-input', files(truncatedCheckpoint()));
  await page.waitForSelector('#error:not([hidden])');
  const message = await page.textContent('#error');
  const wide = await page.$$eval('#figures figure svg', (svgs) => svgs.map((s) => s.getAttribute('width')).join());
  // the phone layout, then the wide one again: each redraws the figures (their widths tell which layout drew them)
  for (const [width, layout] of [[500, 'phone'], [1200, 'wide']]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForFunction(({ wide, phone }) => {
      const widths = [...document.querySelectorAll('#figures figure svg')].map((s) => s.getAttribute('width')).join();
      return document.body.dataset.state === 'ready' && (widths !== wide) === phone;
    }, { wide, phone: layout === 'phone' });
    assert.ok(await page.locator('#error').isVisible(), `the error line stays through the ${layout} layout's redraw`);
    assert.equal(await page.textContent('#error'), message);
    assert.equal(await page.$eval('#model-panel', (d) => d.open), layout === 'wide', 'the phone folds the model panel; the wide screen opens it again');
  }
  await page.click('[role=tab][data-view=heads]');  // the visitor moves on
  await drawn(page, 'heads');
  assert.equal(await page.isHidden('#error'), true);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a link to a local checkpoint opens on the shipped model and says why', async () => {
  const page = await openPage(env, `#model=${encodeURIComponent('local: model.safetensors')}`);
  await drawn(page, 'attention');
  assert.match(await page.textContent('#error'), /local: model\.safetensors was a local checkpoint; open it again with Open folder\. Showing the shipped model\./);
  assert.match(await page.textContent('#model-status'), /tiny-gpt2/);
  await page.close();
});

test('a checkpoint URL loads with progress, and a URL without a checkpoint is refused clearly', async () => {
  const page = await openPage(env);
  await drawn(page, 'attention');
  await page.fill('#remote-input', `${env.address}nothing-here/`);
  await page.click('#remote-form button');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /config\.json: .* answered HTTP 404/);
  await page.fill('#remote-input', `${env.address}models/tiny-gpt2/`);
  await page.click('#remote-form button');
  await page.waitForFunction(() => /models\/tiny-gpt2\/: GPT-2 \(GPT2LMHeadModel\), 4 layers/.test(document.querySelector('#model-status').textContent));
  await drawn(page, 'attention');
  assert.match(page.url(), /model=http/);
  const cached = await page.evaluate(async () => (await (await caches.open('attnlab-checkpoints-v1')).keys()).map((r) => r.url));
  for (const f of ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'])
    assert.ok(cached.includes(`${env.address}models/tiny-gpt2/${f}`), `${f} kept in Cache Storage`);
  await page.close();
});

test('every figure exports as SVG, PNG, CSV and JSON, and the data files say what they were measured on', async () => {
  const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  const page = await openPage(env, '#model=tiny-gpt2&text=In%20the%20beginning%20was%20the%20word&view=selectivity&t=0.5');
  await drawn(page, 'selectivity');
  const got = await exportsOf(page, page.locator('#figures figure').first());
  assert.match(got.SVG.toString('utf8'), /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<path/);
  assert.deepEqual([...got.PNG.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const lines = got.CSV.toString('utf8').trim().split('\n');
  const preamble = lines.filter((l) => l.startsWith('# ')), rows = lines.filter((l) => !l.startsWith('# '));
  assert.match(rows[0], /^N_from,N_to,layer0_rows,layer0_q1,layer0_median,layer0_q3/);
  const json = JSON.parse(got.JSON.toString('utf8'));
  assert.equal(rows.length, 1 + json.data.bins.length);
  // the held-out sample at T = 0.5, with the version, the model and its window
  assert.equal(json.provenance.attnlab, version);
  assert.equal(json.provenance.model, 'tiny-gpt2');
  assert.equal(json.provenance.temperature, 0.5);
  assert.match(json.provenance.text_source, /held-out sample/);
  assert.match(json.provenance.window, /at most 256 tokens/);
  assert.ok(preamble.includes(`# attnlab: ${version}`) && preamble.includes('# temperature: 0.5'), preamble.join('\n'));
  // the text in the box: its text and token ids (as the worker's tokenizer gives them)
  await page.click('#figures .figure-action');
  await page.waitForFunction(() => /the text in the box/.test(document.querySelector('#figures figcaption')?.textContent ?? ''));
  const own = JSON.parse((await exportsOf(page, page.locator('#figures figure').first(), ['JSON'])).JSON.toString('utf8')).provenance;
  const ids = (await page.evaluate(() => globalThis.attnlabWorker.call('tokenize', { text: 'In the beginning was the word' }))).ids;
  assert.ok(ids.every(Number.isInteger), `token ids: ${ids}`);
  assert.equal(own.text, 'In the beginning was the word');
  assert.deepEqual(own.token_ids, ids);
  // a view that does not use the temperature says so
  await page.click('[role=tab][data-view=conditioning]');
  await drawn(page, 'conditioning');
  const conditioning = (await exportsOf(page, page.locator('#figures figure').first(), ['CSV'])).CSV.toString('utf8');
  assert.match(conditioning, /^# temperature: not used: computed at T = 1$/m);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the embed code is an iframe of the current view in embed mode, and it opens compact', async () => {
  const page = await openPage(env, '#model=tiny-gpt2&text=Let%20there%20be%20light&layer=1&head=4&view=selectivity');
  await drawn(page, 'selectivity');
  await page.click('#embed-button');
  await page.waitForSelector('#embed-code:not([hidden])');
  const code = await page.inputValue('#embed-code');
  const src = code.match(/^<iframe src="([^"]+)" title="attnlab: selectivity view of tiny-gpt2"/)[1]
    .replace(/&quot;/g, '"').replace(/&amp;/g, '&');  // the attribute as HTML escapes it
  assert.match(src, /\?embed=1#model=tiny-gpt2&text=Let\+there\+be\+light&layer=1&head=4&view=selectivity$/);
  const embed = await openPage(env, src.slice(env.address.length));
  await drawn(embed, 'selectivity');
  assert.equal(await embed.isVisible('#tabs'), false);
  await embed.close();
  await page.close();
});
