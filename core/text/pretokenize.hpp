// Pre-tokenizers: split text into the pieces that BPE then encodes one by one, exactly as a regex would, written
// out as scanners over code points (no regex engine, linear time). GPT-2's pattern:
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// Llama 3's (the Split regex of its tokenizer.json; Qwen2/3 take \p{N} one digit at a time instead of {1,3}):
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace attnlab {

enum class SplitPattern { Gpt2, Llama3, Qwen2 };

// Byte ranges [begin, end) of the pieces of `text`; throws Error if text is not valid UTF-8.
std::vector<std::pair<std::size_t, std::size_t>> pretokenize(const std::string& text, SplitPattern pattern = SplitPattern::Gpt2);

// The same within each of the pieces `ranges` of `text` (the pieces of an earlier pre-tokenizer).
std::vector<std::pair<std::size_t, std::size_t>> pretokenize(const std::string& text,
                                                             const std::vector<std::pair<std::size_t, std::size_t>>& ranges,
                                                             SplitPattern pattern);

// Hugging Face's Digits pre-tokenizer over the pieces `ranges` of `text`: each piece split so that every number
// character (\p{N}, Rust's char::is_numeric) is a piece of its own (individual) or every run of them is, with the
// text between them as pieces too. SmolLM2's tokenizer runs it before ByteLevel's regex.
std::vector<std::pair<std::size_t, std::size_t>> split_digits(const std::string& text,
                                                               const std::vector<std::pair<std::size_t, std::size_t>>& ranges,
                                                               bool individual);

// The pattern a tokenizer.json Split regex spells; throws Error naming `where` for any other regex.
SplitPattern split_pattern_of(const std::string& regex, const std::string& where);

}  // namespace attnlab
