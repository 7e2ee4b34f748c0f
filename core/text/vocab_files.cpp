#include "text/vocab_files.hpp"

#include "error.hpp"

namespace attnlab {

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

}  // namespace attnlab
