// attnlab train and eval end to end on a tiny configuration: a genuine checkpoint comes out, the run is
// deterministic for a seed and thread count, and bad input is refused.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { attnlab, tempDir } from './helpers.mjs';

let corpus;
before(() => {
  const dir = tempDir();
  corpus = [join(dir, 'a.txt'), join(dir, 'b.txt')];
  const verse = 'And God said, Let there be light: and there was light. And God saw the light, that it was good.\n';
  writeFileSync(corpus[0], verse.repeat(40));
  writeFileSync(corpus[1], 'The quick brown fox jumps over the lazy dog. '.repeat(60));
});

const train = (out, extra = []) => attnlab(['train', '--corpus', ...corpus, '--out', out, '--layers', '1', '--heads', '2',
  '--embd', '16', '--ctx', '32', '--steps', '4', '--batch', '2', '--threads', '2', '--eval-every', '2', '--eval-windows', '2', ...extra]);

test('train writes a checkpoint that run loads, and a training log', () => {
  const out = join(tempDir(), 'model');
  const r = train(out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /step 4\/4 +loss [\d.]+ +\|g\| [\d.]+ +lr [\d.e+-]+ +\d+ tok\/s +elapsed \S+ +left \S+/);
  assert.match(r.stderr, /validation loss/);
  assert.ok(r.json.final_val_loss > 0 && r.json.unigram_val_loss > 0);
  const log = JSON.parse(readFileSync(join(out, 'training_log.json'), 'utf8'));
  assert.equal(log.steps.length, 4);
  assert.equal(log.evals.length, 2);
  assert.equal(log.corpus.length, 2);
  assert.equal(log.train_tokens + log.val_tokens, log.corpus[0].tokens + log.corpus[1].tokens);
  const run = attnlab(['run', '--model', out, '--text', 'And God said']);
  assert.equal(run.code, 0, run.stderr);
});

test('the same seed and thread count give byte-identical weights; another seed does not', () => {
  const a = join(tempDir(), 'a'), b = join(tempDir(), 'b'), c = join(tempDir(), 'c');
  assert.equal(train(a).code, 0);
  assert.equal(train(b).code, 0);
  assert.equal(train(c, ['--seed', '2']).code, 0);
  const bytes = (d) => readFileSync(join(d, 'model.safetensors'));
  assert.ok(bytes(a).equals(bytes(b)));
  assert.ok(!bytes(a).equals(bytes(c)));
});

test('a run stopped and resumed (twice) gives the same weights and log as one that never stopped', () => {
  const whole = join(tempDir(), 'whole'), parts = join(tempDir(), 'parts');
  const flags = ['--steps', '5', '--eval-every', '1'];
  assert.equal(train(whole, flags).code, 0);
  const first = train(parts, [...flags, '--stop-after', '2']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /stopped after step 2 of 5; continue with the same flags and --resume/);
  assert.equal(first.json.steps_done, 2);
  assert.equal(first.json.final_val_loss, undefined);
  const second = train(parts, [...flags, '--resume', '--stop-after', '4']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /resuming at step 2 of 5/);
  const last = train(parts, [...flags, '--resume']);
  assert.equal(last.code, 0, last.stderr);
  const bytes = (d, f) => readFileSync(join(d, f));
  assert.ok(bytes(parts, 'model.safetensors').equals(bytes(whole, 'model.safetensors')), 'weights');
  assert.ok(bytes(parts, 'training_state.safetensors').equals(bytes(whole, 'training_state.safetensors')), 'optimizer state');
  const log = (d) => JSON.parse(readFileSync(join(d, 'training_log.json'), 'utf8'));
  assert.deepEqual(log(parts).steps, log(whole).steps);
  assert.deepEqual(log(parts).evals, log(whole).evals);
  assert.equal(last.json.final_val_loss, log(whole).final_val_loss);
  // the conditioning log: one line per evaluation and step 0, the same but for the times
  const lines = (d) => readFileSync(join(d, 'conditioning_log.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const { train_seconds: _, ...rest } = JSON.parse(l);
    return rest;
  });
  assert.deepEqual(lines(whole).map((l) => l.step), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(lines(parts), lines(whole));
});

test('--attention spectral: W + lambda I in the checkpoint, lambdas and kappa in the logs, and bad flags refused', () => {
  const plain = join(tempDir(), 'plain'), spectral = join(tempDir(), 'spectral');
  assert.equal(train(plain, ['--threads', '1']).code, 0);
  const r = train(spectral, ['--threads', '1', '--attention', 'spectral', '--spectral-lambda', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /step 4 +median log10 kappa of the attention matrices [\d.]+ \(first 3 validation windows\)/);  // 82 validation tokens: 32 + 32 + 18
  const log = JSON.parse(readFileSync(join(spectral, 'training_log.json'), 'utf8'));
  assert.equal(log.options.attention, 'spectral');
  assert.equal(log.spectral_lambdas.length, 3);  // one layer: Q, K, V
  assert.ok(log.spectral_lambdas.every((l) => l > 0.05 && l < 1), String(log.spectral_lambdas));  // sigma_max of 16 x 16 N(0, 0.02^2)
  const kappa = (d) => readFileSync(join(d, 'conditioning_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const [k0, kEnd] = [kappa(spectral)[0], kappa(spectral).at(-1)];
  assert.deepEqual(Object.keys(k0), ['step', 'train_seconds', 'val_loss', 'log10_kappa_q', 'log10_kappa_k', 'log10_kappa_v',
    'attention_log10_kappa', 'attention_log10_kappa_median']);
  // W + lambda I with lambda = sigma_max: kappa far below the plain random matrices'
  for (const b of ['q', 'k', 'v']) assert.ok(k0[`log10_kappa_${b}`][0] < kappa(plain)[0][`log10_kappa_${b}`][0] - 0.5);
  assert.equal(kEnd.step, 4);
  // the checkpoint is a plain GPT-2 that run loads, and its loss is the conditioned model's
  const run = attnlab(['run', '--model', spectral, '--text', 'And God said, Let there be light']);
  assert.equal(run.code, 0, run.stderr);
  for (const [flags, message] of [
    [['--spectral-lambda', '1'], /--spectral-lambda goes with --attention spectral/],
    [['--attention', 'spectral'], /--attention spectral needs --spectral-lambda L/],
    [['--attention', 'linear'], /--attention must be softmax or spectral/],
    [['--attention', 'spectral', '--spectral-lambda', '-1'], /--spectral-lambda must be in \[0, 1000\]/],
  ]) {
    const bad = train(join(tempDir(), 'bad'), flags);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, message);
  }
});

test('--heldout measures the final loss on text kept out of training, over --final-windows windows', () => {
  const dir = tempDir(), out = join(dir, 'model'), heldout = join(dir, 'heldout.txt');
  writeFileSync(heldout, 'A lamp in the dark, and the dark did not put it out. '.repeat(20));
  const r = train(out, ['--heldout', heldout, '--final-windows', '2']);
  assert.equal(r.code, 0, r.stderr);
  const log = JSON.parse(readFileSync(join(out, 'training_log.json'), 'utf8'));
  assert.ok(r.json.final_heldout_loss > 0);
  assert.equal(log.heldout_tokens, 2 * 32);
  const ids = getEncoding('gpt2').encode(readFileSync(heldout, 'utf8'));
  assert.ok(ids.length > 2 * 32);
});

test('resuming with other settings, without a saved state, or past the end is refused with the reason', () => {
  const out = join(tempDir(), 'model');
  const flags = ['--steps', '4', '--stop-after', '2'];
  assert.equal(train(out, flags).code, 0);
  const other = train(out, ['--steps', '4', '--resume', '--seed', '7', '--lr', '0.01']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /saved by a run with other settings \(lr, min_lr, seed\); resume with the same flags and corpus/);
  const missing = train(join(tempDir(), 'none'), ['--steps', '4', '--resume']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /training_state\.safetensors/);
  const done = train(out, ['--steps', '4', '--resume', '--stop-after', '1']);
  assert.equal(done.code, 2);
  assert.match(done.stderr, /already at step 2; --stop-after 1 leaves nothing to do/);
});

test('--dtype F16 stores half-size weights', () => {
  const f32 = join(tempDir(), 'f32'), f16 = join(tempDir(), 'f16');
  train(f32);
  train(f16, ['--dtype', 'F16']);
  const size = (d) => readFileSync(join(d, 'model.safetensors')).length;
  assert.ok(Math.abs(size(f16) / size(f32) - 0.5) < 0.01);
});

test('eval reports validation loss against the unigram baseline, previous-token heads and induction', () => {
  const out = join(tempDir(), 'model');
  train(out);
  const r = attnlab(['eval', '--model', out, '--corpus', ...corpus, '--induction-length', '8', '--trials', '2']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.ok(j.val_loss > 0);
  assert.ok(Math.abs(j.below_unigram - (j.unigram_val_loss - j.val_loss)) < 1e-9);
  assert.equal(j.previous_token_heads.length, 2);
  assert.ok(j.previous_token_heads[0].score >= j.previous_token_heads[1].score);
  assert.equal(j.induction.length, 8);
  assert.ok(Math.abs(j.induction.gain - (j.induction.first_copy_loss - j.induction.second_copy_loss)) < 1e-9);
});

test('--val-corpus keeps whole files for validation: train and eval split there, and the unigram is fitted on the rest', () => {
  const out = join(tempDir(), 'model');
  const r = attnlab(['train', '--corpus', corpus[0], '--val-corpus', corpus[1], '--val-fraction', '0', '--out', out, '--layers', '1',
    '--heads', '2', '--embd', '16', '--ctx', '32', '--steps', '2', '--batch', '2', '--eval-windows', '2']);
  assert.equal(r.code, 0, r.stderr);
  const log = JSON.parse(readFileSync(join(out, 'training_log.json'), 'utf8'));
  assert.deepEqual(log.corpus.map((f) => f.validation), [false, true]);
  assert.equal(log.train_tokens, log.corpus[0].tokens);
  assert.equal(log.val_tokens, log.corpus[1].tokens);
  // the unigram baseline by an independent route: js-tiktoken's GPT-2 tokens, add-alpha over the vocabulary
  const enc = getEncoding('gpt2');
  const trainIds = enc.encode(readFileSync(corpus[0], 'utf8')), valIds = enc.encode(readFileSync(corpus[1], 'utf8'));
  assert.equal(log.val_tokens, valIds.length);
  const counts = new Map();
  for (const t of trainIds) counts.set(t, (counts.get(t) ?? 0) + 1);
  const unigram = Math.min(...[1, 0.1, 0.01, 0.001, 0.0001].map((alpha) => {
    const total = trainIds.length + alpha * 50257;
    return -valIds.reduce((s, t) => s + Math.log(((counts.get(t) ?? 0) + alpha) / total), 0) / valIds.length;
  }));
  assert.ok(Math.abs(log.unigram_val_loss - unigram) < 1e-9, `${log.unigram_val_loss} vs ${unigram}`);
  const e = attnlab(['eval', '--model', out, '--corpus', corpus[0], '--val-corpus', corpus[1], '--val-fraction', '0',
    '--induction-length', '8', '--trials', '2']);
  assert.equal(e.code, 0, e.stderr);
  assert.ok(Math.abs(e.json.unigram_val_loss - unigram) < 1e-9);
});

test('each evaluation logs the strongest previous-token head, as eval finds it on the same windows', () => {
  const out = join(tempDir(), 'model');
  // evaluations over every validation window, so the last one sees what eval sees on the final weights
  const r = train(out, ['--eval-windows', '1000', '--repeat-fraction', '0.5', '--echo-fraction', '0.25', '--mimetic-qk', '0.1',
    '--sinusoidal-positions', '0.1', '--offset-heads', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /step 4 +validation loss [\d.]+, strongest previous-token head \d+:\d+ [\d.]+/);
  const log = JSON.parse(readFileSync(join(out, 'training_log.json'), 'utf8'));
  assert.equal(log.options.repeat_fraction, 0.5);
  assert.equal(log.options.echo_fraction, 0.25);
  assert.ok(Math.abs(log.options.mimetic_qk - 0.1) < 1e-7);  // stored as a float
  assert.equal(log.options.offset_heads, 2);
  const [step, , score, layer, head] = log.evals.at(-1);
  assert.equal(step, 4);
  const e = attnlab(['eval', '--model', out, '--corpus', ...corpus, '--induction-length', '4', '--trials', '1']);
  assert.equal(e.code, 0, e.stderr);
  const best = e.json.previous_token_heads[0];
  assert.deepEqual([layer, head], [best.layer, best.head]);
  assert.ok(Math.abs(score - best.score) < 1e-9, `${score} vs ${best.score}`);
});

test('train refuses a missing corpus, one too short for a window, and bad options', () => {
  const fails = (args, pattern) => {
    const r = attnlab(args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
  };
  const out = join(tempDir(), 'm');
  const base = ['--out', out, '--layers', '1', '--heads', '2', '--embd', '16', '--ctx', '32', '--steps', '2'];
  fails(['train', ...base], /--corpus is required/);
  fails(['train', '--corpus', '/nonexistent.txt', ...base], /\/nonexistent\.txt: cannot open/);
  const tiny = join(tempDir(), 'tiny.txt');
  writeFileSync(tiny, 'too short');
  fails(['train', '--corpus', tiny, ...base], /fewer than one window/);
  fails(['train', '--corpus', ...corpus, ...base, '--lr', '-1'], /--lr must be > 0/);
  fails(['train', '--corpus', ...corpus, ...base, '--val-fraction', '1'], /--val-fraction must be in \[0, 1\)/);
  fails(['train', '--corpus', ...corpus, ...base, '--dtype', 'F8'], /--dtype must be F32, F16 or BF16/);
  fails(['train', '--corpus', ...corpus, ...base, '--seq-len', '64'], /--seq-len must be an integer in 2..32/);
  fails(['train', '--corpus', ...corpus, ...base, '--repeat-fraction', '1.5'], /--repeat-fraction must be in \[0, 1\]/);
  fails(['train', '--corpus', ...corpus, ...base, '--echo-fraction', '-0.1'], /--echo-fraction must be in \[0, 1\]/);
  fails(['train', '--corpus', ...corpus, ...base, '--mimetic-qk', '-0.1'], /--mimetic-qk must be >= 0/);
  fails(['train', '--corpus', ...corpus, ...base, '--offset-heads', '2'], /--offset-heads reads the position sinusoids: give --sinusoidal-positions/);
  fails(['train', '--corpus', ...corpus, '--out', out, '--layers', '1', '--heads', '2', '--embd', '18', '--ctx', '32', '--steps', '2',
    '--sinusoidal-positions', '0.1', '--offset-heads', '2'], /offset heads need an even head size \(sinusoid pairs\), got 9/);
});
