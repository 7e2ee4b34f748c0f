// BPE tokenizers: text -> token ids and back.
//
// From vocab.json + merges.txt (GPT-2's files): GPT-2's byte-level BPE, identical to GPT-2's own tokenizer;
// "<|endoftext|>" in text is plain text. From a Hugging Face tokenizer.json (text/tokenizer_json.cpp reads it):
// its added tokens are matched in the text first, then each stretch between them is normalised (NFC, Replace,
// Prepend), split by the pre-tokenizer (GPT-2's, Llama 3's or Qwen2's regex, Metaspace, or none) and encoded:
// byte-level (GPT-2, Llama 3, Qwen, Pythia) or by characters with byte fallback (Llama 2, TinyLlama). Merges
// apply lowest rank first.
//
// encode() keeps a cache of recently seen pieces, so a Tokenizer must not be shared between threads.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensor.hpp"
#include "text/pretokenize.hpp"

namespace attnlab {

// What a tokenizer.json asks of the pipeline around BPE.
struct TokenizerPipeline {
    // normalizer: NFC, then the Replace pairs (plain strings), then Prepend, in the file's order
    struct Step {
        enum Kind { Nfc, Replace, Prepend } kind;
        std::string from, to;  // Replace: from -> to; Prepend: to
    };
    std::vector<Step> normalize;
    enum class Split { Pattern, Metaspace, None } split = Split::Pattern;
    SplitPattern pattern = SplitPattern::Gpt2;
    bool add_prefix_space = false;  // ByteLevel: a space before a stretch that has none
    // Digits (SmolLM2): number characters split off one by one (Individual) or in runs (Contiguous), before the
    // pattern's pieces are cut (digits_first) or within them
    enum class Digits { Off, Individual, Contiguous } digits = Digits::Off;
    bool digits_first = true;
    // Metaspace: spaces become `replacement`, which goes before the first stretch ("first") or every one ("always")
    std::string replacement = "\u2581";
    enum class Prepend { Always, First, Never } prepend_scheme = Prepend::Always;
    bool metaspace_split = true;    // pieces start at each replacement character
    bool byte_level = true;         // symbols are bytes in GPT-2's alphabet; false: characters (SentencePiece style)
    bool byte_fallback = false;     // an unknown character becomes its bytes' <0xXX> tokens
    bool ignore_merges = false;     // a piece that is a token is that token, merges or not
    std::string unk_token;          // for characters with no token and no byte fallback
    bool fuse_unk = false;
    std::vector<std::pair<std::string, int>> added;  // added tokens (content, id), matched before anything else
};

class Tokenizer {
public:
    static Tokenizer from_vocab_merges(ByteView vocab_json, ByteView merges_txt);
    static Tokenizer from_tokenizer_json(ByteView tokenizer_json);  // text/tokenizer_json.cpp
    // vocab (token as the file spells it -> id), merges in rank order; the names say where errors come from
    static Tokenizer from_parts(const std::vector<std::pair<std::string, int>>& vocab,
                                const std::vector<std::pair<std::string, std::string>>& merges, TokenizerPipeline pipeline,
                                const std::string& vocab_name, const std::string& merges_name);

    std::vector<int> encode(const std::string& text) const;  // throws Error on invalid UTF-8
    std::string decode(const std::vector<int>& ids) const;   // raw bytes; throws Error on unknown ids
    const std::string& token_bytes(int id) const;            // the bytes one token stands for
    int vocab_size() const { return static_cast<int>(token_bytes_.size()); }
    // decode(encode(text)) == text for every text: byte-level, with no normalizer and no prefix space
    bool round_trips() const {
        return pipeline_.byte_level && pipeline_.normalize.empty() && !pipeline_.add_prefix_space &&
               pipeline_.split == TokenizerPipeline::Split::Pattern;
    }

private:
    static Tokenizer from_tokenizer_json_value(const nlohmann::json& j, const std::string& where);
    struct Merge {
        int rank;
        int merged;
    };
    void build(const std::vector<std::pair<std::string, int>>& vocab,
               const std::vector<std::pair<std::string, std::string>>& merges, const std::string& vocab_name,
               const std::string& merges_name);
    void encode_stretch(const std::string& text, bool first, std::vector<int>& out) const;
    void encode_piece(const std::string& piece, std::vector<int>& out) const;
    void merge(std::vector<int>& sym, std::vector<int>& out) const;

    TokenizerPipeline pipeline_;
    std::unordered_map<std::string, int> id_of_;  // token as the vocabulary spells it -> id
    int fallback_token_[256] = {};          // byte -> id of <0xXX> (byte fallback)
    int unk_id_ = -1;
    std::vector<std::string> token_bytes_;  // id -> bytes
    int byte_token_[256] = {};              // byte -> id of its one-byte token
    std::unordered_map<std::uint64_t, Merge> merges_;  // (left id << 32 | right id) -> rank and result
    mutable std::unordered_map<std::string, std::vector<int>> cache_;
};

}  // namespace attnlab
