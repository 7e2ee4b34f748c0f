#include "attention/normaliser.hpp"

#include <algorithm>
#include <cmath>

#include "error.hpp"

namespace attnlab {

void Normaliser::apply(const float* scores, int n, float* probs) const {
    // subtracting the max keeps exp() in range without changing the result
    const float max = *std::max_element(scores, scores + n);
    const float inv_t = 1.0f / temperature;
    float sum = 0.0f;
    for (int j = 0; j < n; ++j) {
        probs[j] = std::exp((scores[j] - max) * inv_t);
        sum += probs[j];
    }
    const float inv_sum = 1.0f / sum;
    for (int j = 0; j < n; ++j) probs[j] *= inv_sum;
}

std::string Normaliser::describe() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "softmax(T=%g)", static_cast<double>(temperature));
    return buf;
}

Normaliser softmax_normaliser(float temperature) {
    if (!(temperature > 0.0f) || !std::isfinite(temperature))
        throw Error("temperature must be a finite number > 0 (got " + std::to_string(temperature) + ")");
    Normaliser n;
    n.temperature = temperature;
    return n;
}

}  // namespace attnlab
