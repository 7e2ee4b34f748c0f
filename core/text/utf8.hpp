// Strict UTF-8 decoding (no overlongs, no surrogates, nothing past U+10FFFF) and encoding.
#pragma once
#include <string>
#include <vector>

namespace attnlab {

// Code points of `text` and the byte offset where each starts (offsets.size() == points.size() + 1).
// Throws Error("<what>: not valid UTF-8 at byte N ...") on malformed input.
void decode_utf8(const std::string& text, const std::string& what, std::vector<char32_t>& points,
                 std::vector<std::size_t>& offsets);

void append_utf8(char32_t cp, std::string& out);

}  // namespace attnlab
