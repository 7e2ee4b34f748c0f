// The shipped model's averaged attention (PAPA's constant matrices) and the page's held-out sample, rebuilt from the
// training corpus by scripts/shipped-averages.sh (about 40 s on two threads): the shipped files must be exactly
// what the script writes. Apart from the model's quality test, so that ctest runs the two side by side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repo, tempDir } from '../cli/helpers.mjs';

const model = join(repo, 'models', 'tiny-gpt2');

test('its shipped averaged attention and the page\'s held-out sample are what scripts/shipped-averages.sh rebuilds, byte for byte', () => {
  const out = join(tempDir(), 'averages.safetensors');
  execFileSync('bash', [join(repo, 'scripts', 'shipped-averages.sh'), out], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600000 });
  assert.ok(readFileSync(out).equals(readFileSync(join(model, 'constant_attention.safetensors'))));
  assert.ok(readFileSync(join(dirname(out), 'held-out-sample.txt')).equals(readFileSync(join(model, 'held-out-sample.txt'))));
});
