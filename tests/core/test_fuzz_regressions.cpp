#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz_inputs.hpp"

namespace fs = std::filesystem;
using attnlab::fuzz::run_target;
using attnlab::fuzz::target_names;

namespace {

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> out;
    if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_regular_file()) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

const fs::path fuzz_dir = fs::path(ATTNLAB_SOURCE_DIR) / "tests" / "fuzz";

}  // namespace

TEST_SUITE("fuzz inputs") {

TEST_CASE("every seed (a real file, or one attnlab wrote) is accepted by its fuzz target") {
    for (const auto& target : target_names()) {
        const auto seeds = files_in(fuzz_dir / "seeds" / target);
        INFO("target " << target);
        CHECK(seeds.size() >= 2);
        for (const auto& p : seeds) {
            INFO(p.filename().string());
            const auto bytes = read_bytes(p);
            CHECK(run_target(target, bytes.data(), bytes.size()));
        }
    }
}

TEST_CASE("every input a fuzzer once crashed on is now refused or accepted cleanly") {
    // tests/fuzz/regressions/TARGET/NAME: NAME says what it broke; the run must return (true or false)
    // instead of crashing, aborting or throwing anything but attnlab::Error.
    int replayed = 0;
    for (const auto& target : target_names())
        for (const auto& p : files_in(fuzz_dir / "regressions" / target)) {
            INFO(target << "/" << p.filename().string());
            const auto bytes = read_bytes(p);
            run_target(target, bytes.data(), bytes.size());
            ++replayed;
        }
    MESSAGE(replayed << " saved fuzz inputs replayed");
}

TEST_CASE("damaged inputs are refused with attnlab::Error, not accepted") {
    const std::string cut = "{\"n_layer\": 2, \"n_head\": ";
    CHECK_FALSE(run_target("config", reinterpret_cast<const std::uint8_t*>(cut.data()), cut.size()));
    const std::uint8_t huge_header[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    CHECK_FALSE(run_target("safetensors", huge_header, sizeof huge_header));
    const std::string bad_utf8 = "caf\xc3";
    CHECK_FALSE(run_target("bpe_text", reinterpret_cast<const std::uint8_t*>(bad_utf8.data()), bad_utf8.size()));
}

}
