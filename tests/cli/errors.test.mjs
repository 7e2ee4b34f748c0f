// Every kind of bad input named in the core issue: a clear message on stderr naming the file and the
// problem, exit code 2, no crash, no hang, nothing on stdout.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, truncateSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { attnlab, makeModel, copyModel, readSafetensors, writeSafetensors, tempDir } from './helpers.mjs';

let model;
before(() => { model = makeModel(); });

function fails(args, pattern) {
  const r = attnlab(args);
  assert.equal(r.signal, null, 'killed by a signal: ' + r.stderr);
  assert.equal(r.code, 2, `exit ${r.code}; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, pattern);
  return r.stderr;
}

const run = (dir, extra = ['--text', 'hello world']) => ['run', '--model', dir, ...extra];

test('a truncated weight file', () => {
  const dir = copyModel(model);
  const file = join(dir, 'model.safetensors');
  truncateSync(file, statSync(file).size - 100);
  fails(run(dir), /model\.safetensors: tensor \S+ has data_offsets .* past the end of the data block/);
});

test('a weight file cut inside its length prefix', () => {
  const dir = copyModel(model);
  truncateSync(join(dir, 'model.safetensors'), 5);
  fails(run(dir), /model\.safetensors: file is 5 bytes, too short/);
});

test('a 0-byte weight file', () => {
  const dir = copyModel(model);
  truncateSync(join(dir, 'model.safetensors'), 0);
  fails(run(dir), /model\.safetensors: file is 0 bytes/);
});

test('a header length past the end of the file', () => {
  const dir = copyModel(model);
  const file = join(dir, 'model.safetensors');
  const bytes = readFileSync(file);
  bytes.writeBigUInt64LE(BigInt(bytes.length * 2), 0);
  writeFileSync(file, bytes);
  fails(run(dir), /model\.safetensors: header length \d+ runs past the end/);
});

test('a header that is not JSON', () => {
  const dir = copyModel(model);
  const { data } = readSafetensors(dir);
  writeSafetensors(dir, null, data, '<html>not a checkpoint</html>');
  fails(run(dir), /model\.safetensors: header is not valid JSON/);
});

test('an unknown dtype', () => {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  header['wte.weight'].dtype = 'Q4_K';
  writeSafetensors(dir, header, data);
  fails(run(dir), /model\.safetensors: tensor wte\.weight has unknown dtype "Q4_K"/);
});

test('data offsets out of range', () => {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  const [b, e] = header['ln_f.bias'].data_offsets;
  header['ln_f.bias'].data_offsets = [b + data.length, e + data.length];
  writeSafetensors(dir, header, data);
  fails(run(dir), /model\.safetensors: tensor ln_f\.bias has data_offsets .* past the end/);
});

test('overlapping data offsets', () => {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  header['ln_f.bias'].data_offsets = header['ln_f.weight'].data_offsets;
  writeSafetensors(dir, header, data);
  fails(run(dir), /model\.safetensors: tensors ln_f\.\w+ and ln_f\.\w+ overlap/);
});

test('a missing tensor', () => {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  delete header['h.1.attn.c_proj.weight'];
  writeSafetensors(dir, header, data);
  fails(run(dir), /model\.safetensors: missing tensor h\.1\.attn\.c_proj\.weight \(expected shape \[16,16\]\)/);
});

test('a wrong shape names both shapes', () => {
  const dir = copyModel(model);
  const { header, data } = readSafetensors(dir);
  header['h.0.attn.c_attn.weight'].shape = [32, 24];
  writeSafetensors(dir, header, data);
  fails(run(dir), /model\.safetensors: tensor h\.0\.attn\.c_attn\.weight has shape \[32,24\], expected \[16,48\]/);
});

test('a config with n_embd not divisible by n_head', () => {
  const dir = copyModel(model);
  const file = join(dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.n_head = 3;
  writeFileSync(file, JSON.stringify(config));
  fails(run(dir), /config\.json: n_embd = 16 is not divisible by n_head = 3/);
});

test('a config that is not JSON', () => {
  const dir = copyModel(model);
  writeFileSync(join(dir, 'config.json'), '{"n_layer": 2,');
  fails(run(dir), /config\.json: not valid JSON/);
});

test('missing files and folders', () => {
  fails(run('/nonexistent/model'), /--model \/nonexistent\/model: not a directory/);
  const dir = copyModel(model);
  unlinkSync(join(dir, 'merges.txt'));
  fails(run(dir), /found vocab\.json but not merges\.txt/);
  const empty = tempDir();
  fails(run(empty), /config\.json is missing/);
});

test('an empty text', () => {
  fails(run(model, ['--text', '']), /no tokens to run: the text is empty/);
  const file = join(tempDir(), 'empty.txt');
  writeFileSync(file, '');
  fails(run(model, ['--text-file', file]), /the text is empty/);
});

test('a text longer than n_positions is refused, not cut', () => {
  // "word" + 39 x " word" + a trailing " " = 41 tokens
  fails(run(model, ['--text', 'word '.repeat(40)]), /the text is 41 tokens but this model's context \(n_positions\) is 32 tokens/);
});

test('a text file that is not UTF-8', () => {
  const file = join(tempDir(), 'latin1.txt');
  writeFileSync(file, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x21]));
  fails(run(model, ['--text-file', file]), /not valid UTF-8 at byte 3/);
  fails(['tokenize', '--model', model, '--text-file', file], /not valid UTF-8 at byte 3/);
});

test('unknown flags, commands and malformed values', () => {
  fails(['run', '--model', model, '--text', 'x', '--tempurature', '2'], /unknown flag --tempurature/);
  fails(['frobnicate'], /unknown command 'frobnicate'/);
  fails(['run', '--model', model, '--text', 'x', '--temperature', '0'], /temperature must be a finite number > 0/);
  fails(['run', '--model', model, '--text', 'x', '--temperature', 'warm'], /--temperature must be a number/);
  fails(['run', '--model', model, '--text', 'x', '--attention', '5:0'], /--attention: 5:0 is outside this model/);
  fails(['run', '--model', model, '--text', 'x', '--attention', 'first'], /is not LAYER:HEAD/);
  fails(['run', '--model', model, '--ids', '1,x'], /comma-separated list of integers/);
  fails(['run', '--model', model, '--ids', '1,99999'], /token id 99999 at position 1 is outside the vocabulary/);
  fails(['run', '--model', model, '--text', 'x', '--text-file', '/etc/hostname'], /exactly one of --text/);
  fails(['run', '--model', model], /exactly one of --text/);
  fails(['run', '--text', 'x'], /--model is required/);
  fails(['make-random', '--out', tempDir(), '--layers', '1', '--heads', '3', '--embd', '16', '--ctx', '8'], /not divisible/);
  fails(['make-random', '--out', tempDir(), '--layers', '1'], /--heads is required/);
  fails(['tokenize', '--model', model, '--text'], /--text needs a value/);
});
