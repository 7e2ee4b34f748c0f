#include "text/bpe.hpp"

#include <nlohmann/json.hpp>
#include <queue>

#include "error.hpp"
#include "text/pretokenize.hpp"
#include "text/utf8.hpp"

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

// Turns a vocab entry written in the byte alphabet back into raw bytes.
std::string alphabet_to_bytes(const std::string& token, const std::vector<int>& code_to_byte,
                              const std::string& where) {
    std::vector<char32_t> points;
    std::vector<std::size_t> offsets;
    decode_utf8(token, where, points, offsets);
    std::string bytes;
    for (char32_t cp : points) {
        if (cp >= code_to_byte.size() || code_to_byte[cp] < 0)
            throw Error(where + ": token \"" + token + "\" holds a character outside GPT-2's byte alphabet");
        bytes += static_cast<char>(code_to_byte[cp]);
    }
    return bytes;
}

nlohmann::json parse_json(ByteView bytes, const std::string& where) {
    const char* text = reinterpret_cast<const char*>(bytes.data);
    try {
        return nlohmann::json::parse(text, text + bytes.size);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": not valid JSON (" + std::string(e.what()) + ")");
    }
}

std::vector<std::pair<std::string, int>> read_vocab(const nlohmann::json& j, const std::string& where) {
    if (!j.is_object()) throw Error(where + ": expected an object of token -> id");
    std::vector<std::pair<std::string, int>> vocab;
    vocab.reserve(j.size());
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it->is_number_unsigned() || it->get<std::uint64_t>() >= (1u << 22))
            throw Error(where + ": id of token \"" + it.key() + "\" is not an integer in 0.." + std::to_string((1 << 22) - 1));
        vocab.emplace_back(it.key(), it->get<int>());
    }
    return vocab;
}

std::pair<std::string, std::string> split_merge(const std::string& line, const std::string& where) {
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 >= line.size() ||
        line.find(' ', space + 1) != std::string::npos)
        throw Error(where + ": \"" + line + "\" is not two tokens separated by one space");
    return {line.substr(0, space), line.substr(space + 1)};
}

}  // namespace

void Tokenizer::build(const std::vector<std::pair<std::string, int>>& vocab,
                      const std::vector<std::pair<std::string, std::string>>& merges, const std::string& vocab_name,
                      const std::string& merges_name) {
    const auto alphabet = byte_alphabet();
    std::vector<int> code_to_byte(324, -1);
    for (int b = 0; b < 256; ++b) code_to_byte[alphabet[b]] = b;

    int max_id = -1;
    for (const auto& [token, id] : vocab) max_id = std::max(max_id, id);
    token_bytes_.assign(static_cast<std::size_t>(max_id + 1), std::string());
    std::vector<bool> seen(token_bytes_.size(), false);
    std::unordered_map<std::string, int> id_of;
    id_of.reserve(vocab.size());
    for (const auto& [token, id] : vocab) {
        if (seen[id]) throw Error(vocab_name + ": id " + std::to_string(id) + " is used by two tokens");
        seen[id] = true;
        token_bytes_[id] = alphabet_to_bytes(token, code_to_byte, vocab_name);
        id_of[token] = id;
    }
    for (std::size_t id = 0; id < seen.size(); ++id)
        if (!seen[id]) throw Error(vocab_name + ": ids must run 0.." + std::to_string(max_id) + " without gaps; " +
                                   std::to_string(id) + " is missing");
    for (int b = 0; b < 256; ++b) {
        std::string one;
        append_utf8(alphabet[b], one);
        auto it = id_of.find(one);
        if (it == id_of.end())
            throw Error(vocab_name + ": no token for byte " + std::to_string(b) + " (\"" + one +
                        "\"); this is not a byte-level BPE vocabulary");
        byte_token_[b] = it->second;
    }

    merges_.reserve(merges.size());
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [a, b] = merges[rank];
        const auto ia = id_of.find(a), ib = id_of.find(b), iab = id_of.find(a + b);
        if (ia == id_of.end() || ib == id_of.end() || iab == id_of.end())
            throw Error(merges_name + ": merge " + std::to_string(rank + 1) + " \"" + a + " " + b +
                        "\" uses or makes a token that the vocabulary does not have");
        const std::uint64_t key = (static_cast<std::uint64_t>(ia->second) << 32) | static_cast<std::uint32_t>(ib->second);
        merges_.emplace(key, Merge{static_cast<int>(rank), iab->second});  // first (lowest) rank wins
    }
}

Tokenizer Tokenizer::from_vocab_merges(ByteView vocab_json, ByteView merges_txt) {
    const auto vocab = read_vocab(parse_json(vocab_json, "vocab.json"), "vocab.json");
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
    Tokenizer t;
    t.build(vocab, merges, "vocab.json", "merges.txt");
    return t;
}

Tokenizer Tokenizer::from_tokenizer_json(ByteView bytes) {
    const std::string where = "tokenizer.json";
    const auto j = parse_json(bytes, where);
    const auto model = j.is_object() ? j.find("model") : j.end();
    if (model == j.end() || !model->is_object()) throw Error(where + ": no \"model\" object");
    if (auto type = model->find("type"); type != model->end() && *type != "BPE")
        throw Error(where + ": model type is " + type->dump() + "; only BPE tokenizers are supported");
    const auto vocab_it = model->find("vocab");
    const auto merges_it = model->find("merges");
    if (vocab_it == model->end() || merges_it == model->end() || !merges_it->is_array())
        throw Error(where + ": model needs \"vocab\" and a \"merges\" array");
    auto vocab = read_vocab(*vocab_it, where + " model.vocab");
    if (auto added = j.find("added_tokens"); added != j.end() && added->is_array()) {
        for (const auto& t : *added) {
            if (!t.is_object() || !t.contains("content") || !t["content"].is_string() ||
                !t.contains("id") || !t["id"].is_number_unsigned() || t["id"].get<std::uint64_t>() >= (1u << 22))
                throw Error(where + ": added_tokens entries need a string \"content\" and an integer \"id\"");
            const auto content = t["content"].get<std::string>();
            const int id = t["id"].get<int>();
            bool present = false;
            for (const auto& [tok, existing] : vocab) present = present || existing == id;
            if (!present) vocab.emplace_back(content, id);
        }
    }
    std::vector<std::pair<std::string, std::string>> merges;
    for (std::size_t i = 0; i < merges_it->size(); ++i) {
        const auto& m = (*merges_it)[i];
        const std::string at = where + " merge " + std::to_string(i + 1);
        if (m.is_string()) merges.push_back(split_merge(m.get<std::string>(), at));
        else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
            merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
        else throw Error(at + ": expected \"a b\" or [\"a\", \"b\"]");
    }
    Tokenizer t;
    t.build(vocab, merges, where, where);
    return t;
}

// Merges one piece with a min-heap of candidate pairs over a linked list of symbols: O(n log n), the
// same result as repeatedly merging the lowest-ranked adjacent pair (ties: leftmost first).
void Tokenizer::encode_piece(const std::uint8_t* bytes, std::size_t n, std::vector<int>& out) const {
    std::vector<int> sym(n), prev(n), next(n);
    for (std::size_t i = 0; i < n; ++i) {
        sym[i] = byte_token_[bytes[i]];
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

std::vector<int> Tokenizer::encode(const std::string& text) const {
    std::vector<int> ids;
    for (const auto& [begin, end] : pretokenize(text)) {
        std::string piece = text.substr(begin, end - begin);
        auto hit = cache_.find(piece);
        if (hit != cache_.end()) {
            ids.insert(ids.end(), hit->second.begin(), hit->second.end());
            continue;
        }
        std::vector<int> piece_ids;
        encode_piece(reinterpret_cast<const std::uint8_t*>(piece.data()), piece.size(), piece_ids);
        ids.insert(ids.end(), piece_ids.begin(), piece_ids.end());
        if (cache_.size() > 200000) cache_.clear();
        if (piece.size() <= 64) cache_.emplace(std::move(piece), std::move(piece_ids));
    }
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
