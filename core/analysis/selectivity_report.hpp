// `analyze selectivity`: selectivity of every head over consecutive windows of the text (row measures in
// analysis/selectivity.hpp), as one report. Its request fields and its row of the analysis table are here.
#pragma once
#include <string>
#include <vector>

#include "analysis/registry.hpp"
#include "analysis/selectivity.hpp"

namespace attnlab {

struct SelectivityRequest {
    std::vector<int> k = SelectivityOptions{}.ks;
    double eps = SelectivityOptions{}.eps;
    double temperature = 1.0;
    int max_tokens = 0;                    // 0: the model's context
    std::vector<HeadId> heads;             // per-position detail for these heads
    std::string normaliser = "softmax";
    std::vector<HeadId> normaliser_heads;  // empty: every head
    bool loss = true;                      // false: skip the output layer ("loss" is null)
    int bins = 0;                          // > 0: also the layer bands over log-spaced bins of N
};
Json selectivity_report(const Model& model, const std::vector<int>& ids, const SelectivityRequest& request,
                        const Progress& progress = nullptr);

AnalysisSpec selectivity_analysis();

}  // namespace attnlab
