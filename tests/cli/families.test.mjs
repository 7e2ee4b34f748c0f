// The model families beyond GPT-2 from the command line: make-random's checkpoints in the Hugging Face layout of
// each family, and sharded checkpoints (an index and its shard files) read like one file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attnlab, copyModel, makeModel, readSafetensors, shardCheckpoint } from './helpers.mjs';

test('make-random writes each family in its Hugging Face layout, and run names nothing it cannot read', () => {
  for (const [family, arch, tensor] of [['llama', 'LlamaForCausalLM', 'model.layers.0.self_attn.k_proj.weight'],
    ['qwen3', 'Qwen3ForCausalLM', 'model.layers.1.self_attn.q_norm.weight'],
    ['gpt-neox', 'GPTNeoXForCausalLM', 'gpt_neox.layers.0.attention.query_key_value.weight'],
    ['gpt-neo', 'GPTNeoForCausalLM', 'transformer.h.1.attn.attention.out_proj.bias']]) {
    const dir = makeModel(['--family', family, '--heads', '4', '--embd', '32', '--window', '4']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).architectures, [arch]);
    assert.ok(tensor in readSafetensors(dir).header, `${family}: ${tensor}`);
    const r = attnlab(['run', '--model', dir, '--text', 'Hello there, families.']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.includes('ignored'), false, r.stderr);
  }
  const bad = attnlab(['make-random', '--out', join(makeModel(), 'x'), '--layers', '1', '--heads', '1', '--embd', '8', '--ctx', '8',
    '--family', 'mistral']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--family must be gpt2, llama, qwen2, qwen3, gpt-neox or gpt-neo \(got 'mistral'\)/);
});

test('a checkpoint in two shards and an index gives the one-file checkpoint\'s numbers', () => {
  const one = makeModel(['--family', 'llama', '--heads', '4', '--kv-heads', '2', '--embd', '32']);
  const two = copyModel(one);
  shardCheckpoint(two);
  const args = (dir) => ['run', '--model', dir, '--text', 'Shards are read like one file.', '--attention', 'all'];
  const a = attnlab(args(one)), b = attnlab(args(two));
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(b.json, a.json);
});

test('an index that names a file outside the folder, or a shard that is missing, is refused by name', () => {
  const dir = copyModel(makeModel(['--family', 'llama', '--heads', '4', '--embd', '32']));
  shardCheckpoint(dir);
  const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
  rmSync(join(dir, 'model-00002-of-00002.safetensors'));
  let r = attnlab(['run', '--model', dir, '--text', 'x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /model\.safetensors\.index\.json names the shard model-00002-of-00002\.safetensors, which is missing/);
  index.weight_map['model.norm.weight'] = '../../etc/passwd.safetensors';
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
  r = attnlab(['run', '--model', dir, '--text', 'x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /shard "\.\.\/\.\.\/etc\/passwd\.safetensors" is not a \.safetensors file name in the checkpoint's folder/);
});
