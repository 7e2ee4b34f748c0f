// The tokenizer test strings: a curated list of hard cases, and strings generated from a seeded generator
// (mulberry32), so every run and every reference sees the same texts. Used by tiktoken_fixture.mjs (GPT-2 against
// js-tiktoken) and tests/cli/tokenizer_json.test.mjs (tokenizer.json files against transformers.js).
export const curated = [
  "Hello world", "I'm", "you're we've they'll she'd he's it't I'M YOU'RE", "'s'll'd", "don't stop",
  "  leading spaces", "trailing spaces   ", "a  b   c    d", "\t\ttabs\tand\tspaces  \t ", "line\nbreak",
  "two\n\nbreaks", "\n\n\n", " \n \n", "\r\n windows\r\n", "   ", " ", "x", "1234567890", "3.14159 2,718 1e-10",
  "$100.00 (approx.) -- ok?!", "...!!!???", "C++ && Python || Rust;", "<|endoftext|>", "a<|endoftext|>b",
  "naïve café résumé Ærøskøbing", "Straße Ω ω ß", "e\u0301 combining", "日本語のテキスト", "中文，标点。",
  "한국어 텍스트", "Привет, мир!", "مرحبا بالعالم ٣٤٥", "नमस्ते दुनिया", "🙂 🙃 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈",
  "emoji🙂inside", "ｆｕｌｌｗｉｄｔｈ １２３", "Ⅻ ½ ² ³ ٣", "\u00a0nbsp\u00a0", "\u3000ideographic\u3000space",
  "\u2028line sep\u2029", "zero\u200bwidth", "\ufeffbom", "\u0085nel", "supercalifragilisticexpialidocious",
  "a".repeat(300), "ab".repeat(500), " ".repeat(100) + "x", "\n".repeat(50), "1".repeat(200),
  "😀".repeat(40), "http://example.com/path?q=1&r=2#frag", "user@example.org", "#hashtag @mention",
  "snake_case camelCase PascalCase kebab-case", "'''quoted'''", "\"double\" 'single' `back`",
  "The quick brown fox jumps over the lazy dog.", "  \u00a0 \t x", "\t\n\u000b\u000c\r", "’curly’ “quotes”",
];

const words = ['the', 'attention', 'token', 'softmax', 'GPT', 'model', "isn't", "we'll", 'Hello', 'über',
  'naïve', '東京', 'данные', 'λόγος', 'x', 'I', 'a', '42', '2026', 'e.g.', 'co-op', '—', '🙂', '👍🏽'];
const pools = [
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\'',
  ' ', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2028', '\u0085', '\ufeff', '\u000b\u000c',
  'àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœšž', 'ʼʻ\u0301\u0308\u20dd', '日本語中文字漢', '가나다라마바사',
  'абвгдеёжзийклмнопрст', 'αβγδεζηθ', 'ابتثجحخد', '०१२३٠١٢३', 'ⅠⅡⅫ½¼²³', '😀😃🙂👍🏽🚀❤️🇫🇷', '\u200d\u200b',
];

// `count` strings of words and runs from the pools, the same for the same seed.
export function generated(count, seed = 20261122) {
  const rand = () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const out = [];
  for (let i = 0; i < count; i++) {
    const parts = [];
    const n = 1 + Math.floor(rand() * 12);
    for (let k = 0; k < n; k++) {
      if (rand() < 0.4) parts.push((rand() < 0.5 ? ' ' : '') + pick(words));
      else {
        const pool = Array.from(pick(pools));
        const len = 1 + Math.floor(rand() * (rand() < 0.1 ? 40 : 5));
        let s = '';
        for (let j = 0; j < len; j++) s += pick(pool);
        parts.push(s);
      }
    }
    out.push(parts.join(''));
  }
  return out;
}
