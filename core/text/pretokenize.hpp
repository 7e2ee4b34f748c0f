// GPT-2's pre-tokenizer: splits text into the pieces that BPE then encodes one by one, exactly as the regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// would, written out as a scanner over code points (no regex engine, linear time).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace attnlab {

// Byte ranges [begin, end) of the pieces of `text`; throws Error if text is not valid UTF-8.
std::vector<std::pair<std::size_t, std::size_t>> pretokenize(const std::string& text);

}  // namespace attnlab
