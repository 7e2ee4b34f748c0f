// The WebAssembly API's contract: errors come back as AttnlabError with the core's message, and a failed
// load or call leaves the loaded model working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyModel, makeModel, repo } from '../cli/helpers.mjs';
import { AttnlabError } from '../../web/engine.js';
import { checkpointFiles, createEngine } from './helpers.mjs';

const shipped = checkpointFiles(join(repo, 'models', 'tiny-gpt2'));
const engine = await createEngine();

function stillWorks() {
  assert.equal(engine.info.n_layer, 4);
  assert.ok(engine.run('still here').loss > 0);
}

test('calls before any model is loaded say so', () => {
  assert.throws(() => engine.tokenize('x'), (e) => e instanceof AttnlabError && /no model is loaded/.test(e.message));
});

test('the shipped model loads and reports its shape', () => {
  const info = engine.load(shipped);
  assert.deepEqual([info.n_layer, info.n_head, info.n_embd, info.n_positions, info.vocab_size], [4, 8, 128, 256, 50257]);
  assert.equal(info.parameters, 7259008);
});

test('a truncated weights file is refused and the loaded model keeps working', () => {
  const files = { ...shipped, 'model.safetensors': shipped['model.safetensors'].slice(0, 100000) };
  assert.throws(() => engine.load(files), (e) => e instanceof AttnlabError && /model\.safetensors/.test(e.message));
  stillWorks();
});

test('a checkpoint whose config does not match its tensors names the tensor and both shapes', () => {
  const dir = copyModel(makeModel());
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  config.n_embd = 32;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  assert.throws(() => engine.load(checkpointFiles(dir)), (e) => /has shape \[\d+(,\d+)*\], expected \[\d+(,\d+)*\]/.test(e.message));
  stillWorks();
});

test('a missing tokenizer is named', () => {
  const { 'vocab.json': _v, 'merges.txt': _m, ...rest } = shipped;
  assert.throws(() => engine.load(rest), (e) => /vocab\.json|tokenizer/.test(e.message));
  stillWorks();
});

test('bad requests are refused with the reason', () => {
  assert.throws(() => engine.attention('hello', 4, 0), /no head 4:0/);
  assert.throws(() => engine.analyze('selectivity', { text: '' }, {}), /empty/);
  assert.throws(() => engine.analyze('selectivity', { text: 'hello world' }, { eps: 2 }), /eps must be in \(0, 1\)/);
  assert.throws(() => engine.analyze('selectivity', { text: 'hello world' }, { k: 'many' }), /bad options/);
  assert.throws(() => engine.analyze('sensitivity', { text: 'hello world' }, { temperatures: '1:2' }), /FROM:TO:COUNT/);
  assert.throws(() => engine.run('hello', { heads: [[0, 99]] }), /no head 0:99/);
  stillWorks();
});

test('declared limits refuse a checkpoint by its size, tensor count or weight memory, keeping the loaded model', () => {
  const bytes = shipped['model.safetensors'].length;
  const refusals = [
    [{ max_checkpoint_bytes: bytes - 1 }, new RegExp(`model\\.safetensors is ${bytes} bytes .*more than the limit of ${bytes - 1} bytes`)],
    [{ max_tensors: 10 }, /more than 10 tensors/],
    [{ max_weight_bytes: 1000000, storage: 'f32' }, /weights would take \d+ bytes .* in memory, more than the limit of 1000000 bytes \(F16 storage halves it\)/],
    [{ max_tensors: 'many' }, /./],
  ];
  for (const [options, pattern] of refusals) {
    assert.throws(() => engine.load(shipped, options), (e) => e instanceof AttnlabError && pattern.test(e.message), JSON.stringify(options));
    stillWorks();
  }
  assert.equal(engine.load(shipped, { max_checkpoint_bytes: bytes }).n_layer, 4);  // the limit itself is allowed
});

test('the heap in use returns to the same level when a model replaces another', () => {
  const small = checkpointFiles(makeModel());
  engine.load(small);
  engine.load(shipped);
  const level = engine.usedBytes();
  for (let i = 0; i < 10; i++) {
    engine.load(small);
    assert.ok(engine.usedBytes() < level, 'the small model takes less than the shipped one');
    engine.load(shipped);
    // within 64 KiB (allocator bookkeeping); a model left behind would be 14 MB
    assert.ok(Math.abs(engine.usedBytes() - level) <= 65536, `cycle ${i}: ${engine.usedBytes()} bytes in use vs ${level}`);
  }
  stillWorks();
});

test('a second model replaces the first and the first is freed', () => {
  const small = checkpointFiles(makeModel());
  const before = engine.module.HEAPU8.length;
  for (let i = 0; i < 5; i++) {
    engine.load(small);
    engine.load(shipped);
  }
  // the heap may have grown once for two models side by side; it must not keep growing per load
  assert.ok(engine.module.HEAPU8.length <= before + 64 * 2 ** 20, `heap grew from ${before} to ${engine.module.HEAPU8.length}`);
  stillWorks();
});

test('weight storage: auto keeps an F16 file in F16 (half the bytes, the same numbers), f32 converts it', () => {
  const text = 'And God saw the light, that it was good.';
  const f32 = engine.load(shipped, { storage: 'f32' });
  const a = engine.analyze('selectivity', { text: text }, {});
  const auto = engine.load(shipped, { storage: 'auto' });
  const b = engine.analyze('selectivity', { text: text }, {});
  assert.deepEqual(b, a);
  // matrices in F16 (2 bytes); the 6,912 bias and layer-norm entries, 4 x (2+3+1+2+4+1) x 128 + 2 x 128, in F32
  assert.equal(f32.weight_bytes, 7259008 * 4);
  assert.equal(auto.weight_bytes, (7259008 - 6912) * 2 + 6912 * 4);
  assert.ok(auto.notes.some((n) => /keeps \d+ weights in F16/.test(n)));
  assert.throws(() => engine.load(shipped, { storage: 'f8' }), /storage must be f32, f16 or auto/);
  stillWorks();
});

test('weights read on demand through a reader give the same model and numbers as bytes in memory', () => {
  const text = 'The waters were gathered together unto one place.';
  engine.load(shipped);
  const expected = engine.analyze('selectivity', { text: text }, { heads: [[2, 3]] });
  const bytes = shipped['model.safetensors'];
  let reads = 0, largest = 0;
  const reader = {
    size: bytes.length,
    read(offset, view) {
      reads++;
      largest = Math.max(largest, view.length);
      view.set(bytes.subarray(offset, offset + view.length));
      return undefined;
    },
  };
  const info = engine.load({ ...shipped, 'model.safetensors': reader });
  assert.equal(info.parameters, 7259008);
  assert.deepEqual(engine.analyze('selectivity', { text: text }, { heads: [[2, 3]] }), expected);
  assert.ok(reads > 10 && largest <= 2 ** 20, `${reads} reads, largest ${largest} bytes`);
});

test('a reader that fails mid-file gives its message and keeps the loaded model', () => {
  engine.load(shipped);
  const bytes = shipped['model.safetensors'];
  const reader = {
    size: bytes.length,
    read(offset, view) {
      if (offset > 4 * 2 ** 20) return 'the network went away';
      view.set(bytes.subarray(offset, offset + view.length));
      return undefined;
    },
  };
  assert.throws(() => engine.load({ ...shipped, 'model.safetensors': reader }), /model\.safetensors: the network went away/);
  stillWorks();
});

test('a tokenizer prepared before the weights arrive tokenizes as the loaded model\'s own, and a bad one is refused', () => {
  const text = ' Attention spreads thin over long texts.';
  engine.load(shipped);
  const own = engine.tokenize(text).ids;
  assert.throws(() => engine.prepare({ 'vocab.json': new TextEncoder().encode('{"a": "b"}') }),
    (e) => e instanceof AttnlabError && /merges\.txt/.test(e.message));
  engine.prepare({ 'vocab.json': shipped['vocab.json'], 'merges.txt': shipped['merges.txt'] });
  engine.load(shipped);
  assert.deepEqual(engine.tokenize(text).ids, own);
  // prepared from other bytes (merges cut short): the load builds its own from its files
  const merges = new TextDecoder().decode(shipped['merges.txt']).split('\n').slice(0, 2001).join('\n');
  engine.prepare({ 'vocab.json': shipped['vocab.json'], 'merges.txt': new TextEncoder().encode(merges) });
  engine.load(shipped);
  assert.deepEqual(engine.tokenize(text).ids, own);
  stillWorks();
});
