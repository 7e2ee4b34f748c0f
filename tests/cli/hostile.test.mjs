// Hostile checkpoints through the command line: non-finite weights reach every analysis as one typed error (exit
// 2, never "internal error"), saved averages with NaN are refused, and names read from a checkpoint cannot drive
// the user's terminal.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attnlab, copyModel, makeModel, readSafetensors, tempDir, writeSafetensors } from './helpers.mjs';

let model, texts;
before(() => {
  model = makeModel();
  texts = tempDir();
  writeFileSync(join(texts, 'a.txt'), 'The cat sat on the mat. The dog sat on the log. '.repeat(4));
});

// The model with `value` written over the first float of tensor `name`.
function withValue(name, value) {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  const at = header[name].data_offsets[0];
  data.writeFloatLE(value, at);
  writeSafetensors(dir, header, data);
  return dir;
}

const text = () => join(texts, 'a.txt');
// Every analysis of the core's table, with the inputs each needs (`attnlab help` lists them).
const analyses = (dir) => ({
  selectivity: ['analyze', 'selectivity', '--model', dir, '--text-file', text()],
  sensitivity: ['analyze', 'sensitivity', '--model', dir, '--text-file', text(), '--temperatures', '0.5:2:2'],
  paper: ['analyze', 'paper', '--model', dir, '--text-file', text()],
  conditioning: ['analyze', 'conditioning', '--model', dir, '--text-file', text()],
  constant: ['analyze', 'constant', '--model', dir, '--corpus', text(), '--eval', text()],
  papa: ['analyze', 'papa', '--model', dir, '--corpus', text(), '--eval', text()],
  hardmax: ['analyze', 'hardmax', '--model', dir, '--text-file', text()],
  run: ['run', '--model', dir, '--text', 'The cat sat on the mat.'],
});

test('the list of analyses covers every analysis the CLI offers (lookup runs no model)', () => {
  const offered = [...attnlab(['help']).stdout.matchAll(/^ {4}(\w+) {2,}/gm)].map((m) => m[1]);
  assert.deepEqual(offered.filter((a) => a !== 'lookup').sort(), Object.keys(analyses('x')).filter((a) => a !== 'run').sort());
});

for (const [what, value] of [['a NaN', NaN], ['an infinite', Infinity]]) {
  test(`${what} attention weight: every analysis exits 2 with the forward pass's non-finite error`, () => {
    const dir = withValue('h.1.attn.c_attn.weight', value);
    for (const [name, args] of Object.entries(analyses(dir))) {
      const r = attnlab(args);
      assert.equal(r.code, 2, `${name}: exit ${r.code}; stderr: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error/, name);
      assert.match(r.stderr, /non-finite values \(NaN or infinity\) in layer 1 head 0's attention scores/, name);
      assert.equal(r.stdout, '', name);
    }
  });
}

test('saved averages holding NaN are refused, naming the tensor', () => {
  const out = join(tempDir(), 'averages.safetensors');
  const made = attnlab(['analyze', 'constant', '--model', model, '--corpus', text(), '--eval', text(), '--out', out]);
  assert.equal(made.code, 0, made.stderr);
  const dir = tempDir();
  writeFileSync(join(dir, 'model.safetensors'), readFileSync(out));  // the averages, read back as a safetensors file
  const { header, data } = readSafetensors(dir);
  data.writeFloatLE(NaN, header['h.0.attn.constant'].data_offsets[0] + 4);
  writeSafetensors(dir, header, data);
  const r = attnlab(['analyze', 'papa', '--model', model, '--averages', join(dir, 'model.safetensors'), '--eval', text()]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /tensor h\.0\.attn\.constant holds a weight that is negative, NaN or infinite/);
});

test('a tensor name full of terminal escapes is printed inert in the "ignored" note', () => {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  const evil = '\x1b]0;PWNED\x07\x1b[2J\x1b[H\u009b31m\x7f';
  header[evil] = { dtype: 'F32', shape: [1], data_offsets: [data.length, data.length + 4] };
  writeSafetensors(dir, header, Buffer.concat([data, Buffer.alloc(4)]));
  const r = attnlab(['run', '--model', dir, '--text', 'hello']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /ignored 1 tensor/);
  assert.ok(r.stderr.includes('\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[H\\u009b31m\\x7f'), r.stderr);
  assert.doesNotMatch(r.stderr, /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]/, 'no control character reaches the terminal');
});

test('an error message carrying a tensor name is printed inert too', () => {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  header['\x1b[2Jh.0.attn.c_attn.weight'] = { dtype: 'F32', shape: [1, 2], data_offsets: [0, 4] };
  writeSafetensors(dir, header, data);
  const r = attnlab(['run', '--model', dir, '--text', 'hello']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /\\x1b\[2Jh\.0\.attn\.c_attn\.weight/);
  assert.doesNotMatch(r.stderr, /\x1b/);
});

test('a shape entry of 2^64 - 5 is refused naming it, not as -5', () => {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  const raw = JSON.stringify(header).replace(/"shape":\[(\d+),/, '"shape":[18446744073709551611,');
  writeSafetensors(dir, header, data, raw);
  const r = attnlab(['run', '--model', dir, '--text', 'hello']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /shape entry 18446744073709551611 too large to address/);
});
