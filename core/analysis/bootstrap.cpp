#include "analysis/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "analysis/stats.hpp"

namespace attnlab {

Interval bootstrap_interval(std::size_t units, const std::function<double(const std::vector<int>&)>& statistic,
                            int resamples, std::uint64_t seed) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (units < 2) return {nan, nan};
    std::vector<double> values;
    values.reserve(static_cast<std::size_t>(resamples));
    std::vector<int> weights(units);
    std::uint64_t state = seed;
    for (int r = 0; r < resamples; ++r) {
        std::fill(weights.begin(), weights.end(), 0);
        for (std::size_t i = 0; i < units; ++i) {
            state = splitmix64(state);
            ++weights[static_cast<std::size_t>(state % units)];
        }
        values.push_back(statistic(weights));
    }
    return percentile_interval(std::move(values));
}

Interval percentile_interval(std::vector<double> values) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
    if (values.empty()) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    std::sort(values.begin(), values.end());
    const auto at = [&](long rank) { return values[static_cast<std::size_t>(rank)]; };
    const long n = static_cast<long>(values.size());
    return {linear_quantile(n, at, 0.025), linear_quantile(n, at, 0.975)};
}

std::string bootstrap_method(const std::string& units) {
    return "95% percentile bootstrap over " + units + " (" + std::to_string(kBootstrapResamples) + " resamples)";
}

}  // namespace attnlab
