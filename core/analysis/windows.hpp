// What the analyses share to walk a text: consecutive windows the model can take, one forward pass per
// window with progress, and the sequence lengths a causal window gives for free (row L - 1 of a window is
// the last row of its L-token prefix).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "model/gpt2.hpp"

namespace attnlab {

// Progress of a long run: (done, total, what is counted: "window", "temperature", ...). Never prints.
using Progress = std::function<void(int done, int total, const std::string& what)>;

struct Window {
    int start = 0, length = 0;
};

// Windows of at most max_tokens tokens covering all `total` tokens, starting every `stride` tokens (0: every
// max_tokens, so consecutive and non-overlapping; a smaller stride overlaps them). Error unless 0 <= stride <= max_tokens.
std::vector<Window> split_windows(int total, int max_tokens, int stride = 0);

// One forward pass per window of ids (at most `window` tokens each), reporting progress per window;
// each(trace) sees every pass. Returns the windows.
std::vector<Window> forward_windows(const Model& model, const std::vector<int>& ids, int window, const ForwardOptions& fo,
                                    const Progress& progress, const std::function<void(const Trace&)>& each = nullptr);

// The window an analysis works in: max_tokens, or min(fallback, n_positions) when it is 0; Error unless it
// lies in 2..n_positions (`what` names the analysis).
int window_of(int max_tokens, int fallback, const Config& config, const std::string& what);

// The sequence lengths to measure: `asked` sorted and deduplicated, each checked to lie in min..reach; when
// none are asked, 16, 32, ... up to min(reach, cap) (or reach alone when it is under 16). `what` names the
// analysis in errors.
std::vector<int> lengths_to_measure(std::vector<int> asked, int min, int reach, int cap, const std::string& what);

}  // namespace attnlab
