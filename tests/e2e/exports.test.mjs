// Exports look like the page in the dark scheme too (issue 34, item 1): one view of each kind of figure (heat maps
// and the text view, the thumbnails, line plots, a diverging heat map, bars), whose colours come from the same CSS
// variables; page.test.mjs checks every figure of every view in the light scheme (export-check.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertExportsMatch } from './export-check.mjs';
import { drawn, openPage, startBrowser } from './browser.mjs';

let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

test('each kind of figure\'s PNG export matches the figure on the page (dark scheme)', async () => {
  const page = await openPage(env, '', { colorScheme: 'dark' });
  await drawn(page, 'attention');
  for (const view of ['attention', 'allheads', 'sensitivity', 'constant', 'lookup']) {
    await page.click(`[role=tab][data-view=${view}]`);
    await drawn(page, view, 180000);
    await assertExportsMatch(page, 'dark');
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});
