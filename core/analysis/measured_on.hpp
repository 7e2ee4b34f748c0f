// Which model a measurement was made on, in words a verdict can quote: a verdict that sets a paper's number
// beside this model's names the model, and says so when it is not the GPT-2 the paper measured.
#pragma once
#include <string>

#include "analysis/json.hpp"
#include "model/config.hpp"

namespace attnlab {

struct MeasuredOn {
    std::string name;       // as the caller knows the model (a folder's name, a Hugging Face id); may be empty
    long long parameters = 0;
    bool gpt2_124m = false;  // GPT-2 124M's shape: 12 layers x 12 heads x 768, context 1024, vocabulary 50,257
    // "tiny-gpt2, a 7.3 M-parameter model (4 layers x 8 heads x 128 channels), not GPT-2 124M" or
    // "gpt2 (GPT-2 124M's shape, 124.4 M parameters)"
    std::string description;
};

MeasuredOn measured_on(const Config& config, const std::string& name);
Json measured_on_json(const MeasuredOn& m);

}  // namespace attnlab
