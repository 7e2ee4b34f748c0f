// The normaliser that turns one causal row of attention scores into weights.
// Every head goes through this one interface, so an analysis can swap softmax for another normaliser.
//   softmax(T): p_j = exp(s_j / T) / sum_k exp(s_k / T)
#pragma once
#include <string>

namespace attnlab {

enum class NormaliserKind { Softmax };

struct Normaliser {
    NormaliserKind kind = NormaliserKind::Softmax;
    float temperature = 1.0f;

    // probs[0..n) from scores[0..n); n >= 1. probs may alias scores.
    void apply(const float* scores, int n, float* probs) const;
    std::string describe() const;
};

// Throws Error unless temperature is finite and > 0.
Normaliser softmax_normaliser(float temperature);

}  // namespace attnlab
