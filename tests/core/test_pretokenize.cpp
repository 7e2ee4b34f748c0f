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
