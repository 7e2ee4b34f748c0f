// The measurements of the normalisation paper (Mudarisov et al., arXiv 2508.17821; SCIENCE.md section 1,
// "The paper's own measurements", and section 2), made in each head's value space.
//   N = tokens competing in a row (row i of a causal window sees N = i + 1 tokens: the same row as the
//   last one of the N-token prefix, so one pass over a window gives every sequence length L <= window);
//   p = the row's weights; v_j = the head's value vectors; s = sum_j p_j v_j = the head's output;
//   S = the top-n set: the n largest weights (ties broken by position).
// Distance: mean ||v_j - s|| over S and over the rest, and ratio = rest / S (1: no longer told apart).
// Separability (ball rule): r = max_{j in S} ||v_j - s||; the ball {j : ||v_j - s|| <= r} holds all of S
//   (recall 1), precision = |S| / |ball|, F = 2PR / (P + R), and the fraction of the rest outside the ball.
// Gradient bound: for the top weight, ||d p_max / d s|| = p sqrt((1 - p)^2 + sum_{j != max} p_j^2) / T and
//   the Jacobian's ||J||_2, against the paper's min(1/(4T), sqrt 2) and the exact ceiling 1/(2T), with the
//   rows' scores renormalised at each T.
#pragma once
#include <vector>

#include "analysis/reports.hpp"
#include "analysis/stats.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

struct TopSetDistances {
    double selected = 0, unselected = 0, ratio = 0;  // NaN where undefined (top_n >= n)
};
// One row: p[0..n) and values (at least n rows, hs columns).
TopSetDistances top_set_distances(const float* p, const RefRM& values, int n, int top_n);

struct BallSeparability {
    double radius = 0;
    int inside = 0;  // tokens within the radius, S included
    double precision = 0, recall = 1, f_score = 0;
    double unselected_outside = 0;  // NaN when top_n >= n
};
BallSeparability ball_separability(const float* p, const RefRM& values, int n, int top_n);

// The first top-n (in the order given, ascending) whose ratio falls below 1 + delta; 0 when none does.
int critical_top_n(const std::vector<int>& top_ns, const std::vector<double>& ratios, double delta);

struct PaperRequest {
    std::vector<int> top_ns = {1, 2, 4, 8, 16, 32};
    std::vector<int> lengths;          // empty: 16, 32, ... up to the window
    double delta = 0.05;
    std::vector<double> temperatures;  // empty: 12 from 0.05 to 5, log-spaced
    int max_tokens = 0;                // window length; 0: n_positions
};

// texts: one or more token sequences (each split into windows). Throws Error on bad requests.
Json paper_report(const Model& model, const std::vector<std::vector<int>>& texts, const PaperRequest& request,
                  const Progress& progress = nullptr);

}  // namespace attnlab
