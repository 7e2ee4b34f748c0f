// `analyze sensitivity`: the softmax Jacobian, the loss and its gradients at each temperature of a sweep
// (per-temperature measures in analysis/sensitivity.hpp), as one report, with its request and table row.
#pragma once
#include <string>
#include <vector>

#include "analysis/registry.hpp"
#include "analysis/sensitivity.hpp"

namespace attnlab {

struct SensitivityRequest {
    std::string temperatures = "0.05:5:16";  // FROM:TO:COUNT, log-spaced
    int max_tokens = 0;                      // the first max_tokens tokens; 0: min(128, the model's context)
    double fd_epsilon = SensitivityOptions{}.fd_epsilon;
    int fd_checks = 3;  // temperatures with the finite-difference check, spread from the first to the last
};
Json sensitivity_report(const Model& model, const std::vector<int>& ids, const SensitivityRequest& request,
                        const Progress& progress = nullptr);

// "FROM:TO:COUNT" (log-spaced, e.g. "0.05:5:16") to temperatures; throws Error quoting the spec.
std::vector<double> parse_temperature_range(const std::string& spec);

AnalysisSpec sensitivity_analysis();

}  // namespace attnlab
