// Regression tests of the shipped model, models/tiny-gpt2, on held-out modern English: the Debian FAQ and the GNU
// standards, sources none of whose text is in its training corpus (both rebuilt from Debian's packages by
// scripts/corpus.sh), against a unigram fitted on its training split. It must stay a real, trained GPT-2.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { attnlab, repo } from '../cli/helpers.mjs';

const model = join(repo, 'models', 'tiny-gpt2');
let report;
before(() => {
  execFileSync('bash', [join(repo, 'scripts', 'corpus.sh')], { stdio: 'inherit' });
  // a full pass over 144k held-out tokens: about two minutes alone, longer beside other tests
  const corpus = join(repo, 'build', 'corpus', 'modern');
  const r = attnlab(['eval', '--model', model, '--corpus', join(corpus, 'train.txt'), '--val-corpus', join(corpus, 'heldout.txt'),
    '--val-fraction', '0'], { timeout: 1200000 });
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

test('on held-out modern English its loss is at least 1.5 nats below the training split\'s unigram', () => {
  assert.ok(report.val_tokens > 100000, `only ${report.val_tokens} held-out tokens`);
  assert.ok(report.below_unigram >= 1.5, `only ${report.below_unigram} nats below the unigram baseline`);
});

test('its layer-0 heads have learned to look back locally: the strongest previous-token head is far above uniform attention', () => {
  // uniform causal attention over 256-token windows puts (1/256)(H(256) - 1) = 0.020 on the previous token
  const best = report.previous_token_heads[0];
  assert.ok(best.score > 0.1, `strongest previous-token head ${best.layer}:${best.head} scores only ${best.score}`);
});

test('the model card states the figures eval measures', () => {
  const card = readFileSync(join(model, 'README.md'), 'utf8');
  const best = report.previous_token_heads[0];
  for (const [what, value] of [['held-out loss', report.val_loss], ['unigram loss', report.unigram_val_loss],
    ['below the unigram', report.below_unigram], ['previous-token score', best.score], ['induction gain', report.induction.gain],
    ['induction gain on seen tokens', report.induction_seen_tokens.gain]])
    assert.ok(card.includes(value.toFixed(3)), `${what} ${value.toFixed(3)}`);
  assert.ok(card.includes(`layer ${best.layer} head ${best.head}`), `head ${best.layer}:${best.head}`);
});

test('the model card says of each aim whether eval finds it reached', () => {
  const card = readFileSync(join(model, 'README.md'), 'utf8');
  const row = (label) => {
    const line = card.split('\n').find((l) => l.startsWith(`| ${label} |`));
    assert.ok(line, `no card row "${label}"`);
    return line;
  };
  const aims = [
    ['below the unigram on held-out text', report.below_unigram >= 1.5],
    ['previous-token heads above 0.5', report.previous_token_heads.filter((h) => h.score > 0.5).length >= 2],
    ['induction gain on seen tokens', report.induction_seen_tokens.gain >= 1],
  ];
  for (const [label, reached] of aims) {
    const line = row(label);
    assert.equal(/\bnot reached\b/.test(line), !reached, `${label}: ${line}`);
    assert.ok(/\breached\b/.test(line), `${label} says neither reached nor not reached: ${line}`);
  }
});
