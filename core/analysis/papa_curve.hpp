// PAPA's progressive protocol (Hassid et al., "How Much Does Attention Actually Attend?", 2022), for causal
// GPT-2 (docs/science.md section 5): heads are replaced by their averaged attention in ranked order, the k first
// for k = 0 .. every head, and the held-out loss is measured at each k. Two rankings: by cost (the head whose
// replacement alone costs least goes first, so the curve rises as slowly as single costs allow) and by
// constancy (the head closest to its average goes first). Relative perplexity increase = exp(loss_k - loss_0) - 1.
#pragma once
#include <vector>

#include "analysis/constant_attention.hpp"
#include "analysis/registry.hpp"

namespace attnlab {

struct PapaRequest {
    int window = ConstantRequest{}.window;
    int max_windows = ConstantRequest{}.max_windows;
    int eval_windows = ConstantRequest{}.eval_windows;
    int points = 0;  // values of k on each curve, evenly spread from 0 to every head; 0: every k
};

// k values: `points` of 0..heads, evenly spread with both ends (every k when points is 0 or > heads).
std::vector<int> papa_ks(int heads, int points);

Json papa_curve_report(const Model& model, const ConstantAttention& averages, const std::vector<int>& eval,
                       const PapaRequest& request, const Progress& progress = nullptr);

AnalysisSpec papa_analysis();

}  // namespace attnlab
