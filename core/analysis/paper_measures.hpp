// The per-row quantities of Mudarisov et al., "Limitations of Normalization in Attention Mechanism" (arXiv
// 2508.17821), as attnlab computes them; docs/science.md says where each definition was found and which
// parts are attnlab's own choices.
//   One attention row: weights alpha_j = p[j] for j < n; x_j = the head's value vectors (rows of `values`);
//   S = the top-N set: the N largest weights (ties broken by position).
//   s  = sum_{j in S} alpha_j x_j              the selected tokens' weighted sum (the paper's s)
//   d~ = || sum_{j not in S} alpha_j x_j - s ||   Theorem 1's distance
//   W  = sum_j alpha_j ||x_j||                  attnlab's scale: d~ <= W, so d~ / W lies in [0, 1]
//   distinguishable share (attnlab's reading of Theorem 2's separability), in the space of the weighted
//     points y_j = alpha_j x_j (the paper's Figure 1 scales each token by its weight before selecting): the
//     share of S whose y_i lies nearer to s than every unselected y_j, ||y_i - s|| < min_{j not in S} ||y_j - s||.
//     On uniform spherical x (attnlab's calibration: n = 128, d = 64) it gives 0.90 / 0.76 / 0.63 at N = 8 / 16 / 32 and
//     T = 0.3, falling with N (a doctest checks it; docs/science.md).
//   critical N (attnlab's rule): the smallest N in 1..n-1 with d~ <= delta W; 0 when there is none.
// The gradient lemma, for alpha = softmax(l / T):
//   d alpha_i / d l_i = alpha_i (1 - alpha_i) / T <= 1/(4T)  (the diagonal of the Jacobian; equality at 1/2)
//   T ||grad_l alpha_i||_2 = alpha_i ||e_i - alpha||_2 <= sqrt 2
#pragma once
#include <vector>

#include "tensor.hpp"

namespace attnlab {

struct SelectionSweep {
    std::vector<double> distance;         // d~ per asked N; NaN where N >= n (no unselected token)
    std::vector<double> distinguishable;  // the share of S distinguishable per asked N; NaN where N >= n
    double scale = 0;                     // W
    int critical_n = 0;                   // 0: d~ stays above delta W for every N < n
};

// One pass over the row in weight order. top_ns: ascending, each >= 1. Needs n >= 1 and values.rows() >= n.
SelectionSweep selection_sweep(const float* p, const RefRM& values, int n, const std::vector<int>& top_ns, double delta);

// max_i alpha_i (1 - alpha_i) / T: the largest diagonal entry of the row's softmax Jacobian.
double lemma_diagonal_max(const float* p, int n, double temperature);

// max_i alpha_i ||e_i - alpha||_2: the largest gradient of one weight with respect to the scaled logits l / T.
double scaled_weight_grad_max(const float* p, int n);

}  // namespace attnlab
