#include "analysis/trend.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "analysis/stats.hpp"

namespace attnlab {
namespace {

std::vector<double> average_ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> rank(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        for (std::size_t k = i; k <= j; ++k) rank[order[k]] = 0.5 * static_cast<double>(i + j) + 1;
        i = j + 1;
    }
    return rank;
}

// a standard normal draw from two uniform ones (Box-Muller), advancing state
double normal_draw(std::uint64_t& state) {
    state = splitmix64(state);
    const double u1 = (static_cast<double>(state >> 11) + 0.5) / 9007199254740992.0;
    state = splitmix64(state);
    const double u2 = static_cast<double>(state >> 11) / 9007199254740992.0;
    return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (x.size() < 2 || x.size() != y.size()) return nan;
    const std::vector<double> rx = average_ranks(x), ry = average_ranks(y);
    const double mx = std::accumulate(rx.begin(), rx.end(), 0.0) / rx.size(), my = std::accumulate(ry.begin(), ry.end(), 0.0) / ry.size();
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < rx.size(); ++i) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : nan;
}

Trend bin_trend(const std::vector<NBin>& bins, const std::vector<long>& rows, const Band& band) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> n, median, spread;  // per usable bin: geometric middle of N, median, standard error of the median
    for (std::size_t b = 0; b < bins.size() && b < rows.size() && b < band.median.size(); ++b) {
        const double units = static_cast<double>(rows[b]) / (bins[b].hi - bins[b].lo + 1);
        if (units < kTrendMinUnits || !std::isfinite(band.median[b])) continue;
        n.push_back(std::sqrt(static_cast<double>(bins[b].lo) * bins[b].hi));
        median.push_back(band.median[b]);
        spread.push_back(0.93 * (band.q3[b] - band.q1[b]) / std::sqrt(units));
    }
    Trend t{"too few rows", nan, {nan, nan}, static_cast<int>(n.size())};
    if (t.bins_used < kTrendMinBins) return t;
    t.rho = spearman(n, median);
    // the medians redrawn from their sampling spread, kBootstrapResamples times; the bins are N's design points, kept
    std::uint64_t state = 0x5e1ec7;  // repeatable draws
    std::vector<double> rhos, y(median.size());
    for (int r = 0; r < kBootstrapResamples; ++r) {
        for (std::size_t b = 0; b < median.size(); ++b) y[b] = median[b] + spread[b] * normal_draw(state);
        rhos.push_back(spearman(n, y));
    }
    t.interval = percentile_interval(std::move(rhos));
    t.verdict = t.interval.low > 0 ? "rises" : t.interval.high < 0 ? "falls" : "flat";
    return t;
}

}  // namespace attnlab
