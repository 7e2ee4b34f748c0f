// The WebAssembly build gives the same numbers as the native CLI on the same checkpoint and text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attnlab, repo } from '../cli/helpers.mjs';
import { checkpointFiles, compareNumbers, createEngine } from './helpers.mjs';

const model = join(repo, 'models', 'tiny-gpt2');
const text = 'In the beginning God created the heaven and the earth. And the earth was without form, and void; ' +
  'and darkness was upon the face of the deep. The Jargon File says a hacker enjoys exploring the details of ' +
  'programmable systems, as opposed to most users, who prefer to learn only the minimum necessary.';
const engine = await createEngine();
engine.load(checkpointFiles(model));

function native(args) {
  const r = attnlab(args);
  assert.equal(r.code, 0, r.stderr);
  return r.json;
}

function assertSame(actual, expected, options = {}) {
  const diffs = compareNumbers(actual, expected, { skip: ['model'], abs: 1e-6, ...options });
  assert.deepEqual(diffs.slice(0, 10), [], `${diffs.length} numbers differ`);
}

test('tokenize gives the CLI\'s ids and token strings', () => {
  assert.deepEqual(engine.tokenize(text), native(['tokenize', '--model', model, '--text', text]));
});

test('run gives the CLI\'s loss, top logits and attention rows', () => {
  assertSame(engine.run(text, { heads: [[0, 3], [3, 7]] }), native(['run', '--model', model, '--text', text, '--attention', '0:3,3:7']));
  assertSame(engine.run(text, { temperature: 0.5, all_heads: true }),
    native(['run', '--model', model, '--text', text, '--temperature', '0.5', '--attention', 'all']));
});

test('selectivity gives the CLI\'s report, windows and per-head detail included', () => {
  const options = { k: [1, 3, 9], eps: 0.05, max_tokens: 32, temperature: 0.7, heads: [[1, 2]] };
  assertSame(engine.analyze('selectivity', { text }, options), native(['analyze', 'selectivity', '--model', model, '--text', text,
    '--k', '1,3,9', '--eps', '0.05', '--max-tokens', '32', '--temperature', '0.7', '--heads', '1:2']));
});

test('selectivity without the loss (what the page asks for) gives the same figures and a null loss', () => {
  const options = { max_tokens: 32, heads: [[2, 5]] };
  const fast = engine.analyze('selectivity', { text }, { ...options, loss: false });
  assert.equal(fast.loss, null);
  assertSame(fast, native(['analyze', 'selectivity', '--model', model, '--text', text, '--max-tokens', '32', '--heads', '2:5']),
    { skip: ['model', 'loss'] });
});

test('selectivity under entmax-1.5 in two heads gives the CLI\'s report', () => {
  assertSame(engine.analyze('selectivity', { text }, { normaliser: 'entmax15', normaliser_heads: [[1, 2], [3, 0]] }),
    native(['analyze', 'selectivity', '--model', model, '--text', text, '--normaliser', 'entmax15', '--normaliser-heads', '1:2,3:0']));
});

test('sensitivity gives the CLI\'s report at every temperature', () => {
  const wasm = engine.analyze('sensitivity', { text }, { temperatures: '0.1:3:3', max_tokens: 48 });
  const cli = native(['analyze', 'sensitivity', '--model', model, '--text', text, '--temperatures', '0.1:3:3', '--max-tokens', '48']);
  // The finite-difference loss change is a difference of two nearly equal losses (about 1e-6 of them):
  // it is compared against its own scale, the rounding of the losses it comes from (1e-5 x loss).
  const { fd_check: fdWasm, ...restWasm } = wasm;
  const { fd_check: fdCli, ...restCli } = cli;
  // At T = 0.1 the scores are divided by 0.1: a float32 rounding of a score (about 1e-6 of it) moves the
  // saturated softmax, and the Jacobian norms made from it, by about 1e-5 relative, and which of two builds'
  // summation orders is nearer is chance (native with 1 or 2 threads differ by that much): 1e-4 relative.
  assertSame(restWasm, restCli, { rel: 1e-4 });
  assertSame(fdWasm, fdCli, { abs: 1e-5 * Math.max(...cli.loss) });
});

test('the paper measurements give the CLI\'s report, verdict sentences included', () => {
  // T from 0.1: below it a score's float32 rounding, divided by T, moves near-tied rows' figures by about 1e-5
  // relative (see the sensitivity test), enough to change a digit of a verdict sentence
  const options = { top_n: [1, 2, 4, 8], rho: [0.2, 0.5], lengths: [8, 16, 32], delta: 0.3, temperatures: '0.1:10:4' };
  const wasm = engine.analyze('paper', { text, model_name: 'tiny-gpt2' }, options);
  assertSame(wasm, native(['analyze', 'paper', '--model', model, '--text', text, '--top-n', '1,2,4,8', '--rho', '0.2,0.5',
    '--lengths', '8,16,32', '--delta', '0.3', '--temperatures', '0.1:10:4']));
  assert.equal(wasm.verdicts[4].verdict, 'no verdict');
  const cold = engine.analyze('paper', { text }, { ...options, temperatures: '0.01:0.03:3' }).gradient.layers;
  for (const l of cold) for (const share of l.saturated.lemma_diagonal) assert.ok(share >= 0 && share <= 1);
  assert.match(wasm.verdicts[0].sentence, /Measured on tiny-gpt2, a 7\.3 M-parameter model/);
});

// A report without its timings (the memory lookup's ns per step and per read).
const untimed = (report) => JSON.parse(JSON.stringify(report, (key, value) => (/_ns_per_/.test(key) ? undefined : value)));

test('every analysis of the core\'s table gives the CLI\'s report under its default request', async () => {
  const { writeFileSync } = await import('node:fs');
  const { tempDir } = await import('../cli/helpers.mjs');
  const file = join(tempDir(), 'text.txt');
  writeFileSync(file, text);
  const table = engine.describe();
  assert.deepEqual(table.map((a) => a.name), ['selectivity', 'sensitivity', 'paper', 'conditioning', 'constant', 'papa', 'hardmax', 'lookup']);
  for (const a of table) {
    // each input from the text: as --text S for a text, as the file for a file flag; one of each group
    const inputs = { model_name: 'tiny-gpt2' }, flags = [], groups = new Set();
    for (const input of a.inputs) {
      if (input.kind === 'bytes' || (input.group && groups.has(input.group))) continue;
      groups.add(input.group);
      inputs[input.name] = text;
      flags.push(...(input.cli_flag === 'text' ? ['--text', text] : [`--${input.cli_flag}`, file]));
    }
    // the averaging speed and the lookup's times are timings, the figures that cannot agree; the figures at low temperature (the
    // sensitivity sweep and the paper's gradient lemma start at T = 0.05) and the finite-difference check are
    // compared as in the sensitivity test above: a score's float rounding divided by T moves them by ~1e-5
    const { averaging_tokens_per_second: _w, fd_check: fdWasm, ...wasm } = untimed(engine.analyze(a.name, inputs, {}));
    const { averaging_tokens_per_second: _c, fd_check: fdCli, ...cli } = untimed(native(['analyze', a.name, '--model', model, ...flags]));
    assertSame(wasm, cli, a.name === 'sensitivity' || a.name === 'paper' ? { rel: 1e-4 } : {});
    if (fdCli) assertSame(fdWasm, fdCli, { abs: 1e-5 * Math.max(...cli.loss) });
  }
});

// An SVD finds sigma_min of an n x n matrix to within about n u sigma_max (u = 2^-53): kappa itself is known to
// a relative n u kappa only, so near the reported limit (kappa = 1 / (n eps), 1.4e14 at n = 32) two builds'
// last-bit differences move log10 kappa by up to n u kappa / ln 10, and by less than 1e-6 below kappa = 1e8.
const kappaSlack = (n) => (path, a, b) =>
  /\.log10_kappa(_preconditioned)?(\.|\[|$)/.test(path) ? n * 2 ** -53 * 10 ** Math.max(a, b) / Math.LN10 : 0;

test('the hard-max agreement and the conditioning give the CLI\'s reports', () => {
  assertSame(engine.analyze('hardmax', { text }, {}), native(['analyze', 'hardmax', '--model', model, '--text', text]));
  assertSame(engine.analyze('conditioning', { text }, { lengths: [4, 16, 32] }),
    native(['analyze', 'conditioning', '--model', model, '--text', text, '--lengths', '4,16,32']), { slack: kappaSlack(32) });
});

test('constant attention gives the CLI\'s report', async () => {
  const { writeFileSync } = await import('node:fs');
  const { tempDir } = await import('../cli/helpers.mjs');
  const file = join(tempDir(), 'text.txt');
  writeFileSync(file, text);
  const { averaging_tokens_per_second: _t, ...cli } = native(['analyze', 'constant', '--model', model, '--corpus', file, '--eval', file, '--window', '16']);
  const { averaging_tokens_per_second: _w, ...wasm } = engine.analyze('constant', { text, corpus: text }, { window: 16 });
  assertSame(wasm, cli);
});

test('the attention view of a head equals the CLI\'s attention rows', () => {
  const a = engine.attention(text, 2, 5, 1);
  const rows = native(['run', '--model', model, '--text', text, '--attention', '2:5']).attention['2:5'];
  assert.equal(a.tokens, rows.length);
  const full = [];
  rows.forEach((row, i) => { for (let j = 0; j < a.tokens; j++) full.push(j <= i ? row[j] : 0); });
  assertSame(Array.from(a.probs), full);
});

test('on a random checkpoint of each family beyond GPT-2, run and selectivity give the CLI\'s reports', async () => {
  const families = [['llama', ['--kv-heads', '2']], ['qwen2', ['--kv-heads', '1']], ['qwen3', ['--head-dim', '24']],
    ['gpt-neox', []], ['gpt-neo', ['--window', '6', '--std', '0.12']]];  // GPT-Neo's scores are unscaled: smaller weights, heads as sharp as the others'
  const tmp = mkdtempSync(join(tmpdir(), 'attnlab-families-'));
  try {
    for (const [family, flags] of families) {
      const dir = join(tmp, family);
      native(['make-random', '--out', dir, '--family', family, '--layers', '2', '--heads', '4', '--embd', '64', '--inner', '96',
        '--ctx', '64', '--std', '0.25', '--jitter', '0.1', ...flags]);
      const other = await createEngine();
      const info = other.load(checkpointFiles(dir));
      assert.equal(info.architecture, JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).architectures[0]);
      const short = text.slice(0, 200);
      // random weights of 0.25 make sharper heads than a trained model's: the two builds' summation orders (SIMD
      // widths) move a weight by up to 1.4e-5 relative (Llama, T = 0.5), so 1e-4 relative here
      const same = (a, b) => {
        const diffs = compareNumbers(a, b, { skip: ['model'], abs: 1e-6, rel: 1e-4 });
        assert.deepEqual(diffs.slice(0, 10), [], `${family}: ${diffs.length} numbers differ`);
      };
      same(other.run(short, { temperature: 0.5, all_heads: true }),
        native(['run', '--model', dir, '--text', short, '--temperature', '0.5', '--attention', 'all']));
      same(other.analyze('selectivity', { text: short }, { max_tokens: 32 }),
        native(['analyze', 'selectivity', '--model', dir, '--text', short, '--max-tokens', '32']));
      other.unload?.();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
