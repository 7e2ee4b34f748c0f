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
// The same read straight from vocab.json's bytes (JSON parsed as it streams by, no document built: the GPT-2
// vocabulary's 50,257 entries took a third of its tokenizer's load time as a document), in the file's order.
std::vector<std::pair<std::string, int>> read_vocab(ByteView bytes, const std::string& where);
// "a b" -> (a, b); throws Error naming `where` unless the line is two tokens and one space.
std::pair<std::string, std::string> split_merge(const std::string& line, const std::string& where);

}  // namespace attnlab
