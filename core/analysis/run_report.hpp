// One forward pass as the CLI's `run` and the page's worker report it: ids, loss, the 20 largest
// last-position logits, and the attention rows of the chosen heads.
#pragma once
#include <vector>

#include "analysis/json.hpp"
#include "analysis/normaliser_choice.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

struct RunRequest {
    double temperature = 1.0;
    std::vector<HeadId> heads;
    bool all_heads = false;
    NormaliserChoice normaliser;
};
Json run_report(const Model& model, const std::vector<int>& ids, const RunRequest& request);

}  // namespace attnlab
