// attnlab analyze: the JSON fields the README documents, windows for long texts, and bad input.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { attnlab, makeModel, tempDir } from './helpers.mjs';

let model;
before(() => { model = makeModel(); });  // 2 layers, 2 heads, context 32

const text = 'Selectivity fades towards uniform as more tokens compete for the attention of one head.';

test('selectivity reports per-layer bands against N, the head map, per-head summaries and details', () => {
  const r = attnlab(['analyze', 'selectivity', '--model', model, '--text', text, '--k', '1,4', '--heads', '1:1']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.equal(j.analysis, 'selectivity');
  assert.deepEqual(j.k, [1, 4]);
  assert.equal(j.windowed, false);
  assert.equal(j.layers.length, 2);
  assert.equal(j.layers[0].entropy_norm.median.length, j.positions);
  assert.equal(j.layers[0].entropy_norm.median[0], null);  // N = 1 has no normalised entropy
  assert.equal(j.head_map.length, 2);
  assert.equal(j.head_map[0].length, 2);
  assert.equal(j.heads.length, 4);
  for (const h of j.heads) {
    assert.ok(h.entropy_norm > 0 && h.entropy_norm <= 1 + 1e-9);
    assert.equal(h.mass.length, 2);
    assert.ok(h.mass[1] >= h.mass[0]);
    assert.ok(h.bound_mass[0] <= h.mass[0] + 1e-6, 'mass is at least the bound of its margin');
  }
  assert.equal(j.details.length, 1);
  assert.equal(j.details[0].mass_by_n.length, 2);
});

test('selectivity analyses a text longer than the context in windows and says so', () => {
  const long = 'word '.repeat(70);  // 71 tokens, context 32
  const r = attnlab(['analyze', 'selectivity', '--model', model, '--text', long]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.windowed, true);
  assert.deepEqual(r.json.windows.map((w) => w.length), [32, 32, 7]);
  assert.equal(r.json.tokens, 71);
  const small = attnlab(['analyze', 'selectivity', '--model', model, '--text', long, '--max-tokens', '16']);
  assert.equal(small.json.windows.length, 5);
});

test('sensitivity sweeps log-spaced temperatures and reports the reference bounds', () => {
  const r = attnlab(['analyze', 'sensitivity', '--model', model, '--text', text, '--temperatures', '0.1:10:3']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.equal(j.temperatures.length, 3);
  assert.ok(Math.abs(j.temperatures[1] - 1) < 1e-9);
  assert.deepEqual(j.bounds.jacobian_spectral_exact.map((x) => +x.toFixed(9)), [5, 0.5, 0.05]);
  assert.deepEqual(j.bounds.paper_lemma_diagonal.map((x) => +x.toFixed(9)), [2.5, 0.25, 0.025]);
  for (const layer of j.layers) {
    for (let t = 0; t < 3; t++) assert.ok(layer.jacobian_spectral.max[t] <= j.bounds.jacobian_spectral_exact[t] + 1e-9);
    for (let t = 0; t < 3; t++) assert.ok(layer.lemma_diagonal_max[t] <= j.bounds.paper_lemma_diagonal[t] * (1 + 1e-12));
    assert.equal(layer.param_grad_norm.length, 3);
  }
  assert.ok(j.tied_fraction[2] >= j.tied_fraction[0], 'hotter is more tied');
});

test('sensitivity says when it used only the first tokens', () => {
  const r = attnlab(['analyze', 'sensitivity', '--model', model, '--text', text, '--temperatures', '1:1:1', '--max-tokens', '8']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.tokens, 8);
  assert.match(r.json.note, /analysed the first 8 of \d+ tokens/);
});

function fails(args, pattern) {
  const r = attnlab(args);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
}

test('bad analyze arguments are refused clearly', () => {
  fails(['analyze'], /name an analysis/);
  fails(['analyze', 'vibes', '--model', model], /unknown analysis 'vibes'/);
  fails(['analyze', 'selectivity', '--model', model, '--text', text, '--eps', '1.5'], /--eps must be in \(0, 1\)/);
  fails(['analyze', 'selectivity', '--model', model, '--text', text, '--k', '0'], /every --k must be >= 1/);
  fails(['analyze', 'selectivity', '--model', model, '--text', text, '--heads', '9:9'], /--heads: 9:9 is outside this model/);
  fails(['analyze', 'selectivity', '--model', model, '--text', ''], /the text is empty/);
  fails(['analyze', 'sensitivity', '--model', model, '--text', text, '--temperatures', '5'], /FROM:TO:COUNT/);
  fails(['analyze', 'sensitivity', '--model', model, '--text', text, '--temperatures', '0:1:3'], /FROM, TO > 0/);
  fails(['analyze', 'sensitivity', '--model', model, '--text', 'x'], /at least 2 tokens/);
  fails(['analyze', 'sensitivity', '--model', model, '--text', text, '--max-tokens', '999'], /--max-tokens must be an integer in 2..32/);
});

test('analyze paper reports d~, separability and the lemma per layer, over one or more text files, with verdicts naming the model', () => {
  const dir = tempDir();
  const a = join(dir, 'a.txt'), b = join(dir, 'b.txt');
  writeFileSync(a, 'In the beginning God created the heaven and the earth. '.repeat(4));
  writeFileSync(b, 'A hacker is a person who enjoys exploring the details of programmable systems. '.repeat(3));
  const r = attnlab(['analyze', 'paper', '--model', model, '--text-file', a, b, '--top-n', '1,2,4', '--rho', '0.25,0.5',
    '--lengths', '8,16', '--temperatures', '0.01:10:4', '--max-tokens', '16']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.equal(j.analysis, 'paper');
  assert.equal(j.texts, 2);
  assert.deepEqual(j.top_n, [1, 2, 4]);
  assert.deepEqual(j.rho, [0.25, 0.5]);
  assert.deepEqual(j.proportional_n, [[2, 4], [4, 8]]);  // ceil(rho L)
  assert.deepEqual(j.lengths, [8, 16]);
  assert.equal(j.distance.length, 2);  // the test model's layers
  for (const l of j.distance) {
    assert.equal(l.fixed_n.d.median.length, 2);
    assert.equal(l.fixed_n.d.median[0].length, 3);
    for (const row of l.fixed_n.d_over_w.median) for (const v of row) assert.ok(v > 0 && v <= 1);
  }
  for (const l of j.separability) {
    assert.equal(l.fixed_n.median[0][0], 1);  // the top token's weighted point is s itself
    for (const row of l.proportional.median) for (const v of row) assert.ok(v >= 0 && v <= 1);
  }
  const T = j.temperatures;
  j.gradient.bounds.lemma_diagonal.forEach((bound, i) => assert.ok(Math.abs(bound - 1 / (4 * T[i])) < 1e-9));
  for (const l of j.gradient.layers)
    for (const q of ['lemma_diagonal', 'jacobian_spectral'])
      for (let i = 0; i < 4; i++) assert.ok(l.near_bound[q][i] >= 0 && l.saturated[q][i] >= 0 && l.near_bound[q][i] + l.saturated[q][i] <= 1);
  for (const l of j.gradient.layers) for (let i = 0; i < 4; i++) assert.ok(l.top_weight_grad.max[i] <= Math.SQRT2 / (4 * T[i]) + 1e-9);
  assert.equal(j.measured_on.name, basename(model));
  assert.equal(j.measured_on.gpt2_124m, false);
  assert.deepEqual(j.verdicts.map((v) => v.figure), ['distance-proportional', 'distance-fixed-n', 'critical-n', 'separability', 'gradient-lemma']);
  for (const v of j.verdicts) assert.match(v.sentence, new RegExp(`Measured on ${basename(model)}, a .*not GPT-2 124M`));
  assert.equal(j.verdicts[4].verdict, 'no verdict');  // the lemma holds by algebra: nothing a model could fail
});

test('bad paper arguments are refused clearly', () => {
  fails(['analyze', 'paper', '--model', model, '--text', text, '--lengths', '999'], /every length must be in 2\.\./);
  fails(['analyze', 'paper', '--model', model, '--text', text, '--top-n', '0'], /top-n must be >= 1/);
  fails(['analyze', 'paper', '--model', model, '--text', text, '--rho', '0.5,x'], /--rho must be a comma-separated list of numbers/);
  fails(['analyze', 'paper', '--model', model, '--text', text, '--rho', '1.5'], /every --rho must be in \(0, 1\)/);
  fails(['analyze', 'paper', '--model', model], /give --text S or --text-file F/);
});

test('selectivity under another normaliser: hard-max rows pick one token, and the report names the normaliser', () => {
  const soft = attnlab(['analyze', 'selectivity', '--model', model, '--text', text]).json;
  const hard = attnlab(['analyze', 'selectivity', '--model', model, '--text', text, '--normaliser', 'hardmax']).json;
  assert.deepEqual(soft.normaliser, { name: 'softmax(T=1)', heads: 'all' });
  assert.deepEqual(hard.normaliser, { name: 'hard-max(T=1)', heads: 'all' });
  for (const h of hard.heads) {
    assert.equal(h.p_max, 1);  // random scores never tie exactly
    assert.equal(h.entropy_norm, 0);
  }
  assert.notEqual(hard.loss, soft.loss);
  const some = attnlab(['analyze', 'selectivity', '--model', model, '--text', text, '--normaliser', 'sparsemax',
    '--normaliser-heads', '1:0']).json;
  assert.deepEqual(some.normaliser, { name: 'sparsemax(T=1)', heads: ['1:0'] });
  const h10 = some.heads.find((h) => h.layer === 1 && h.head === 0), s10 = soft.heads.find((h) => h.layer === 1 && h.head === 0);
  const h00 = some.heads.find((h) => h.layer === 0 && h.head === 0), s00 = soft.heads.find((h) => h.layer === 0 && h.head === 0);
  assert.ok(h10.entropy_norm < s10.entropy_norm);  // sparsemax zeroes weights
  assert.equal(h00.entropy_norm, s00.entropy_norm); // layer 0 is untouched (it comes before the replaced head)
  fails(['analyze', 'selectivity', '--model', model, '--text', text, '--normaliser', 'softermax'], /must be softmax, topk:K, sparsemax, entmax15 or hardmax/);
  fails(['run', '--model', model, '--text', text, '--normaliser', 'topk:2', '--normaliser-heads', '9:0'], /--normaliser-heads/);
});

test('analyze hardmax reports, per head, how often the 2-D hull argmax is the full argmax', () => {
  const r = attnlab(['analyze', 'hardmax', '--model', model, '--text', text]);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.equal(j.analysis, 'hardmax');
  assert.equal(j.heads.length, 4);  // 2 layers x 2 heads
  for (const h of j.heads) {
    assert.equal(h.rows, j.tokens);
    assert.ok(h.agreement > 0 && h.agreement <= 1);
    assert.ok(h.energy_2d > 0 && h.energy_2d <= 1 + 1e-12);
  }
  assert.equal(j.layers.length, 2);
});

test('analyze lookup: the parabolic-key hard-max head reads back every position it stored, up to 10^6, as the scan does', () => {
  const r = attnlab(['analyze', 'lookup', '--model', model, '--text', text, '--max-length', '1000000', '--scan-checks', '20']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.equal(j.analysis, 'lookup');
  assert.deepEqual(j.runs.map((run) => run.length), [j.tokens, 1000, 10000, 100000, 1000000]);
  for (const run of j.runs) {
    assert.equal(run.exact, run.length, `n = ${run.length}`);
    assert.equal(run.scan_checked, Math.min(20, run.length));
    assert.equal(run.scan_agrees, run.scan_checked);
    assert.ok(run.hull_ns_per_step > 0 && run.scan_ns_per_read > 0);
  }
  // the trace: each read's key is the position asked, and its value the token id stored there
  const ids = attnlab(['tokenize', '--model', model, '--text', text]).json.ids;
  assert.equal(j.trace.length, Math.min(16, j.tokens));
  for (const s of j.trace) {
    assert.ok(s.asked <= s.step);
    assert.equal(s.found, s.asked);
    assert.equal(s.value, ids[s.asked]);
  }
  fails(['analyze', 'lookup', '--model', model, '--text', text, '--max-length', '2000000'], /--max-length/);
});

test('analyze conditioning reports kappa before and after row equilibration, and the min diagonal, against length', () => {
  const r = attnlab(['analyze', 'conditioning', '--model', model, '--text', text, '--lengths', '2,8,16']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.equal(j.analysis, 'conditioning');
  assert.deepEqual(j.lengths, [2, 8, 16]);
  assert.match(j.preconditioner, /row equilibration/);
  for (const l of j.layers) {
    for (const v of l.log10_kappa.median) assert.ok(v >= 0);  // kappa >= 1
    for (const v of l.min_diagonal.median) assert.ok(v > 0 && v <= 1);
    assert.equal(l.numerically_singular.length, 3);
  }
  assert.equal(j.heads.length, 4);
  fails(['analyze', 'conditioning', '--model', model, '--text', text, '--lengths', '500'], /every length must be in 1\.\./);
});

// A corpus to average over, a held-out text, and where to save the averages.
function averagingFiles() {
  const dir = tempDir();
  const corpus = join(dir, 'corpus.txt'), evalText = join(dir, 'eval.txt'), avg = join(dir, 'avg.safetensors');
  writeFileSync(corpus, 'In the beginning God created the heaven and the earth. And the earth was without form. '.repeat(12));
  writeFileSync(evalText, 'A hacker is a person who enjoys exploring the details of programmable systems. '.repeat(6));
  return { corpus, evalText, avg };
}

test('analyze constant averages over a corpus, saves the averages, and reuses them for the same report', () => {
  const { corpus, evalText, avg } = averagingFiles();
  const first = attnlab(['analyze', 'constant', '--model', model, '--corpus', corpus, '--eval', evalText, '--out', avg]);
  assert.equal(first.code, 0, first.stderr);
  const j = first.json;
  assert.equal(j.analysis, 'constant');
  assert.ok(j.averaged_windows >= 2);
  assert.ok(j.averaging_tokens_per_second > 0);
  assert.equal(j.layers.length, 2);
  assert.equal(j.heads.length, 4);
  assert.deepEqual(j.heads.map((h) => h.rank_by_cost).sort(), [1, 2, 3, 4]);
  assert.ok(Math.abs(j.all_heads.cost - (j.all_heads.loss - j.baseline.loss)) < 1e-12);
  for (const h of j.heads) assert.ok(Math.abs(h.perplexity - Math.exp(h.loss)) < 1e-9 * h.perplexity);
  const again = attnlab(['analyze', 'constant', '--model', model, '--averages', avg, '--eval', evalText]);
  assert.equal(again.code, 0, again.stderr);
  const { averaging_tokens_per_second: _t, model: _m1, ...a } = j;
  const { model: _m2, ...b } = again.json;
  assert.deepEqual(b, a);
  fails(['analyze', 'constant', '--model', model, '--eval', evalText], /give --corpus F .* or --averages F/);
  fails(['analyze', 'constant', '--model', model, '--averages', evalText, '--eval', evalText], /avg|safetensors|header/);
});

test('analyze papa ranks the heads on windows it never evaluates, draws the curves with intervals, and its last point replaces every head', () => {
  const { corpus, evalText, avg } = averagingFiles();
  const saved = attnlab(['analyze', 'constant', '--model', model, '--corpus', corpus, '--eval', evalText, '--out', avg]);
  assert.equal(saved.code, 0, saved.stderr);
  const r = attnlab(['analyze', 'papa', '--model', model, '--averages', avg, '--eval', evalText, '--points', '3']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.equal(j.analysis, 'papa');
  assert.match(j.protocol, /after PAPA/);
  assert.deepEqual(j.k, [0, 2, 4]);
  const E = j.evaluated.windows;
  assert.ok(E >= 1 && j.ranked_on.windows >= 1);
  assert.equal(j.ranked_on.text, `window${j.ranked_on.windows > 1 ? 's' : ''} ${E + 1}${j.ranked_on.windows > 1 ? `-${E + j.ranked_on.windows}` : ''} of the text, which the evaluation never sees`);
  // the ends are analyze constant's figures on the evaluated windows alone
  const constant = attnlab(['analyze', 'constant', '--model', model, '--averages', avg, '--eval', evalText, '--eval-windows', String(E)]);
  assert.equal(constant.code, 0, constant.stderr);
  for (const order of [j.by_cost, j.by_constancy]) {
    assert.equal(order.loss.length, 3);
    assert.equal(order.order.length, 4);
    assert.ok(Math.abs(order.loss[0] - constant.json.baseline.loss) < 1e-12);
    assert.ok(Math.abs(order.loss[2] - constant.json.all_heads.loss) < 1e-9);
    order.relative_perplexity_increase.forEach((v, i) => assert.ok(order.relative_low[i] <= v && v <= order.relative_high[i], `k = ${j.k[i]}`));
  }
  const all = constant.json.all_heads.relative_perplexity_increase;
  assert.ok(Math.abs(all.value - j.by_cost.relative_perplexity_increase[2]) < 1e-9);
  assert.ok(all.low <= all.value && all.value <= all.high);
  fails(['analyze', 'papa', '--model', model, '--eval', evalText], /give --corpus F .* or --averages F/);
  fails(['analyze', 'papa', '--model', model, '--averages', avg, '--eval', evalText, '--points', '-1'], /--points must be >= 0/);
});
