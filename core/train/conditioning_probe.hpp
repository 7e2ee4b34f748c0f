// What attnlab train records about conditioning every K steps (docs/science.md section 10): kappa_2 of each layer's
// W_Q, W_K and W_V as the model uses them (W + lambda I under spectral conditioning), and log10 kappa_2 of the
// attention matrices on a fixed validation batch.
#pragma once
#include <vector>

#include "model/gpt2.hpp"

namespace attnlab {

struct ConditioningProbe {
    std::vector<double> projection_kappa;     // 3 n_layer: layer by layer, Q, K, V (+inf: numerically singular)
    std::vector<double> attention_log10_kappa;  // per layer: the median over its heads and the windows
    double attention_log10_kappa_median = 0;    // the median over every layer, head and window
};

// The attention matrices are each window's full causal T x T softmax, recomputed in double from the float32 scores;
// a numerically singular one counts as log10(1 / (T eps)) (log10_kappa). Windows of at least 2 tokens.
ConditioningProbe probe_conditioning(const Model& model, const std::vector<float>& params,
                                     const std::vector<std::vector<int>>& windows);

}  // namespace attnlab
