// Where the page fetches a named model from: Hugging Face ids with and without a revision (web/sources.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRemote, shardNames } from '../../web/sources.js';

const PAGE = 'https://example.org/attnlab/';

test('a Hugging Face id reads its main branch, and id@revision the named branch, tag or commit', () => {
  assert.equal(resolveRemote('EleutherAI/pythia-160m', PAGE).url('config.json'),
    'https://huggingface.co/EleutherAI/pythia-160m/resolve/main/config.json');
  const step = resolveRemote('EleutherAI/pythia-160m@step3000', PAGE);
  assert.equal(step.kind, 'hub');
  assert.equal(step.label, 'EleutherAI/pythia-160m@step3000');
  assert.equal(step.url('model.safetensors'), 'https://huggingface.co/EleutherAI/pythia-160m/resolve/step3000/model.safetensors');
  assert.equal(resolveRemote('gpt2@e7da7f2', PAGE).url('config.json'), 'https://huggingface.co/gpt2/resolve/e7da7f2/config.json');
});

test('a revision that could leave the repository, or is empty, is refused', () => {
  for (const bad of ['EleutherAI/pythia-160m@../../x', 'EleutherAI/pythia-160m@', 'EleutherAI/pythia-160m@a/b', 'a@b@c', '@main'])
    assert.throws(() => resolveRemote(bad, PAGE), /is neither a Hugging Face id|is not a valid URL/, bad);
});

test('a sharded checkpoint\'s index names its shards once each, and a name that leaves the folder is refused', () => {
  const index = (map) => new TextEncoder().encode(JSON.stringify({ metadata: {}, weight_map: map }));
  assert.deepEqual(shardNames(index({ a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' })),
    ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  for (const bad of ['../x.safetensors', 'a/b.safetensors', '.hidden.safetensors', 'model.bin', 42])
    assert.throws(() => shardNames(index({ a: bad })), /is not a \.safetensors file name in the checkpoint's folder/, String(bad));
  assert.throws(() => shardNames(index({})), /expected a non-empty "weight_map"/);
  assert.throws(() => shardNames(new TextEncoder().encode('{')), /not valid JSON/);
});
