// GPT-2 byte-level BPE: text -> token ids and back, identical to GPT-2's own tokenizer.
//
// Built from vocab.json + merges.txt (the files of every Hugging Face GPT-2 checkpoint) or from a
// tokenizer.json. encode() splits the text with the GPT-2 pre-tokenizer, maps each piece's bytes to the
// printable byte alphabet and applies the merges lowest rank first. "<|endoftext|>" in text is plain text.
//
// encode() keeps a cache of recently seen pieces, so a Tokenizer must not be shared between threads.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensor.hpp"

namespace attnlab {

class Tokenizer {
public:
    static Tokenizer from_vocab_merges(ByteView vocab_json, ByteView merges_txt);
    static Tokenizer from_tokenizer_json(ByteView tokenizer_json);

    std::vector<int> encode(const std::string& text) const;  // throws Error on invalid UTF-8
    std::string decode(const std::vector<int>& ids) const;   // raw bytes; throws Error on unknown ids
    const std::string& token_bytes(int id) const;            // the bytes one token stands for
    int vocab_size() const { return static_cast<int>(token_bytes_.size()); }

private:
    struct Merge {
        int rank;
        int merged;
    };
    void build(const std::vector<std::pair<std::string, int>>& vocab,
               const std::vector<std::pair<std::string, std::string>>& merges, const std::string& vocab_name,
               const std::string& merges_name);
    void encode_piece(const std::uint8_t* bytes, std::size_t n, std::vector<int>& out) const;

    std::vector<std::string> token_bytes_;  // id -> bytes
    int byte_token_[256] = {};              // byte -> id of its one-byte token
    std::unordered_map<std::uint64_t, Merge> merges_;  // (left id << 32 | right id) -> rank and result
    mutable std::unordered_map<std::string, std::vector<int>> cache_;
};

}  // namespace attnlab
