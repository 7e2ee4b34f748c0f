// Which heads use another normaliser than softmax(T): every head, or the listed ones. The forward pass
// (run) and selectivity take the same choice, and report it the same way.
#pragma once
#include <string>
#include <vector>

#include "analysis/json.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

struct NormaliserChoice {
    std::string spec = "softmax";  // as parse_normaliser reads it
    std::vector<HeadId> heads;     // empty: every head
};

// Sets fo's normalisers: softmax(T) in every head, and the chosen one in every head or in the listed ones.
// Returns the chosen normaliser's description. Throws Error for a bad spec or a head the model lacks.
std::string apply_normaliser_choice(const NormaliserChoice& choice, double temperature, const Config& config,
                                    ForwardOptions& fo);
// {"name": described, "heads": "all" | ["L:H", ...]}
Json normaliser_json(const NormaliserChoice& choice, const std::string& described);

// Throws Error naming the first head the model does not have.
void check_heads(const std::vector<HeadId>& heads, const Config& config);

}  // namespace attnlab
