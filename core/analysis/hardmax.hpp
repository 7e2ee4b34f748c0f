// Hard-max through the 2-D hull on a real model (docs/science.md section 6): per head, the keys and queries are
// projected onto the top-2 principal directions of the keys a query may see (eigenvectors of sum_{j <= i'} k_j^T k_j,
// refitted after rows i' = 0, 1, 3, 7, ... and every 64 rows, so a query never uses directions that a later key shaped);
// as tokens arrive, each key goes into a HullIndex (rebuilt at each refit) and each query asks it for its argmax over
// the keys so far. The agreement is the share of rows where that key also maximises the full-dimension score q . k.
// In a local layer (GPT-Neo) a row sees only the last `window` keys: the directions, the hull and the maximum are
// over those keys.
#pragma once
#include <vector>

#include <Eigen/Dense>

#include "analysis/registry.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

struct HeadHullAgreement {
    int layer = 0, head = 0;
    long rows = 0, agree = 0;
    double energy_2d = 0;  // share of sum ||k||^2 in the top-2 directions, mean over windows
};

// Per row i of q (T, hs) and k (T, hs): the key among those row i sees (0..i, or the last key_window of them in a
// local layer) that the 2-D hull of directions fitted on those keys picks.
std::vector<int> causal_hull_argmax(const Eigen::MatrixXd& q, const Eigen::MatrixXd& k, int key_window = 0);

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
