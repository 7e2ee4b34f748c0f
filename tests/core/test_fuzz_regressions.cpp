#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "fuzz_inputs.hpp"
#include "helpers.hpp"

namespace fs = std::filesystem;
using attnlab::fuzz::run_target;
using attnlab::fuzz::target_names;
using attnlab::test::read_repo_file;

namespace {

// The files of a repository folder (relative paths, sorted); none when it does not exist.
std::vector<std::string> files_in(const std::string& relative) {
    std::vector<std::string> out;
    const fs::path dir = fs::path(ATTNLAB_SOURCE_DIR) / relative;
    if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_regular_file()) out.push_back(relative + "/" + e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// Runs bytes through a fuzz target: true when accepted, false when refused with attnlab::Error.
bool run_bytes(const std::string& target, const std::string& bytes) {
    return run_target(target, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

TEST_SUITE("fuzz inputs") {

TEST_CASE("every seed (a real file, or one attnlab wrote) is accepted by its fuzz target") {
    for (const auto& target : target_names()) {
        const auto seeds = files_in("tests/fuzz/seeds/" + target);
        INFO("target " << target);
        CHECK(seeds.size() >= 2);
        for (const auto& path : seeds) {
            INFO(path);
            CHECK(run_bytes(target, read_repo_file(path)));
        }
    }
}

TEST_CASE("every input a fuzzer once crashed on is now refused or accepted cleanly") {
    // tests/fuzz/regressions/TARGET/NAME: NAME says what it broke; the run must return (true or false)
    // instead of crashing, aborting or throwing anything but attnlab::Error.
    int replayed = 0;
    for (const auto& target : target_names())
        for (const auto& path : files_in("tests/fuzz/regressions/" + target)) {
            INFO(path);
            run_bytes(target, read_repo_file(path));
            ++replayed;
        }
    MESSAGE(replayed << " saved fuzz inputs replayed");
}

TEST_CASE("damaged inputs are refused with attnlab::Error, not accepted") {
    CHECK_FALSE(run_bytes("config", "{\"n_layer\": 2, \"n_head\": "));
    CHECK_FALSE(run_bytes("safetensors", std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8)));  // a 2^63-byte header
    CHECK_FALSE(run_bytes("bpe_text", "caf\xc3"));
}

}

TEST_CASE("the analyses target refuses a model with a NaN weight with attnlab::Error, and accepts it without") {
    std::string input = read_repo_file("tests/fuzz/seeds/analyses/f32-4-tokens.bin");
    REQUIRE(run_bytes("analyses", input));
    // the first F32 of the data block (after the 5 token bytes, the 8-byte length and the header) made NaN
    std::uint64_t header = 0;
    for (int i = 0; i < 8; ++i) header |= std::uint64_t(static_cast<unsigned char>(input[5 + i])) << (8 * i);
    const std::size_t data = 5 + 8 + header;
    const float nan = std::nanf("");
    for (std::size_t at : {data, data + 4 * 40, input.size() - 4}) {  // wte, a block's weights, ln_f.bias
        std::string bad = input;
        std::memcpy(&bad[at], &nan, 4);
        CHECK_FALSE(run_bytes("analyses", bad));
    }
}
