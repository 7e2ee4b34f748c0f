#include "text/bpe.hpp"

#include <nlohmann/json.hpp>
#include <algorithm>
#include <cstdio>
#include <queue>

#include "error.hpp"
#include "text/nfc.hpp"
#include "text/pretokenize.hpp"
#include "text/utf8.hpp"
#include "text/vocab_files.hpp"

namespace attnlab {
namespace {

// GPT-2's reversible byte -> printable code point map: printable Latin-1 bytes map to themselves, the
// rest to 256, 257, ... in byte order.
std::vector<char32_t> byte_alphabet() {
    std::vector<char32_t> map(256);
    int next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
        map[b] = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(next++);
    }
    return map;
}

// Turns a vocab entry written in the byte alphabet back into raw bytes. `points` and `offsets` are decode_utf8's
// buffers, kept by the caller from token to token: allocated afresh for each of GPT-2's 50,257 tokens, they made a
// quarter of its tokenizer's load time.
std::string alphabet_to_bytes(const std::string& token, const std::vector<int>& code_to_byte, const std::string& where,
                              std::vector<char32_t>& points, std::vector<std::size_t>& offsets) {
    decode_utf8(token, where, points, offsets);
    std::string bytes;
    bytes.reserve(points.size());
    for (char32_t cp : points) {
        if (cp >= code_to_byte.size() || code_to_byte[cp] < 0)
            throw Error(where + ": token \"" + token + "\" holds a character outside GPT-2's byte alphabet");
        bytes += static_cast<char>(code_to_byte[cp]);
    }
    return bytes;
}

// "<0x0A>" -> 10, or -1 for any other token.
int fallback_byte(const std::string& token) {
    if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>') return -1;
    int v = 0;
    for (int i = 3; i < 5; ++i) {
        const char c = token[static_cast<std::size_t>(i)];
        const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

}  // namespace

void Tokenizer::build(const std::vector<std::pair<std::string, int>>& vocab,
                      const std::vector<std::pair<std::string, std::string>>& merges, const std::string& vocab_name,
                      const std::string& merges_name) {
    const bool byte_level = pipeline_.byte_level;
    const auto alphabet = byte_alphabet();
    std::vector<int> code_to_byte(324, -1);
    for (int b = 0; b < 256; ++b) code_to_byte[alphabet[b]] = b;

    int max_id = -1;
    for (const auto& [token, id] : vocab) max_id = std::max(max_id, id);
    token_bytes_.assign(static_cast<std::size_t>(max_id + 1), std::string());
    std::vector<bool> seen(token_bytes_.size(), false);
    id_of_.clear();
    id_of_.reserve(vocab.size());
    std::vector<bool> added(token_bytes_.size(), false);
    for (const auto& [content, id] : pipeline_.added)
        if (id >= 0 && static_cast<std::size_t>(id) < added.size()) added[static_cast<std::size_t>(id)] = true;
    std::vector<char32_t> points;  // alphabet_to_bytes's buffers
    std::vector<std::size_t> offsets;
    for (const auto& [token, id] : vocab) {
        if (seen[id]) throw Error(vocab_name + ": id " + std::to_string(id) + " is used by two tokens");
        seen[id] = true;
        if (!id_of_.emplace(token, id).second) throw Error(vocab_name + ": token \"" + token + "\" is listed twice");
        if (added[static_cast<std::size_t>(id)]) {
            token_bytes_[id] = token;  // an added token stands for its own text
        } else if (byte_level) {
            token_bytes_[id] = alphabet_to_bytes(token, code_to_byte, vocab_name, points, offsets);
        } else if (const int b = pipeline_.byte_fallback ? fallback_byte(token) : -1; b >= 0) {
            token_bytes_[id] = std::string(1, static_cast<char>(b));
        } else {
            std::string text = token;  // the replacement character stands for a space
            for (std::size_t at = 0; (at = text.find(pipeline_.replacement, at)) != std::string::npos;)
                text.replace(at, pipeline_.replacement.size(), " ");
            token_bytes_[id] = text;
        }
    }
    for (std::size_t id = 0; id < seen.size(); ++id)
        if (!seen[id]) throw Error(vocab_name + ": ids must run 0.." + std::to_string(max_id) + " without gaps; " +
                                   std::to_string(id) + " is missing");
    for (int b = 0; b < 256; ++b) {
        if (byte_level) {
            std::string one;
            append_utf8(alphabet[b], one);
            auto it = id_of_.find(one);
            if (it == id_of_.end())
                throw Error(vocab_name + ": no token for byte " + std::to_string(b) + " (\"" + one +
                            "\"); this is not a byte-level BPE vocabulary");
            byte_token_[b] = it->second;
        } else if (pipeline_.byte_fallback) {
            char name[7];
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            auto it = id_of_.find(name);
            if (it == id_of_.end())
                throw Error(vocab_name + ": byte_fallback is on but there is no token " + name);
            fallback_token_[b] = it->second;
        }
    }
    unk_id_ = -1;
    if (!pipeline_.unk_token.empty()) {
        auto it = id_of_.find(pipeline_.unk_token);
        if (it == id_of_.end()) throw Error(vocab_name + ": the unknown token \"" + pipeline_.unk_token + "\" is not in the vocabulary");
        unk_id_ = it->second;
    }

    merges_.clear();
    merges_.reserve(merges.size());
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [a, b] = merges[rank];
        const auto ia = id_of_.find(a), ib = id_of_.find(b), iab = id_of_.find(a + b);
        if (ia == id_of_.end() || ib == id_of_.end() || iab == id_of_.end())
            throw Error(merges_name + ": merge " + std::to_string(rank + 1) + " \"" + a + " " + b +
                        "\" uses or makes a token that the vocabulary does not have");
        const std::uint64_t key = (static_cast<std::uint64_t>(ia->second) << 32) | static_cast<std::uint32_t>(ib->second);
        merges_.emplace(key, Merge{static_cast<int>(rank), iab->second});  // first (lowest) rank wins
    }
    // longest added tokens first, so that one never hides a longer one it begins
    std::stable_sort(pipeline_.added.begin(), pipeline_.added.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

Tokenizer Tokenizer::from_parts(const std::vector<std::pair<std::string, int>>& vocab,
                                const std::vector<std::pair<std::string, std::string>>& merges, TokenizerPipeline pipeline,
                                const std::string& vocab_name, const std::string& merges_name) {
    Tokenizer t;
    t.pipeline_ = std::move(pipeline);
    t.build(vocab, merges, vocab_name, merges_name);
    return t;
}

Tokenizer Tokenizer::from_vocab_merges(ByteView vocab_json, ByteView merges_txt) {
    const auto vocab = read_vocab(vocab_json, "vocab.json");
    std::vector<std::pair<std::string, std::string>> merges;
    const std::string text(reinterpret_cast<const char*>(merges_txt.data), merges_txt.size);
    std::size_t pos = 0, line_no = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        std::string line = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || (line_no == 1 && line.rfind("#version", 0) == 0)) continue;
        merges.push_back(split_merge(line, "merges.txt line " + std::to_string(line_no)));
    }
    return from_parts(vocab, merges, TokenizerPipeline{}, "vocab.json", "merges.txt");  // GPT-2's pipeline
}

// Merges the symbols of one piece with a min-heap of candidate pairs over a linked list: O(n log n), the same
// result as repeatedly merging the lowest-ranked adjacent pair (ties: leftmost first).
void Tokenizer::merge(std::vector<int>& sym, std::vector<int>& out) const {
    const std::size_t n = sym.size();
    std::vector<int> prev(n), next(n);
    for (std::size_t i = 0; i < n; ++i) {
        prev[i] = static_cast<int>(i) - 1;
        next[i] = i + 1 < n ? static_cast<int>(i + 1) : -1;
    }
    struct Candidate {
        int rank, left, left_sym, right_sym;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
    auto push = [&](int left) {
        const int right = next[left];
        if (right < 0) return;
        const std::uint64_t key = (static_cast<std::uint64_t>(sym[left]) << 32) | static_cast<std::uint32_t>(sym[right]);
        auto it = merges_.find(key);
        if (it != merges_.end()) heap.push({it->second.rank, left, sym[left], sym[right]});
    };
    for (std::size_t i = 0; i + 1 < n; ++i) push(static_cast<int>(i));
    while (!heap.empty()) {
        const Candidate c = heap.top();
        heap.pop();
        const int right = next[c.left];
        // stale if either side was merged away or changed since this pair was pushed
        if (sym[c.left] != c.left_sym || right < 0 || sym[right] != c.right_sym) continue;
        const std::uint64_t key = (static_cast<std::uint64_t>(c.left_sym) << 32) | static_cast<std::uint32_t>(c.right_sym);
        sym[c.left] = merges_.at(key).merged;
        sym[right] = -1;
        next[c.left] = next[right];
        if (next[right] >= 0) prev[next[right]] = c.left;
        if (prev[c.left] >= 0) push(prev[c.left]);
        push(c.left);
    }
    for (int i = 0; i >= 0 && n > 0; i = next[i]) out.push_back(sym[i]);
}

// One piece: its first symbols (bytes in GPT-2's alphabet, or characters, unknown ones as their bytes' <0xXX>
// tokens or the unknown token), then the merges; with ignore_merges a piece that is a token is that token.
void Tokenizer::encode_piece(const std::string& piece, std::vector<int>& out) const {
    std::vector<int> sym;
    if (pipeline_.byte_level) {
        if (pipeline_.ignore_merges) {
            static const std::vector<char32_t> alphabet = byte_alphabet();
            std::string spelled;
            for (unsigned char b : piece) append_utf8(alphabet[b], spelled);
            if (auto it = id_of_.find(spelled); it != id_of_.end()) {
                out.push_back(it->second);
                return;
            }
        }
        for (unsigned char b : piece) sym.push_back(byte_token_[b]);
    } else {
        if (pipeline_.ignore_merges)
            if (auto it = id_of_.find(piece); it != id_of_.end()) {
                out.push_back(it->second);
                return;
            }
        std::vector<char32_t> points;
        std::vector<std::size_t> offsets;
        decode_utf8(piece, "text", points, offsets);
        for (std::size_t i = 0; i < points.size(); ++i) {
            const std::string ch = piece.substr(offsets[i], offsets[i + 1] - offsets[i]);
            if (auto it = id_of_.find(ch); it != id_of_.end()) sym.push_back(it->second);
            else if (pipeline_.byte_fallback) for (unsigned char b : ch) sym.push_back(fallback_token_[b]);
            else if (unk_id_ >= 0) {
                if (!(pipeline_.fuse_unk && !sym.empty() && sym.back() == unk_id_)) sym.push_back(unk_id_);
            } else throw Error("tokenizer: the character \"" + ch + "\" has no token, and the tokenizer has no byte fallback or unknown token");
        }
    }
    merge(sym, out);
}

// A stretch of text between added tokens: normalised, split into pieces, each piece encoded. first: the stretch
// begins the text (Metaspace's "first" prepend scheme).
void Tokenizer::encode_stretch(const std::string& raw, bool first, std::vector<int>& out) const {
    const TokenizerPipeline& p = pipeline_;
    std::string text = raw;
    for (const auto& step : p.normalize) {
        if (step.kind == TokenizerPipeline::Step::Nfc) text = nfc(text);
        else if (step.kind == TokenizerPipeline::Step::Prepend) { if (!text.empty()) text = step.to + text; }
        else for (std::size_t at = 0; !step.from.empty() && (at = text.find(step.from, at)) != std::string::npos; at += step.to.size())
            text.replace(at, step.from.size(), step.to);
    }
    if (text.empty()) return;
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    if (p.split == TokenizerPipeline::Split::Metaspace) {
        for (std::size_t at = 0; (at = text.find(' ', at)) != std::string::npos; at += p.replacement.size())
            text.replace(at, 1, p.replacement);
        const bool prepend = p.prepend_scheme == TokenizerPipeline::Prepend::Always ||
                             (p.prepend_scheme == TokenizerPipeline::Prepend::First && first);
        if (prepend && text.compare(0, p.replacement.size(), p.replacement) != 0) text = p.replacement + text;
        if (p.metaspace_split) {
            std::size_t begin = 0;
            for (std::size_t at = p.replacement.size(); (at = text.find(p.replacement, at)) != std::string::npos; at += p.replacement.size()) {
                pieces.emplace_back(begin, at);
                begin = at;
            }
            pieces.emplace_back(begin, text.size());
        } else {
            pieces.emplace_back(0, text.size());
        }
    } else {
        const bool pattern = p.split == TokenizerPipeline::Split::Pattern;
        const bool digits = p.digits != TokenizerPipeline::Digits::Off;
        const bool individual = p.digits == TokenizerPipeline::Digits::Individual;
        if (pattern && p.add_prefix_space && text[0] != ' ') text = " " + text;
        // the pre-tokenizers in the file's order, each cutting the pieces of the one before (each checks UTF-8)
        pieces.emplace_back(0, text.size());
        if (digits && p.digits_first) pieces = split_digits(text, pieces, individual);
        if (pattern) pieces = pretokenize(text, pieces, p.pattern);
        if (digits && !p.digits_first) pieces = split_digits(text, pieces, individual);
        if (!pattern && !digits) {
            std::vector<char32_t> points;  // checks the text is UTF-8
            std::vector<std::size_t> offsets;
            decode_utf8(text, "text", points, offsets);
        }
    }
    for (const auto& [begin, end] : pieces) {
        std::string piece = text.substr(begin, end - begin);
        auto hit = cache_.find(piece);
        if (hit != cache_.end()) {
            out.insert(out.end(), hit->second.begin(), hit->second.end());
            continue;
        }
        std::vector<int> piece_ids;
        encode_piece(piece, piece_ids);
        out.insert(out.end(), piece_ids.begin(), piece_ids.end());
        if (cache_.size() > 200000) cache_.clear();
        if (piece.size() <= 64) cache_.emplace(std::move(piece), std::move(piece_ids));
    }
}

std::vector<int> Tokenizer::encode(const std::string& text) const {
    std::vector<int> ids;
    if (pipeline_.added.empty()) {
        encode_stretch(text, true, ids);
        return ids;
    }
    // added tokens first: wherever one begins, it is that token (longest first); the stretches between are text
    std::size_t begin = 0;
    bool first = true;
    for (std::size_t i = 0; i < text.size();) {
        const std::pair<std::string, int>* hit = nullptr;
        for (const auto& a : pipeline_.added)
            if (!a.first.empty() && text.compare(i, a.first.size(), a.first) == 0) { hit = &a; break; }
        if (!hit) { ++i; continue; }
        if (i > begin) encode_stretch(text.substr(begin, i - begin), first, ids);
        first = false;
        ids.push_back(hit->second);
        i += hit->first.size();
        begin = i;
    }
    if (begin < text.size()) encode_stretch(text.substr(begin), first, ids);
    return ids;
}

const std::string& Tokenizer::token_bytes(int id) const {
    if (id < 0 || id >= vocab_size())
        throw Error("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                    std::to_string(vocab_size() - 1) + ")");
    return token_bytes_[id];
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    std::string out;
    for (int id : ids) out += token_bytes(id);
    return out;
}

}  // namespace attnlab
