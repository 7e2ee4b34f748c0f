#include "attention/normaliser.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Dense>

#include "error.hpp"

namespace attnlab {
namespace {

// p = softmax(s * inv_t); reads each s_j before writing p_j, so p may alias s
void softmax_row(const float* s, int n, float inv_t, float* p) {
    // subtracting the max keeps exp() in range without changing the result
    const float max = *std::max_element(s, s + n);
    // exp in SIMD (Eigen's vectorised exp; entry by entry, so p may alias s), then the sum in order
    Eigen::Map<Eigen::ArrayXf>(p, n) = ((Eigen::Map<const Eigen::ArrayXf>(s, n) - max) * inv_t).exp();
    float sum = 0.0f;
    for (int j = 0; j < n; ++j) sum += p[j];
    const float inv_sum = 1.0f / sum;
    // weights below float's normal range are flushed to 0: at low temperature whole rows would otherwise be subnormal,
    // which the weighted sum of values runs several times slower on (and which carry under 1e-38 of mass)
    for (int j = 0; j < n; ++j) {
        const float v = p[j] * inv_sum;
        p[j] = v < std::numeric_limits<float>::min() ? 0.0f : v;
    }
}

std::vector<double> sorted_desc(const float* z, int n) {
    std::vector<double> s(z, z + n);
    std::sort(s.begin(), s.end(), std::greater<double>());
    return s;
}

}  // namespace

double sparsemax_threshold(const float* z, int n) {
    // the support is the largest k with 1 + k z_(k) > sum_{j <= k} z_(j); tau = (sum_{j <= k} z_(j) - 1) / k
    const std::vector<double> s = sorted_desc(z, n);
    double cum = 0, tau = s[0] - 1;
    for (int k = 1; k <= n; ++k) {
        cum += s[static_cast<std::size_t>(k - 1)];
        if (1 + k * s[static_cast<std::size_t>(k - 1)] > cum) tau = (cum - 1) / k;
    }
    return tau;
}

double entmax15_threshold(const float* z, int n) {
    // with x = z / 2 sorted: for the k largest, tau_k = mean_k - sqrt(max(0, (1 - k (meansq_k - mean_k^2)) / k));
    // the support size is the number of k with tau_k <= x_(k), and tau = tau at that size
    std::vector<double> x = sorted_desc(z, n);
    for (auto& v : x) v /= 2;
    std::vector<double> taus(static_cast<std::size_t>(n));
    double sum = 0, sumsq = 0;
    int support = 0;
    for (int k = 1; k <= n; ++k) {
        const double v = x[static_cast<std::size_t>(k - 1)];
        sum += v;
        sumsq += v * v;
        const double mean = sum / k, delta = (1 - k * (sumsq / k - mean * mean)) / k;
        taus[static_cast<std::size_t>(k - 1)] = mean - std::sqrt(std::max(0.0, delta));
        if (taus[static_cast<std::size_t>(k - 1)] <= v) ++support;
    }
    return taus[static_cast<std::size_t>(std::max(1, support) - 1)];
}

void Normaliser::apply(const float* scores, int n, float* probs) const {
    const float inv_t = 1.0f / temperature;
    if (kind == NormaliserKind::Softmax || (kind == NormaliserKind::TopK && n <= k)) {
        softmax_row(scores, n, inv_t, probs);  // the hot path: no copy
        return;
    }
    std::vector<float> z(scores, scores + n);  // probs may alias scores
    for (auto& v : z) v *= inv_t;
    if (kind == NormaliserKind::TopK) {
        std::vector<int> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return z[a] > z[b]; });
        std::vector<float> kept(static_cast<std::size_t>(k));
        for (int i = 0; i < k; ++i) kept[static_cast<std::size_t>(i)] = z[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])];
        softmax_row(kept.data(), k, 1.0f, kept.data());
        std::fill(probs, probs + n, 0.0f);
        for (int i = 0; i < k; ++i) probs[order[static_cast<std::size_t>(i)]] = kept[static_cast<std::size_t>(i)];
        return;
    }
    if (kind == NormaliserKind::Hardmax) {
        // attnlab's tie rule, shared with the hull index: among tied maxima the latest key takes all the weight
        int last = 0;
        for (int j = 1; j < n; ++j)
            if (z[j] >= z[last]) last = j;
        std::fill(probs, probs + n, 0.0f);
        probs[last] = 1.0f;
        return;
    }
    // sparsemax: max(z - tau, 0); entmax-1.5: max(z/2 - tau, 0)^2
    const bool sparse = kind == NormaliserKind::Sparsemax;
    const double tau = sparse ? sparsemax_threshold(z.data(), n) : entmax15_threshold(z.data(), n);
    double sum = 0;
    for (int j = 0; j < n; ++j) {
        const double above = std::max(0.0, sparse ? z[j] - tau : z[j] / 2.0 - tau);
        const double v = sparse ? above : above * above;
        probs[j] = static_cast<float>(v);
        sum += probs[j];
    }
    // the threshold makes the row sum to 1 up to rounding; make it exact
    for (int j = 0; j < n; ++j) probs[j] = static_cast<float>(probs[j] / sum);
}

std::string Normaliser::describe() const {
    char t[32];
    std::snprintf(t, sizeof t, "T=%g", static_cast<double>(temperature));
    switch (kind) {
        case NormaliserKind::Softmax: return std::string("softmax(") + t + ")";
        case NormaliserKind::TopK: return "top-" + std::to_string(k) + " softmax(" + t + ")";
        case NormaliserKind::Sparsemax: return std::string("sparsemax(") + t + ")";
        case NormaliserKind::Entmax15: return std::string("entmax-1.5(") + t + ")";
        case NormaliserKind::Hardmax: return std::string("hard-max(") + t + ")";
    }
    return "?";
}

Normaliser softmax_normaliser(float temperature) {
    if (!(temperature > 0.0f) || !std::isfinite(temperature))
        throw Error("temperature must be a finite number > 0 (got " + std::to_string(temperature) + ")");
    Normaliser n;
    n.temperature = temperature;
    return n;
}

Normaliser parse_normaliser(const std::string& spec, float temperature, const std::string& what) {
    Normaliser n = softmax_normaliser(temperature);
    if (spec == "softmax") return n;
    if (spec == "sparsemax") n.kind = NormaliserKind::Sparsemax;
    else if (spec == "entmax15" || spec == "entmax-1.5") n.kind = NormaliserKind::Entmax15;
    else if (spec == "hardmax" || spec == "hard-max") n.kind = NormaliserKind::Hardmax;
    else if (spec.rfind("topk:", 0) == 0) {
        n.kind = NormaliserKind::TopK;
        char* end = nullptr;
        const long k = std::strtol(spec.c_str() + 5, &end, 10);
        if (spec.size() == 5 || *end != '\0' || k < 1 || k > 1000000)
            throw Error(what + ": top-k needs a k >= 1, as topk:4 (got '" + spec + "')");
        n.k = static_cast<int>(k);
    } else {
        throw Error(what + " must be softmax, topk:K, sparsemax, entmax15 or hardmax (got '" + spec + "')");
    }
    return n;
}

}  // namespace attnlab
