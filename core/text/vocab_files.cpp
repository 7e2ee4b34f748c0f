#include "text/vocab_files.hpp"

#include "error.hpp"

namespace attnlab {

namespace {

constexpr std::uint64_t k_max_id = 1u << 22;

Error bad_id(const std::string& where, const std::string& token) {
    return Error(where + ": id of token \"" + token + "\" is not an integer in 0.." + std::to_string(k_max_id - 1));
}

}  // namespace

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
        if (!it->is_number_unsigned() || it->get<std::uint64_t>() >= k_max_id) throw bad_id(where, it.key());
        vocab.emplace_back(it.key(), it->get<int>());
    }
    return vocab;
}

namespace {

// nlohmann's SAX events for one flat object of token -> unsigned integer; anything else is refused by name.
class VocabReader : public nlohmann::json::json_sax_t {
public:
    VocabReader(const std::string& where, std::vector<std::pair<std::string, int>>& out) : where_(where), out_(out) {}
    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t v) override {
        if (depth_ != 1 || v >= k_max_id) return value();
        out_.emplace_back(std::move(key_), static_cast<int>(v));
        return true;
    }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override {
        if (depth_ != 0) return value();
        depth_ = 1;
        return true;
    }
    bool key(string_t& k) override {
        key_ = std::move(k);
        return true;
    }
    bool end_object() override {
        depth_ = 2;  // the object is closed: only the end of the input may follow
        return true;
    }
    bool start_array(std::size_t) override { return value(); }
    bool end_array() override { return value(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
        throw Error(where_ + ": not valid JSON (" + std::string(e.what()) + ")");
    }

private:
    bool value() {
        if (depth_ != 1) throw Error(where_ + ": expected an object of token -> id");
        throw bad_id(where_, key_);
    }
    const std::string& where_;
    std::vector<std::pair<std::string, int>>& out_;
    std::string key_;
    int depth_ = 0;
};

}  // namespace

std::vector<std::pair<std::string, int>> read_vocab(ByteView bytes, const std::string& where) {
    std::vector<std::pair<std::string, int>> vocab;
    vocab.reserve(bytes.size / 16);
    VocabReader reader(where, vocab);
    const char* text = reinterpret_cast<const char*>(bytes.data);
    nlohmann::json::sax_parse(text, text + bytes.size, &reader);
    return vocab;
}

std::pair<std::string, std::string> split_merge(const std::string& line, const std::string& where) {
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 >= line.size() ||
        line.find(' ', space + 1) != std::string::npos)
        throw Error(where + ": \"" + line + "\" is not two tokens separated by one space");
    return {line.substr(0, space), line.substr(space + 1)};
}

}  // namespace attnlab
