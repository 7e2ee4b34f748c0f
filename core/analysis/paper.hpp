// The measurements of Mudarisov et al., "Limitations of Normalization in Attention Mechanism" (arXiv
// 2508.17821), on a loaded model: the paper's own quantities where its definitions could be pinned, attnlab's
// own (named as such, with no verdict) where they could not. docs/science.md gives each formula and source;
// the per-row quantities are in analysis/paper_measures.hpp.
//   Rows: row i of a causal window sees N = i + 1 tokens, the same row as the last one of the (i + 1)-token
//   prefix, so one pass over a window gives every sequence length L <= window (row L - 1).
//   Distance d~ (Theorem 1) of the top-N set: at fixed N for each L (the paper's Algorithm 1), for each N at
//   each L (Algorithm 2), and with N = ceil(rho L) growing with L (the paper's "top-N grows with L").
//   Critical N: attnlab's rule, the smallest N whose d~ falls to delta W.
//   Separability: the share of the top-N set distinguishable (attnlab's reading of Theorem 2).
//   Gradient lemma: each row's largest diagonal Jacobian entry against 1/(4T), and its largest temperature-free
//   weight gradient against sqrt 2, with the rows' scores renormalised at each T; beside them attnlab's own
//   measures, the top weight's full gradient (<= sqrt(2)/(4T)) and ||J||_2 (<= 1/(2T)).
//   Verdicts: sentences that set the paper's claim beside the same quantity measured here, naming the model.
#pragma once
#include <string>
#include <vector>

#include "analysis/registry.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

struct PaperRequest {
    std::vector<int> top_ns = {1, 2, 4, 8, 16, 32};
    std::vector<double> rhos = {0.1, 0.25, 0.5};  // N = ceil(rho L)
    std::vector<int> lengths;          // empty: 16, 32, ... up to the window
    double delta = 0.05;               // critical N: d~ <= delta W
    std::string temperatures = "0.05:5:12";  // FROM:TO:COUNT, log-spaced
    int max_tokens = 0;                // window length; 0: n_positions
    int stride = 0;                    // a window starts every `stride` tokens (0: every window, no overlap); a
                                       // smaller stride measures more sequences of each length L in the same text
    std::string model_name;            // how the verdicts name the model (AnalysisInputs::model_name)
};

// texts: one or more token sequences (each split into windows). Throws Error on bad requests.
Json paper_report(const Model& model, const std::vector<std::vector<int>>& texts, const PaperRequest& request,
                  const Progress& progress = nullptr);

AnalysisSpec paper_analysis();

}  // namespace attnlab
