#include "analysis/paper_measures.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace attnlab {

SelectionSweep selection_sweep(const float* p, const RefRM& values, int n, const std::vector<int>& top_ns, double delta) {
    assert(n >= 1 && values.rows() >= n && "a row needs a value vector per token");
    assert(std::is_sorted(top_ns.begin(), top_ns.end()) && "top-N values ascending");
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    const Eigen::Index hs = values.cols();
    SelectionSweep out;
    out.distance.assign(top_ns.size(), nan);
    out.distinguishable.assign(top_ns.size(), nan);

    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [p](int a, int b) { return p[a] > p[b]; });

    // o = sum_j alpha_j x_j (the head's output): the unselected sum is o - s, so d~ = ||o - 2 s||
    Eigen::RowVectorXd o = Eigen::RowVectorXd::Zero(hs), s = o;
    for (int j = 0; j < n; ++j) {
        o += double(p[j]) * values.row(j).cast<double>();
        out.scale += double(p[j]) * values.row(j).cast<double>().norm();
    }
    std::vector<double> to_s(static_cast<std::size_t>(n));
    std::size_t next = 0;
    for (int k = 1; k < n; ++k) {
        s += double(p[order[static_cast<std::size_t>(k - 1)]]) * values.row(order[static_cast<std::size_t>(k - 1)]).cast<double>();
        const double d = (o - 2.0 * s).norm();
        if (out.critical_n == 0 && d <= delta * out.scale) out.critical_n = k;
        while (next < top_ns.size() && top_ns[next] < k) ++next;
        if (next == top_ns.size() || top_ns[next] != k) continue;
        out.distance[next] = d;
        for (int j = 0; j < n; ++j) to_s[static_cast<std::size_t>(j)] = (double(p[j]) * values.row(j).cast<double>() - s).norm();
        double nearest_rest = std::numeric_limits<double>::infinity();
        for (int r = k; r < n; ++r) nearest_rest = std::min(nearest_rest, to_s[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])]);
        int told_apart = 0;
        for (int r = 0; r < k; ++r) told_apart += to_s[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])] < nearest_rest;
        out.distinguishable[next] = static_cast<double>(told_apart) / k;
    }
    return out;
}

double lemma_diagonal_max(const float* p, int n, double temperature) {
    double best = 0;
    for (int i = 0; i < n; ++i) best = std::max(best, double(p[i]) * (1.0 - double(p[i])));
    return best / temperature;
}

double scaled_weight_grad_max(const float* p, int n) {
    double s2 = 0;
    for (int j = 0; j < n; ++j) s2 += double(p[j]) * p[j];
    double best = 0;
    // ||e_i - alpha||^2 = 1 - 2 alpha_i + sum_j alpha_j^2
    for (int i = 0; i < n; ++i) best = std::max(best, double(p[i]) * std::sqrt(std::max(0.0, 1.0 - 2.0 * p[i] + s2)));
    return best;
}

}  // namespace attnlab
