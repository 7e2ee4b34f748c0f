// Printing JSON for the CLI: compact, invalid UTF-8 in token strings replaced by U+FFFD; all ASCII (\uXXXX)
// when stdout is a terminal, so that no C1 control character read from a checkpoint reaches it raw.
#pragma once
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/terminal.hpp"

namespace attnlab::cli {

inline void print_json(const nlohmann::ordered_json& j) {
    std::cout << j.dump(-1, ' ', stdout_is_terminal(), nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

// NaN has no JSON spelling; it goes out as null.
inline nlohmann::ordered_json number_or_null(double v) {
    return v == v ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

}  // namespace attnlab::cli
