// Reading the parts of tokenizer files: JSON, a vocabulary object (token -> id), a merge line "a b".
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tensor.hpp"

namespace attnlab {

// Throws Error("<where>: not valid JSON (...)").
nlohmann::json parse_json(ByteView bytes, const std::string& where);
// {token: id, ...} with ids in 0..2^22-1; throws Error naming `where` and the token.
std::vector<std::pair<std::string, int>> read_vocab(const nlohmann::json& j, const std::string& where);
// "a b" -> (a, b); throws Error naming `where` unless the line is two tokens and one space.
std::pair<std::string, std::string> split_merge(const std::string& line, const std::string& where);

}  // namespace attnlab
