// Conditioning of attention matrices (docs/science.md section 4). A = a head's attention matrix (rows of p,
// lower triangular); its L x L top-left block is exactly the attention matrix of the L-token prefix.
//   kappa_2(A) = sigma_max / sigma_min (SVD, in double; +inf when sigma_min is below L eps sigma_max, where
//   double precision cannot tell it from 0: "numerically singular"); for a triangular A the eigenvalues are its diagonal,
//   so a small min_i A_ii (a token that hardly attends to itself) already means ill-conditioning.
//   The preconditioner: row equilibration, C = diag(1 / ||A_i,:||_2), the classic cheap diagonal scaling;
//   reported as kappa_2(C A) beside kappa_2(A).
//   The causal lower bound: sigma_min <= min |eigenvalue| = min_i A_ii and sigma_max >= ||A 1|| / ||1|| = 1 (rows sum to 1),
//   so kappa_2(A) >= 1 / min_i A_ii for every causal attention matrix: reported beside kappa (log10_causal_bound).
#pragma once
#include <vector>

#include "analysis/registry.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

// sigma_max / sigma_min of a matrix, in double: +inf when sigma_min is below n eps sigma_max (numerically singular).
double kappa_2(const Eigen::MatrixXd& a);
// log10 kappa of an n x n matrix, a numerically singular one counted as the largest kappa double precision resolves,
// 1 / (n eps).
double log10_kappa(double kappa, int n);

struct MatrixConditioning {
    double kappa = 0, kappa_preconditioned = 0, min_diagonal = 0;  // kappa is +inf for a singular matrix
};
// The L x L top-left block of a (T, T) attention matrix.
MatrixConditioning conditioning_of(const RefRM& attention, int L);
MatrixConditioning conditioning_of(const Eigen::MatrixXd& block);
// The causal softmax(s / T) of the L x L top-left block of a head's (T, T) scores, computed in double. float32 weights
// round a near-one weight to 1 and so limit the kappa they can resolve; the scores themselves are float32.
Eigen::MatrixXd causal_softmax_double(const RefRM& scores, int L, double temperature);
// The largest kappa float32 scores can resolve: their rounding (2^-24 relative) moves log-weights by 2^-24 |s| / T,
// so past kappa = 2^24 / max(1, max |s| / T) the smallest singular value is within that noise. A kappa above it is
// reported as beyond float resolution (the share per layer and length).
double float_resolved_kappa(const RefRM& scores, int L, double temperature);

struct ConditioningRequest {
    std::vector<int> lengths;  // empty: 16, 32, ... up to min(256, window)
    int max_tokens = 0;        // window; 0: n_positions
};

Json conditioning_report(const Model& model, const std::vector<int>& ids, const ConditioningRequest& request,
                         const Progress& progress = nullptr);

AnalysisSpec conditioning_analysis();

}  // namespace attnlab
