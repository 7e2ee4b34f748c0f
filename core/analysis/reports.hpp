// Whole analyses as the CLI and the page run them: token ids in, the shared JSON report out. The CLI and
// the WebAssembly API both call these, so the command line and the page print the same numbers.
// Progress goes to a callback (done, total, what); neither the core nor these functions print.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "analysis/report_json.hpp"
#include "analysis/selectivity.hpp"
#include "analysis/sensitivity.hpp"
#include "analysis/windows.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

using Progress = std::function<void(int done, int total, const std::string& what)>;

// One forward pass per consecutive window of at most `window` tokens of ids, with progress per window;
// each(trace) sees every pass. Returns the windows.
std::vector<Window> forward_windows(const Model& model, const std::vector<int>& ids, int window, const ForwardOptions& fo,
                                    const Progress& progress, const std::function<void(const Trace&)>& each = nullptr);

// Selectivity of every head over consecutive windows of at most max_tokens (0: n_positions) tokens.
// Which heads use another normaliser than softmax(T): every head (all), or the listed ones.
struct NormaliserChoice {
    std::string spec = "softmax";  // as parse_normaliser reads it
    bool all_heads = true;
    std::vector<HeadId> heads;     // when not all_heads
};

struct SelectivityRequest {
    SelectivityOptions options;
    double temperature = 1.0;
    int max_tokens = 0;
    NormaliserChoice normaliser;
    bool loss = true;  // false: skip the output layer ("loss" is null); most of a small model's time
};
// Checks the request (k >= 1, eps in (0,1), max_tokens in 2..n_positions); throws Error naming the flag.
Json selectivity_report(const Model& model, const std::vector<int>& ids, const SelectivityRequest& request,
                        const Progress& progress = nullptr);

// Sensitivity at each temperature on the first max_tokens tokens (0: min(128, n_positions)).
struct SensitivityRequest {
    SensitivityOptions options;
    std::vector<double> temperatures;
    int max_tokens = 0;
};
Json sensitivity_report(const Model& model, const std::vector<int>& ids, const SensitivityRequest& request,
                        const Progress& progress = nullptr);

// "FROM:TO:COUNT" (log-spaced, e.g. "0.05:5:16") to temperatures; throws Error quoting the spec.
std::vector<double> parse_temperature_range(const std::string& spec);

// One forward pass: ids, loss, the 20 largest last-position logits, and the attention rows of the heads.
struct RunRequest {
    double temperature = 1.0;
    std::vector<HeadId> heads;
    bool all_heads = false;
    NormaliserChoice normaliser;
};
Json run_report(const Model& model, const std::vector<int>& ids, const RunRequest& request);

// Throws Error naming the first head the model does not have.
void check_heads(const std::vector<HeadId>& heads, const Config& config);

}  // namespace attnlab
