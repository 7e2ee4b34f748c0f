// config.json: the Hugging Face GPT-2 configuration file, read into a Config and written from one.
#pragma once
#include <string>

#include "model/config.hpp"

namespace attnlab {

// Throws Error naming `file_name` and the field for a bad or out-of-range value.
Config parse_config(const std::string& json_text, const std::string& file_name);
std::string config_to_json(const Config& config);

}  // namespace attnlab
