#include <doctest/doctest.h>

#include "error.hpp"
#include "text/pretokenize.hpp"

using namespace attnlab;

namespace {

// The pieces as strings. Expected values below are worked by hand from the regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
std::vector<std::string> pieces(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& [b, e] : pretokenize(text)) out.push_back(text.substr(b, e - b));
    return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_SUITE("pretokenize") {

TEST_CASE("words keep their one leading space") {
    CHECK(pieces("Hello world") == V{"Hello", " world"});
}

TEST_CASE("contractions split off lowercase only") {
    CHECK(pieces("I'm we'll they've") == V{"I", "'m", " we", "'ll", " they", "'ve"});
    CHECK(pieces("I'M") == V{"I", "'", "M"});
    CHECK(pieces(" 's") == V{" '", "s"});
}

TEST_CASE("a run of spaces gives all but the last to its own piece") {
    CHECK(pieces("a  b") == V{"a", " ", " b"});
    CHECK(pieces("a    b") == V{"a", "   ", " b"});
}

TEST_CASE("newlines before a word: the run minus one, then the last alone") {
    CHECK(pieces("x   \n\ny") == V{"x", "   \n", "\n", "y"});
    CHECK(pieces("x\ny") == V{"x", "\n", "y"});
}

TEST_CASE("trailing whitespace is one piece") {
    CHECK(pieces("hello  ") == V{"hello", "  "});
    CHECK(pieces("hello \n ") == V{"hello", " \n "});
}

TEST_CASE("numbers and punctuation form their own runs") {
    CHECK(pieces("1234 abc") == V{"1234", " abc"});
    CHECK(pieces("??? !!x") == V{"???", " !!", "x"});
    CHECK(pieces("3.14") == V{"3", ".", "14"});
}

TEST_CASE("non-ASCII letters are letters and emoji are punctuation") {
    CHECK(pieces("naïve café") == V{"naïve", " café"});
    CHECK(pieces(" 🙂🙂 ok") == V{" 🙂🙂", " ok"});
    CHECK(pieces("日本語 テスト") == V{"日本語", " テスト"});
}

TEST_CASE("the empty text has no pieces") {
    CHECK(pieces("").empty());
}

TEST_CASE("text that is not UTF-8 is refused with the byte offset") {
    CHECK_THROWS_WITH_AS(pretokenize("ab\xff"), "text: not valid UTF-8 at byte 2 (unexpected byte 0xff)", Error);
    CHECK_THROWS_AS(pretokenize("\xc3"), Error);            // cut short
    CHECK_THROWS_AS(pretokenize("\xc0\xaf"), Error);        // overlong '/'
    CHECK_THROWS_AS(pretokenize("\xed\xa0\x80"), Error);    // surrogate
    CHECK_THROWS_AS(pretokenize("\xf4\x90\x80\x80"), Error);  // past U+10FFFF
}

}

TEST_SUITE("digits pre-tokenizer") {

// Hugging Face's Digits (tokenizers, Rust) splits on char::is_numeric: the general categories Nd, Nl and No, so
// Arabic-Indic digits, Roman numerals, fractions and superscripts count as digits too (transformers.js's \d does
// not: the CLI test compares the two on ASCII digits only)
std::vector<std::string> digit_pieces(const std::string& text, bool individual) {
    std::vector<std::string> out;
    for (const auto& [b, e] : split_digits(text, {{0, text.size()}}, individual)) out.push_back(text.substr(b, e - b));
    return out;
}

TEST_CASE("individual digits: every number character is a piece, the text between them stays whole") {
    CHECK(digit_pieces("in 2026, x", true) == V{"in ", "2", "0", "2", "6", ", x"});
    CHECK(digit_pieces("\u0663\u0664 \u216b\u00bd\u00b2", true) == V{"\u0663", "\u0664", " ", "\u216b", "\u00bd", "\u00b2"});
    CHECK(digit_pieces("abc", true) == V{"abc"});
}

TEST_CASE("contiguous digits: each run of number characters is one piece") {
    CHECK(digit_pieces("a1b22c333 4444", false) == V{"a", "1", "b", "22", "c", "333", " ", "4444"});
    CHECK(digit_pieces("x\u0663\u0664\u0665y", false) == V{"x", "\u0663\u0664\u0665", "y"});
}

TEST_CASE("the digits split refines given pieces and never joins across them") {
    const std::string text = "ab12cd34";
    std::vector<std::string> got;
    for (const auto& [b, e] : split_digits(text, {{0, 3}, {3, 8}}, false)) got.push_back(text.substr(b, e - b));
    CHECK(got == V{"ab", "1", "2", "cd", "34"});
}

}
