// attnlab's progressive replacement, after PAPA (Hassid et al., "How Much Does Attention Actually Attend?", 2022), for
// causal GPT-2 (docs/science.md section 5): heads are replaced by their averaged attention in ranked order, the k
// first for k = 0 .. every head, and the held-out loss is measured at each k. Unlike PAPA there is no probe re-fit
// and no trained gate: heads are ranked by their single-head cost (the head whose replacement alone costs least goes
// first) or by constancy (the head closest to its average goes first), measured on ranking windows of the text that
// the evaluation never sees. Relative perplexity increase = exp(loss_k - loss_0) - 1, with a 95% bootstrap interval
// over the evaluated windows.
#pragma once
#include <vector>

#include "analysis/constant_attention.hpp"
#include "analysis/registry.hpp"

namespace attnlab {

struct PapaRequest {
    int window = ConstantRequest{}.window;
    int max_windows = ConstantRequest{}.max_windows;
    int eval_windows = ConstantRequest{}.eval_windows;
    int rank_windows = ConstantRequest{}.eval_windows;  // windows of the text, after the evaluated ones, that rank
    int points = 0;  // values of k on each curve, evenly spread from 0 to every head; 0: every k
};

// How the text splits into windows of `window` tokens (the averages' size): the first `evaluated` are evaluated, the
// next `ranked` rank the heads (never evaluated). As asked when the text holds both; else its windows (of at least 2
// tokens) in two halves, the evaluated half the larger, within what was asked; a text of fewer than two windows in
// two windows of half its length (the averages' top-left block). Throws Error for a text of fewer than 4 tokens.
struct PapaSplit {
    int evaluated, ranked;
    int window;  // tokens per window: the averages' size, or half a short text
};
PapaSplit papa_split(std::size_t tokens, int window, int eval_windows, int rank_windows);

// k values: `points` of 0..heads, evenly spread with both ends (every k when points is 0 or > heads).
std::vector<int> papa_ks(int heads, int points);

Json papa_curve_report(const Model& model, const ConstantAttention& averages, const std::vector<int>& eval,
                       const PapaRequest& request, const Progress& progress = nullptr);

AnalysisSpec papa_analysis();

}  // namespace attnlab
