#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "error.hpp"
#include "helpers.hpp"
#include "text/bpe.hpp"
#include "text/nfc.hpp"
#include "text/utf8.hpp"
#include "text/vocab_files.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

const Tokenizer& gpt2() {
    static const std::string vocab = read_repo_file("models/gpt2-tokenizer/vocab.json");
    static const std::string merges = read_repo_file("models/gpt2-tokenizer/merges.txt");
    static const Tokenizer t = Tokenizer::from_vocab_merges(view(vocab), view(merges));
    return t;
}

// A byte-level vocabulary written out by hand: GPT-2's byte alphabet (printable bytes as themselves,
// the others as U+0100 + k in byte order) as ids 0..255, then the given extra tokens.
std::string byte_vocab(const std::vector<std::string>& extra) {
    nlohmann::json j = nlohmann::json::object();
    int shifted = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        std::string s;
        append_utf8(printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + shifted++), s);
        j[s] = b;
    }
    int id = 256;
    for (const auto& e : extra) j[e] = id++;
    return j.dump();
}

}  // namespace

TEST_SUITE("bpe") {

TEST_CASE("the GPT-2 vocabulary loads with 50257 tokens") {
    CHECK(gpt2().vocab_size() == 50257);
    CHECK(gpt2().token_bytes(50256) == "<|endoftext|>");
    CHECK(gpt2().token_bytes(220) == " ");
}

TEST_CASE("encode matches js-tiktoken (gpt2) on the curated and generated strings") {
    std::ifstream in(ATTNLAB_TIKTOKEN_FIXTURE);
    REQUIRE_MESSAGE(in.good(), "missing " ATTNLAB_TIKTOKEN_FIXTURE " (made by tests/reference/tiktoken_fixture.mjs)");
    const auto fixture = nlohmann::json::parse(in);
    const auto& cases = fixture.at("cases");
    REQUIRE(cases.size() >= 2000);
    int mismatches = 0;
    for (const auto& c : cases) {
        const std::string text = c.at("text");
        const std::vector<int> expected = c.at("ids");
        const std::vector<int> got = gpt2().encode(text);
        if (got != expected && ++mismatches <= 5) {
            INFO("text: " << nlohmann::json(text).dump());
            CHECK(nlohmann::json(got).dump() == nlohmann::json(expected).dump());
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("decode(encode(s)) == s on the reference strings") {
    std::ifstream in(ATTNLAB_TIKTOKEN_FIXTURE);
    REQUIRE(in.good());
    const auto fixture = nlohmann::json::parse(in);
    for (const auto& c : fixture.at("cases")) {
        const std::string text = c.at("text");
        REQUIRE(gpt2().decode(gpt2().encode(text)) == text);
    }
}

TEST_CASE("merges apply lowest rank first") {
    const std::string merges_ab_first = "#version: 0.2\na b\nb c\nab c\n";
    const std::string merges_bc_first = "#version: 0.2\nb c\na b\nab c\n";
    const std::string vocab = byte_vocab({"ab", "bc", "abc"});
    const auto t1 = Tokenizer::from_vocab_merges(view(vocab), view(merges_ab_first));
    const auto t2 = Tokenizer::from_vocab_merges(view(vocab), view(merges_bc_first));
    // ids: 'a' = 97, 'b' = 98, 'c' = 99, ab = 256, bc = 257, abc = 258
    CHECK(t1.encode("abc") == std::vector<int>{258});               // a b -> ab, then ab c -> abc
    CHECK(t2.encode("abc") == std::vector<int>{97, 257});           // b c first; no rule for a bc
    CHECK(t1.encode("abab") == std::vector<int>{256, 256});
    CHECK(t1.encode("cab") == std::vector<int>{99, 256});
}

TEST_CASE("a byte with no merges stays its own token, mapped through the byte alphabet") {
    const auto t = Tokenizer::from_vocab_merges(view(byte_vocab({})), view(std::string("#version: 0.2\n")));
    CHECK(t.encode(" \n") == std::vector<int>{32, 10});
    CHECK(t.encode("é") == std::vector<int>{0xc3, 0xa9});
}

TEST_CASE("a byte-level vocabulary's tokens turn back into bytes through the alphabet, and a character outside it is refused by name") {
    const auto t = Tokenizer::from_vocab_merges(view(byte_vocab({"\xC4\xA0the"})), view(std::string("#version: 0.2\n")));
    for (int b = 0; b < 256; ++b) CHECK(t.token_bytes(b) == std::string(1, static_cast<char>(b)));
    CHECK(t.token_bytes(256) == " the");  // U+0120 is byte 32, the space
    // U+00AD (a byte GPT-2 shifts, so not in the alphabet itself), U+0144 (past the shifted range), a 3-byte character
    for (const std::string bad : {"\xC2\xAD", "\xC5\x84", "\xE2\x82\xAC"}) {
        CAPTURE(bad);
        const std::string message = "token \"a" + bad + "\" holds a character outside GPT-2's byte alphabet";
        CHECK_THROWS_WITH_AS(Tokenizer::from_vocab_merges(view(byte_vocab({"a" + bad})), view(std::string("#version: 0.2\n"))),
                             doctest::Contains(message.c_str()), Error);
    }
}

TEST_CASE("vocab.json is read as one object of token -> id, in the file's order, and anything else is refused by name") {
    const auto vocab = read_vocab(view(std::string(R"({"b": 1, "a\u00e9": 0, "\"q\"": 4194303})")), "vocab.json");
    REQUIRE(vocab.size() == 3);
    CHECK(vocab[0] == std::pair<std::string, int>{"b", 1});
    CHECK(vocab[1] == std::pair<std::string, int>{"a\xC3\xA9", 0});
    CHECK(vocab[2] == std::pair<std::string, int>{"\"q\"", 4194303});
    const std::pair<const char*, const char*> refused[] = {
        {R"(["a", 0])", "vocab.json: expected an object of token -> id"},
        {R"(7)", "vocab.json: expected an object of token -> id"},
        {R"({"a": -1})", "vocab.json: id of token \"a\" is not an integer in 0..4194303"},
        {R"({"a": 4194304})", "vocab.json: id of token \"a\" is not an integer in 0..4194303"},
        {R"({"a": 1.5})", "id of token \"a\""},
        {R"({"a": "1"})", "id of token \"a\""},
        {R"({"a": {"b": 1}})", "id of token \"a\""},
        {R"({"a": 1)", "vocab.json: not valid JSON"},
        {R"({"a": 1} x)", "vocab.json: not valid JSON"},
    };
    for (const auto& entry : refused) {  // (clang refuses CAPTURE of a structured binding)
        const char* text = entry.first;
        CAPTURE(text);
        CHECK_THROWS_WITH_AS(read_vocab(view(std::string(text)), "vocab.json"), doctest::Contains(entry.second), Error);
    }
    CHECK_THROWS_WITH_AS(Tokenizer::from_vocab_merges(view(byte_vocab({}).insert(1, "\"a\": 300, ")), view(std::string("#version: 0.2\n"))),
                         doctest::Contains("vocab.json: token \"a\" is listed twice"), Error);
}

TEST_CASE("tokenizer.json (both merge spellings) encodes like vocab.json + merges.txt") {
    const std::string vocab = read_repo_file("models/gpt2-tokenizer/vocab.json");
    const std::string merges = read_repo_file("models/gpt2-tokenizer/merges.txt");
    nlohmann::json strings = nlohmann::json::array(), pairs = nlohmann::json::array();
    std::istringstream lines(merges);
    std::string line;
    std::getline(lines, line);  // #version
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        strings.push_back(line);
        const auto sp = line.find(' ');
        pairs.push_back({line.substr(0, sp), line.substr(sp + 1)});
    }
    for (const auto& m : {strings, pairs}) {
        nlohmann::json tj = {{"model", {{"type", "BPE"}, {"vocab", nlohmann::json::parse(vocab)}, {"merges", m}}},
                             {"added_tokens", {{{"id", 50256}, {"content", "<|endoftext|>"}}}}};
        const std::string text = tj.dump();
        const auto t = Tokenizer::from_tokenizer_json(view(text));
        for (const char* s : {"Hello world, I'm here!", "naïve 日本語 🙂  \n\n x", "1234567 ...?!"})
            CHECK(t.encode(s) == gpt2().encode(s));
    }
}

TEST_CASE("a word of 20,000 letters encodes in reasonable time and decodes back") {
    std::string word;
    for (int i = 0; i < 20000; ++i) word += static_cast<char>('a' + (i * 7 + i / 13) % 26);
    const auto ids = gpt2().encode(word);
    CHECK(ids.size() < word.size());
    CHECK(gpt2().decode(ids) == word);
}

TEST_CASE("invalid UTF-8 text is refused") {
    CHECK_THROWS_AS(gpt2().encode("abc\xfe"), Error);
}

TEST_CASE("an unknown id cannot be decoded") {
    CHECK_THROWS_WITH_AS(gpt2().decode({50257}), "token id 50257 is outside the vocabulary (0..50256)", Error);
    CHECK_THROWS_AS(gpt2().decode({-1}), Error);
}

TEST_CASE("broken tokenizer files are refused with the file named") {
    const std::string merges = "#version: 0.2\n";
    CHECK_THROWS_WITH_AS(Tokenizer::from_vocab_merges(view(std::string("{")), view(merges)),
                         doctest::Contains("vocab.json: not valid JSON"), Error);
    CHECK_THROWS_WITH_AS(Tokenizer::from_vocab_merges(view(std::string(R"({"a":0})")), view(merges)),
                         doctest::Contains("vocab.json: no token for byte 0"), Error);
    CHECK_THROWS_WITH_AS(Tokenizer::from_vocab_merges(view(std::string(R"({"a":-3})")), view(merges)),
                         doctest::Contains("vocab.json"), Error);
    CHECK_THROWS_WITH_AS(Tokenizer::from_vocab_merges(view(byte_vocab({})), view(std::string("#version: 0.2\nab\n"))),
                         doctest::Contains("merges.txt line 2"), Error);
    CHECK_THROWS_WITH_AS(Tokenizer::from_vocab_merges(view(byte_vocab({})), view(std::string("a b\n"))),
                         doctest::Contains("merges.txt: merge 1 \"a b\""), Error);
    CHECK_THROWS_WITH_AS(Tokenizer::from_tokenizer_json(view(std::string(R"({"model":{"type":"Unigram"}})"))),
                         doctest::Contains("only BPE"), Error);
}

}

TEST_SUITE("nfc") {

// The cases are the Unicode standard's own examples (UAX #15, "Unicode Normalization Forms", figures 3-6).
TEST_CASE("NFC composes a base and its mark, and leaves text that is already composed alone") {
    CHECK(nfc("e\u0301") == "\u00e9");
    CHECK(nfc("\u00e9") == "\u00e9");
    CHECK(nfc("plain ASCII, unchanged") == "plain ASCII, unchanged");
    CHECK(nfc("\u212b") == "\u00c5");              // ANGSTROM SIGN: a singleton, becomes A WITH RING ABOVE
    CHECK(nfc("A\u030a") == "\u00c5");
}

TEST_CASE("NFC orders marks by combining class before composing, and a blocked mark stays apart") {
    // s + dot below (220) + dot above (230), in either order: s with dot below and dot above (U+1E69)
    CHECK(nfc("s\u0323\u0307") == "\u1e69");
    CHECK(nfc("s\u0307\u0323") == "\u1e69");
    // d + dot above + dot below: d with dot below (U+1E0D), then the dot above
    CHECK(nfc("d\u0307\u0323") == "\u1e0d\u0307");
}

TEST_CASE("NFC composes Hangul jamo by arithmetic and keeps composition exclusions decomposed") {
    CHECK(nfc("\u1100\u1161") == "\uac00");          // L + V
    CHECK(nfc("\u1100\u1161\u11a8") == "\uac01");    // L + V + T
    CHECK(nfc("\uac00\u11a8") == "\uac01");          // LV + T
    CHECK(nfc("\u0915\u093c") == "\u0915\u093c");    // U+0958 is excluded from composition
    CHECK(nfc("\u0958") == "\u0915\u093c");
}

}  // TEST_SUITE
