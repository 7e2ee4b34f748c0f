// The normaliser that turns one causal row of attention scores into weights. Every head goes through this
// one interface, so an analysis can swap softmax for another normaliser in any head.
// With z = s / T (T the temperature):
//   softmax:    p_j = exp(z_j) / sum_k exp(z_k)
//   top-k:      softmax over the k largest z (ties broken by position), 0 elsewhere; softmax when n <= k
//   sparsemax:  p_j = max(z_j - tau, 0), tau such that sum p = 1 (Martins & Astudillo 2016)
//   entmax-1.5: p_j = max(z_j / 2 - tau, 0)^2, tau such that sum p = 1 (Peters et al. 2019, exact sort)
//   hard-max:   1 on the largest z, 0 elsewhere; among tied maxima the latest token wins (the hull index's rule)
#pragma once
#include <string>

namespace attnlab {

enum class NormaliserKind { Softmax, TopK, Sparsemax, Entmax15, Hardmax };

struct Normaliser {
    NormaliserKind kind = NormaliserKind::Softmax;
    float temperature = 1.0f;
    int k = 1;  // top-k only

    // probs[0..n) from scores[0..n); n >= 1. probs may alias scores.
    void apply(const float* scores, int n, float* probs) const;
    std::string describe() const;
};

// Throws Error unless temperature is finite and > 0.
Normaliser softmax_normaliser(float temperature);

// "softmax", "topk:K", "sparsemax", "entmax15" or "hardmax", at a temperature; throws Error naming `what`.
Normaliser parse_normaliser(const std::string& spec, float temperature, const std::string& what);

// The thresholds, exposed for tests: tau of sparsemax and of entmax-1.5 for z[0..n).
double sparsemax_threshold(const float* z, int n);
double entmax15_threshold(const float* z, int n);

}  // namespace attnlab
