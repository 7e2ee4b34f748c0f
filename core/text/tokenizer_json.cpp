// Tokenizer::from_tokenizer_json: a Hugging Face tokenizer.json read into the pipeline of text/bpe.hpp. Only what
// GPT-2, Llama 2/3, Qwen2/3, Pythia and TinyStories files use is accepted; anything else is refused with the field.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_set>

#include "error.hpp"
#include "text/bpe.hpp"
#include "text/vocab_files.hpp"

namespace attnlab {
namespace {

using PlainJson = nlohmann::json;  // not attnlab::Json (ordered): a unity build puts both in one file

std::string type_of(const PlainJson& j, const std::string& where) {
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) throw Error(where + ": expected an object with a \"type\"");
    return j["type"].get<std::string>();
}

bool flag(const PlainJson& j, const char* key, bool fallback) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? fallback : it->get<bool>();
}

std::string text_of(const PlainJson& j, const char* key, const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) throw Error(where + ": expected a string \"" + key + "\"");
    return it->get<std::string>();
}

void read_normalizer(const PlainJson& n, TokenizerPipeline& p, const std::string& where) {
    if (n.is_null()) return;
    const std::string type = type_of(n, where);
    if (type == "Sequence") {
        const auto& list = n.at("normalizers");
        for (std::size_t i = 0; i < list.size(); ++i) read_normalizer(list[i], p, where + ".normalizers[" + std::to_string(i) + "]");
    } else if (type == "NFC") {
        p.normalize.push_back({TokenizerPipeline::Step::Nfc, "", ""});
    } else if (type == "Prepend") {
        p.normalize.push_back({TokenizerPipeline::Step::Prepend, "", text_of(n, "prepend", where)});
    } else if (type == "Replace") {
        const auto& pattern = n.at("pattern");
        if (!pattern.is_object() || !pattern.contains("String"))
            throw Error(where + ": a Replace normalizer with a regex pattern is not supported (only plain strings)");
        p.normalize.push_back({TokenizerPipeline::Step::Replace, pattern["String"].get<std::string>(), text_of(n, "content", where)});
    } else {
        throw Error(where + ": the normalizer type \"" + type + "\" is not supported (NFC, Prepend, Replace and Sequence are)");
    }
}

void read_pre_tokenizer(const PlainJson& t, TokenizerPipeline& p, const std::string& where) {
    if (t.is_null()) {
        p.split = TokenizerPipeline::Split::None;
        p.byte_level = false;
        return;
    }
    const std::string type = type_of(t, where);
    // Digits: every number character its own piece, or each run of them
    const auto read_digits = [&p](const PlainJson& d, bool before_pattern) {
        p.digits = flag(d, "individual_digits", false) ? TokenizerPipeline::Digits::Individual : TokenizerPipeline::Digits::Contiguous;
        p.digits_first = before_pattern;
    };
    if (type == "Sequence") {
        const auto& list = t.at("pretokenizers");
        bool split_seen = false;
        p.split = TokenizerPipeline::Split::None;  // until a Split, or a ByteLevel with its regex, cuts the text
        p.byte_level = false;                      // until a ByteLevel says the symbols are bytes
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string at = where + ".pretokenizers[" + std::to_string(i) + "]";
            const std::string kind = type_of(list[i], at);
            if (kind == "Split") {
                const auto& s = list[i];
                if (!s.contains("pattern") || !s["pattern"].contains("Regex")) throw Error(at + ": a Split needs a Regex pattern");
                if (s.value("behavior", std::string()) != "Isolated" || flag(s, "invert", false))
                    throw Error(at + ": only a Split with behavior Isolated and invert false is supported");
                p.pattern = split_pattern_of(s["pattern"]["Regex"].get<std::string>(), at + ".pattern.Regex");
                p.split = TokenizerPipeline::Split::Pattern;
                split_seen = true;
            } else if (kind == "ByteLevel") {
                if (flag(list[i], "use_regex", true)) {
                    if (split_seen) throw Error(at + ": a ByteLevel with use_regex after a Split is not supported");
                    p.pattern = SplitPattern::Gpt2;
                    p.split = TokenizerPipeline::Split::Pattern;
                    split_seen = true;
                }
                p.add_prefix_space = flag(list[i], "add_prefix_space", false);
                p.byte_level = true;
            } else if (kind == "Digits") {
                if (p.digits != TokenizerPipeline::Digits::Off) throw Error(at + ": a second Digits pre-tokenizer is not supported");
                read_digits(list[i], !split_seen);
            } else {
                throw Error(at + ": the pre-tokenizer type \"" + kind + "\" is not supported inside a Sequence (Split, ByteLevel, Digits)");
            }
        }
        if (p.split == TokenizerPipeline::Split::None && p.add_prefix_space)
            throw Error(where + ": a ByteLevel add_prefix_space without its regex is not supported");
    } else if (type == "ByteLevel") {
        if (!flag(t, "use_regex", true)) throw Error(where + ": a ByteLevel pre-tokenizer without its regex would not split the text");
        p.split = TokenizerPipeline::Split::Pattern;
        p.pattern = SplitPattern::Gpt2;
        p.add_prefix_space = flag(t, "add_prefix_space", false);
        p.byte_level = true;
    } else if (type == "Digits") {
        p.split = TokenizerPipeline::Split::None;
        p.byte_level = false;  // no ByteLevel: the vocabulary is spelled in characters
        read_digits(t, true);
    } else if (type == "Metaspace") {
        p.split = TokenizerPipeline::Split::Metaspace;
        p.replacement = t.value("replacement", std::string("\u2581"));
        if (p.replacement.empty()) throw Error(where + ": the Metaspace replacement is empty");
        const std::string scheme = t.value("prepend_scheme", flag(t, "add_prefix_space", true) ? std::string("always") : std::string("never"));
        if (scheme == "always") p.prepend_scheme = TokenizerPipeline::Prepend::Always;
        else if (scheme == "first") p.prepend_scheme = TokenizerPipeline::Prepend::First;
        else if (scheme == "never") p.prepend_scheme = TokenizerPipeline::Prepend::Never;
        else throw Error(where + ": prepend_scheme \"" + scheme + "\" is not one of always, first, never");
        p.metaspace_split = flag(t, "split", true);
        p.byte_level = false;
    } else {
        throw Error(where + ": the pre-tokenizer type \"" + type + "\" is not supported (ByteLevel, Split, Digits, Metaspace, Sequence)");
    }
}

}  // namespace

Tokenizer Tokenizer::from_tokenizer_json(ByteView bytes) {
    const std::string where = "tokenizer.json";
    const PlainJson j = parse_json(bytes, where);
    try {
        return from_tokenizer_json_value(j, where);
    } catch (const nlohmann::json::exception& e) {  // a field of the wrong kind or a missing one
        throw Error(where + ": " + e.what());
    }
}

Tokenizer Tokenizer::from_tokenizer_json_value(const nlohmann::json& j, const std::string& where) {
    const auto model = j.is_object() ? j.find("model") : j.end();
    if (model == j.end() || !model->is_object()) throw Error(where + ": no \"model\" object");
    if (auto type = model->find("type"); type != model->end() && *type != "BPE")
        throw Error(where + ": model type is " + type->dump() + "; only BPE tokenizers are supported");
    const auto vocab_it = model->find("vocab");
    const auto merges_it = model->find("merges");
    if (vocab_it == model->end() || merges_it == model->end() || !merges_it->is_array())
        throw Error(where + ": model needs \"vocab\" and a \"merges\" array");
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
        if (auto it = model->find(key); it != model->end() && !it->is_null() && *it != "")
            throw Error(where + ": model." + key + " " + it->dump() + " is not supported");
    if (auto it = model->find("dropout"); it != model->end() && !it->is_null() && it->get<double>() != 0.0)
        throw Error(where + ": model.dropout is set; a tokenizer with BPE dropout is not deterministic");

    TokenizerPipeline p;
    // the symbols: bytes in GPT-2's alphabet unless a Metaspace pre-tokenizer or a normalizer that writes the
    // replacement character says the vocabulary is spelled in characters (SentencePiece style)
    read_normalizer(j.value("normalizer", PlainJson()), p, where + " normalizer");
    p.byte_fallback = flag(*model, "byte_fallback", false);
    const PlainJson pre = j.value("pre_tokenizer", PlainJson());
    const bool sentencepiece = p.byte_fallback || std::any_of(p.normalize.begin(), p.normalize.end(), [](const auto& s) {
        return s.kind != TokenizerPipeline::Step::Nfc;
    });
    // no pre-tokenizer: a SentencePiece-style file (Llama 2: characters, the whole stretch one piece), or else a bare
    // byte-level BPE, read as GPT-2's
    if (!pre.is_null() || sentencepiece) read_pre_tokenizer(pre, p, where + " pre_tokenizer");
    p.ignore_merges = flag(*model, "ignore_merges", false);
    p.fuse_unk = flag(*model, "fuse_unk", false);
    if (auto unk = model->find("unk_token"); unk != model->end() && unk->is_string()) p.unk_token = unk->get<std::string>();

    auto vocab = read_vocab(*vocab_it, where + " model.vocab");
    std::unordered_set<int> in_vocab;
    for (const auto& entry : vocab) in_vocab.insert(entry.second);
    if (auto added = j.find("added_tokens"); added != j.end() && added->is_array()) {
        for (const auto& t : *added) {
            if (!t.is_object() || !t.contains("content") || !t["content"].is_string() ||
                !t.contains("id") || !t["id"].is_number_unsigned() || t["id"].get<std::uint64_t>() >= (1u << 22))
                throw Error(where + ": added_tokens entries need a string \"content\" and an integer \"id\"");
            const auto content = t["content"].get<std::string>();
            const int id = t["id"].get<int>();
            if (in_vocab.insert(id).second) vocab.emplace_back(content, id);
            p.added.emplace_back(content, id);
        }
    }
    std::vector<std::pair<std::string, std::string>> merges;
    merges.reserve(merges_it->size());
    for (std::size_t i = 0; i < merges_it->size(); ++i) {
        const auto& m = (*merges_it)[i];
        const std::string at = where + " merge " + std::to_string(i + 1);
        if (m.is_string()) merges.push_back(split_merge(m.get<std::string>(), at));
        else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
            merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
        else throw Error(at + ": expected \"a b\" or [\"a\", \"b\"]");
    }
    return from_parts(vocab, merges, std::move(p), where, where);
}

}  // namespace attnlab
