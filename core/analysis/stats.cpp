#include "analysis/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnlab {

double Mean::mean() const { return n_ ? sum_ / static_cast<double>(n_) : std::numeric_limits<double>::quiet_NaN(); }

Quartiles quartiles(std::vector<double>& values) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (values.empty()) return {nan, nan, nan};
    std::sort(values.begin(), values.end());
    auto at = [&](double q) {
        const double pos = q * static_cast<double>(values.size() - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const std::size_t hi = std::min(lo + 1, values.size() - 1);
        return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
    };
    return {at(0.25), at(0.5), at(0.75)};
}

}  // namespace attnlab
