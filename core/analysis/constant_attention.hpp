// Constant (averaged) attention, PAPA-style (Hassid et al. 2022; docs/science.md section 5), for causal GPT-2.
// For each head, the attention matrices of consecutive corpus windows are averaged row by row (row i over
// the windows that reach it), so every row stays a distribution over j <= i; at inference a head can use
// the top-left (T, T) block of its average instead of its own attention.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/registry.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

struct ConstantAttention {
    int n_layer = 0, n_head = 0, size = 0;  // size = T_max
    std::vector<MatRM> probs;               // layer-major, (size, size) each
    long windows = 0, tokens = 0;
    const MatRM& of(int layer, int head) const { return probs[static_cast<std::size_t>(layer * n_head + head)]; }
};

// Averages every head over consecutive windows of `window` tokens (at most max_windows of them).
ConstantAttention average_attention(const Model& model, const std::vector<int>& ids, int window, int max_windows,
                                    const Progress& progress = nullptr);

// safetensors bytes: one F32 tensor "h.L.attn.constant" of shape [n_head, size, size] per layer, and the
// window and token counts in __metadata__; and back (checked against the model).
std::vector<std::uint8_t> constant_attention_safetensors(const ConstantAttention& avg);
ConstantAttention read_constant_attention(ByteView bytes, const Config& config, const std::string& file_name);

struct ConstantRequest {
    int window = 0;          // averaging window; 0: the model's context (averages read from a file keep theirs)
    int max_windows = 64;    // averaged from the corpus
    int eval_windows = 16;   // evaluated on the held-out text
};

// Averages over `corpus`, then evaluates on `eval`: loss with no head replaced, all heads, each layer,
// each head; heads ranked by the loss they cost and by their distance (mean TV per row) from the average.
Json constant_attention_report(const Model& model, const ConstantAttention& avg, const std::vector<int>& eval,
                               const ConstantRequest& request, const Progress& progress = nullptr);

// Next-token loss of the first eval_windows windows of eval (windows of the averages' size), window by window,
// with the heads replaced(layer, head) says on their averages; and its mean.
WindowLosses losses_with(const Model& model, const ConstantAttention& avg, const std::vector<int>& eval, int eval_windows,
                         const std::function<bool(int, int)>& replaced);
double loss_with(const Model& model, const ConstantAttention& avg, const std::vector<int>& eval, int eval_windows,
                 const std::function<bool(int, int)>& replaced);

// exp(loss(with) - loss(base)) - 1, the relative perplexity increase, with its 95% bootstrap interval over the
// windows (paired: each resample of windows serves both losses); as JSON: value, low, high.
Json relative_increase(const WindowLosses& with, const WindowLosses& base);

// The inputs of the analyses that use averages: `corpus` or `averages` (saved bytes), and `text` (--eval F).
std::vector<InputSpec> constant_attention_inputs();
// The averages those inputs give: read from the bytes, or averaged over the corpus (the time it took in *seconds).
ConstantAttention averages_from(const Model& model, const AnalysisInputs& inputs, int window, int max_windows,
                                const Progress& progress, double* seconds = nullptr);

// The table's row: averages from the `corpus` input (or read from the `averages` bytes), evaluated on `text`;
// the `averages` output is the safetensors file of the averages.
AnalysisSpec constant_analysis();

}  // namespace attnlab
