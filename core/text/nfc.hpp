// Unicode Normalization Form C (canonical decomposition, canonical ordering, canonical composition), as the NFC
// normalizer of Hugging Face tokenizers (Qwen's tokenizer.json) applies it before pre-tokenization.
#pragma once
#include <string>

namespace attnlab {

// `text` in NFC; throws Error on invalid UTF-8.
std::string nfc(const std::string& text);

}  // namespace attnlab
