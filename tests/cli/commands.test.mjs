// The CLI's commands end to end: output shapes and values checked against independent references
// (js-tiktoken for tokens, the definition of a probability row, the files make-random promises).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { attnlab, makeModel, tempDir } from './helpers.mjs';

let model;
before(() => { model = makeModel(); });

test('tokenize prints the ids js-tiktoken gives and the text of each token', () => {
  const text = "Hello world, it's 2026!\n\n  Ünïcödé 🙂 日本";
  const r = attnlab(['tokenize', '--model', model, '--text', text]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.ids, getEncoding('gpt2').encode(text));
  assert.equal(r.json.tokens.length, r.json.ids.length);
  assert.equal(r.json.tokens[0], 'Hello');
  assert.equal(r.json.tokens[1], ' world');
});

test('tokenize reads --text-file, byte for byte', () => {
  const file = join(tempDir(), 'text.txt');
  const text = 'line one\r\nline two\ttab\n';
  writeFileSync(file, text);
  const r = attnlab(['tokenize', '--model', model, '--text-file', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.ids, getEncoding('gpt2').encode(text));
});

test('make-random writes a Hugging Face GPT-2 folder with the GPT-2 tokenizer files', () => {
  for (const f of ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt']) assert.ok(existsSync(join(model, f)), f);
  const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'));
  assert.equal(config.model_type, 'gpt2');
  assert.equal(config.n_layer, 2);
  assert.equal(config.n_embd, 16);
  assert.equal(config.vocab_size, 50257);
});

test('make-random --dtype F16 halves the weight file', () => {
  const f16 = makeModel(['--dtype', 'F16']);
  const size = (d) => readFileSync(join(d, 'model.safetensors')).length;
  const ratio = size(f16) / size(model);
  assert.ok(ratio > 0.49 && ratio < 0.51, `ratio ${ratio}`);
});

test('run prints ids, loss, the 20 largest logits in descending order and causal attention rows', () => {
  const r = attnlab(['run', '--model', model, '--text', 'The cat sat on the mat because it was', '--attention', '0:1,1:0']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.deepEqual(j.ids, getEncoding('gpt2').encode('The cat sat on the mat because it was'));
  assert.ok(Number.isFinite(j.loss) && j.loss > 0);
  assert.equal(j.logits_top.length, 20);
  for (let i = 1; i < 20; i++) assert.ok(j.logits_top[i - 1][1] >= j.logits_top[i][1]);
  assert.deepEqual(Object.keys(j.attention), ['0:1', '1:0']);
  for (const rows of Object.values(j.attention)) {
    assert.equal(rows.length, j.ids.length);
    rows.forEach((row, i) => {
      assert.equal(row.length, i + 1);
      const sum = row.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} sums to ${sum}`);
    });
  }
});

test('run --attention all captures every layer and head; --ids is the same as the text', () => {
  const text = 'one two three four';
  const ids = getEncoding('gpt2').encode(text);
  const a = attnlab(['run', '--model', model, '--text', text, '--attention', 'all']);
  const b = attnlab(['run', '--model', model, '--ids', ids.join(','), '--attention', 'all']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(Object.keys(a.json.attention).length, 4);
  assert.deepEqual(a.json, b.json);
});

test('run at a lower temperature makes attention rows sharper (lower entropy)', () => {
  const entropy = (rows) => rows.reduce((s, row) => s - row.reduce((h, p) => h + (p > 0 ? p * Math.log(p) : 0), 0), 0);
  const args = ['run', '--model', model, '--text', 'a b c d e f g h i j', '--attention', '1:1'];
  const hot = attnlab([...args, '--temperature', '2']).json.attention['1:1'];
  const cold = attnlab([...args, '--temperature', '0.25']).json.attention['1:1'];
  assert.ok(entropy(cold) < entropy(hot));
});

test('run on one token gives a null loss (no next token to predict)', () => {
  const r = attnlab(['run', '--model', model, '--ids', '42']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.loss, null);
});

test('bench prints throughput, GFLOP/s beside a same-run sgemm, and peak memory', () => {
  const r = attnlab(['bench', '--model', model, '--tokens', '16', '--repeats', '1']);
  assert.equal(r.code, 0, r.stderr);
  for (const k of ['tokens_per_second', 'forward_gflops', 'sgemm_gflops', 'forward_over_sgemm', 'peak_rss_mib'])
    assert.ok(r.json[k] > 0, k);
  assert.equal(r.json.tokens, 16);
});

test('bench --threads 1 runs the forward pass on one thread, whatever OMP_NUM_THREADS says', () => {
  const r = attnlab(['bench', '--model', model, '--tokens', '32', '--repeats', '20', '--threads', '1'], { env: { ...process.env, OMP_NUM_THREADS: '2' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.threads, 1);
  // one busy thread: CPU time at most the wall time (2 threads working would make it about 2)
  assert.ok(r.json.forward_cpu_over_wall < 1.3, `CPU time / wall time ${r.json.forward_cpu_over_wall}`);
});

test('help is printed with no command, and exits 2', () => {
  const r = attnlab([]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /usage: attnlab/);
});

// The analyses in the usage (read from the core's table) and every command.
function commandsOfUsage() {
  const usage = attnlab(['help']).stdout;
  const analyses = [...usage.matchAll(/^    ([a-z]+) /gm)].map((m) => m[1]);
  const commands = [...usage.matchAll(/^  ([a-z-]+) /gm)].map((m) => m[1]).filter((c) => c !== 'analyze');
  return [...commands.map((c) => [c]), ...analyses.map((a) => ['analyze', a])];
}

test('every flag a command accepts is in its help, for every command and every analysis of the table', () => {
  const all = commandsOfUsage();
  assert.ok(all.length >= 12, `${all.length} commands`);
  assert.ok(all.some((c) => c[1] === 'paper') && all.some((c) => c[0] === 'train'));
  for (const words of all) {
    const bad = attnlab([...words, '--no-such-flag']);
    assert.equal(bad.code, 2, words.join(' '));
    const accepted = bad.stderr.match(/accepted:([^;)]*)/)[1].trim().split(/\s+/).sort();
    const help = attnlab(['help', ...words]);
    assert.equal(help.code, 0, help.stderr);
    const listed = [...help.stdout.matchAll(/^  (--[a-z0-9-]+)/gm)].map((m) => m[1]).sort();
    assert.deepEqual(listed, accepted, `attnlab help ${words.join(' ')}`);
    assert.equal(attnlab([...words, '--help']).stdout, help.stdout);
  }
});

test('help analyze NAME prints every request field as a flag with its default', () => {
  const help = attnlab(['help', 'analyze', 'selectivity']).stdout;
  assert.match(help, /--k N,N,\.\.\. +top-k set sizes \(default: 1,2,4,8,16\)/);
  assert.match(help, /--eps X .*\(default: 0\.1\)/);
  assert.match(help, /--max-tokens N .*\(default: 0\)/);
  assert.match(attnlab(['help', 'analyze', 'sensitivity']).stdout, /--temperatures S .*\(default: 0\.05:5:16\)/);
  assert.match(attnlab(['help', 'train']).stdout, /--batch B +windows per step \(default: 8\)/);
  const unknown = attnlab(['help', 'analyze', 'vibes']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown analysis 'vibes' \(selectivity, sensitivity, paper/);
});

test('--storage f16 keeps an F16 checkpoint in F16 with the same output; f32 and auto too; a bad value is refused', () => {
  const model = makeModel(['--dtype', 'F16']);
  const args = ['analyze', 'selectivity', '--model', model, '--text', 'The storage of weights changes no number.'];
  const outputs = ['f32', 'f16', 'auto'].map((s) => attnlab([...args, '--storage', s]));
  for (const r of outputs) assert.equal(r.code, 0, r.stderr);
  assert.equal(outputs[1].stdout, outputs[0].stdout);
  assert.equal(outputs[2].stdout, outputs[0].stdout);
  assert.match(outputs[1].stderr, /keeps \d+ weights in F16/);
  const bad = attnlab([...args, '--storage', 'f8']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--storage must be f32, f16 or auto \(got 'f8'\)/);
});

test('bench --analysis hull times the hull index against a scan for n = 10^2..10^6, and every checked answer agrees', () => {
  const r = attnlab(['bench', '--analysis', 'hull', '--repeats', '1']);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.json.rows;
  assert.deepEqual(rows.map((x) => `${x.keys}:${x.n}`), ['normal', 'circle'].flatMap((k) => [100, 1000, 10000, 100000, 1000000].map((n) => `${k}:${n}`)));
  for (const row of rows) {
    assert.equal(row.mismatches, 0);
    assert.ok(row.scanned_queries >= 20);
  }
});
