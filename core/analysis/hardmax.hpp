// Hard-max through the 2-D hull on a real model (docs/science.md section 6): per head, the keys and queries are
// projected onto the keys' top-2 principal directions (eigenvectors of K^T K over the window); as tokens
// arrive, each key goes into a HullIndex and each query asks it for its argmax over the keys so far. The
// agreement is the share of rows where that key also maximises the full-dimension score q . k.
#pragma once
#include <vector>

#include "analysis/registry.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

struct HeadHullAgreement {
    int layer = 0, head = 0;
    long rows = 0, agree = 0;
    double energy_2d = 0;  // share of sum ||k||^2 in the top-2 directions, mean over windows
};

// Every head over consecutive windows of at most `window` tokens.
std::vector<HeadHullAgreement> hull_agreement(const Model& model, const std::vector<int>& ids, int window,
                                              const Progress& progress = nullptr);

struct HardmaxRequest {
    int max_tokens = 0;  // window length; 0: the model's context
};
Json hardmax_report(const Model& model, const std::vector<int>& ids, const HardmaxRequest& request,
                    const Progress& progress = nullptr);

AnalysisSpec hardmax_analysis();

}  // namespace attnlab
