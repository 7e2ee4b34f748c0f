// Regression tests of the shipped model, models/tiny-gpt2, on the validation split of its own corpus
// (rebuilt from Debian's packages by scripts/corpus.sh): it must stay a real, trained GPT-2.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { attnlab, repo, tempDir } from '../cli/helpers.mjs';

const model = join(repo, 'models', 'tiny-gpt2');
let report;
before(() => {
  execFileSync('bash', [join(repo, 'scripts', 'corpus.sh')], { stdio: 'inherit' });
  // a full pass over 78k validation tokens: about a minute alone, longer beside other tests
  const r = attnlab(['eval', '--model', model, '--corpus', join(repo, 'build/corpus/kjv.txt'), join(repo, 'build/corpus/jargon.txt')],
    { timeout: 1200000 });
  assert.equal(r.code, 0, r.stderr);
  report = r.json;
  console.log(JSON.stringify(report));
});

test('the shipped model is a Hugging Face GPT-2 folder in F16 of at most 16 MB', () => {
  const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'));
  assert.equal(config.model_type, 'gpt2');
  assert.equal(config.vocab_size, 50257);
  assert.ok(statSync(join(model, 'model.safetensors')).size <= 16 * 1024 * 1024);
  const st = readFileSync(join(model, 'model.safetensors'));
  const header = JSON.parse(st.subarray(8, 8 + Number(st.readBigUInt64LE(0))).toString('utf8'));
  assert.equal(header['wte.weight'].dtype, 'F16');
});

test('its validation loss is at least 1.5 nats below the unigram baseline', () => {
  assert.ok(report.below_unigram >= 1.5, `only ${report.below_unigram} nats below the unigram baseline`);
});

test('one of its heads puts most of its attention on the previous token', () => {
  const best = report.previous_token_heads[0];
  assert.ok(best.score > 0.5, `strongest previous-token head ${best.layer}:${best.head} scores only ${best.score}`);
});

test('the model card states the figures eval measures', () => {
  const card = readFileSync(join(model, 'README.md'), 'utf8');
  const best = report.previous_token_heads[0];
  for (const [what, value] of [['validation loss', report.val_loss], ['unigram loss', report.unigram_val_loss],
    ['previous-token score', best.score], ['induction gain', report.induction.gain]])
    assert.ok(card.includes(value.toFixed(3)), `${what} ${value.toFixed(3)}`);
  assert.ok(card.includes(`layer ${best.layer} head ${best.head}`), `head ${best.layer}:${best.head}`);
});

test('its shipped averaged attention and the page\'s held-out sample are what scripts/shipped-averages.sh rebuilds, byte for byte', () => {
  const out = join(tempDir(), 'averages.safetensors');
  execFileSync('bash', [join(repo, 'scripts', 'shipped-averages.sh'), out], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600000 });
  assert.ok(readFileSync(out).equals(readFileSync(join(model, 'constant_attention.safetensors'))));
  assert.ok(readFileSync(join(dirname(out), 'held-out-sample.txt')).equals(readFileSync(join(model, 'held-out-sample.txt'))));
});
