// What each fuzz target does with one input: the code paths a user's files and text reach, with every
// failure a user can cause expected as attnlab::Error. Anything else (a crash, another exception, a
// sanitizer report, a broken round trip) is a bug. Shared by the libFuzzer executables (fuzz_main.cpp)
// and the core test that replays the seed corpora and every saved crash (test_fuzz_regressions.cpp).
//
// Inputs holding several files separate them with a NUL byte (JSON and merges.txt never contain one):
//   safetensors     model.safetensors, loaded as weights for a fixed tiny config (in memory and on demand)
//   config          config.json
//   bpe             vocab.json NUL merges.txt NUL text: the tokenizer built from both, then the text encoded
//   bpe_text        text, encoded by the real GPT-2 tokenizer (models/gpt2-tokenizer)
//   tokenizer_json  tokenizer.json NUL text
//   analyses        5 token bytes, then model.safetensors: selectivity and constant attention on that model
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attnlab::fuzz {

// The target names, in the order above.
const std::vector<std::string>& target_names();

// Runs one input through the target. Returns true when the core accepted it, false when it refused it
// with attnlab::Error; anything else escapes (std::abort on a broken invariant, or the exception itself).
bool run_target(const std::string& target, const std::uint8_t* data, std::size_t size);

}  // namespace attnlab::fuzz
