// The percentile bootstrap that puts an interval on attnlab's figures measured over units of text (evaluation
// windows for a loss, bins of N for a trend): resample the units with replacement, recompute the figure, and take
// the 2.5th and 97.5th percentiles of the recomputed values. The draws come from splitmix64 of a fixed seed, so
// a run is repeatable.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace attnlab {

struct Interval {
    double low, high;  // NaN both when there are fewer than 2 units or no resample gave a finite value
};

constexpr int kBootstrapResamples = 1000;

// statistic(weights): the figure over a resample, weights[u] the times unit u was drawn (the same weights serve
// every quantity of a paired comparison, e.g. a loss with and without heads replaced on the same windows).
// Resamples whose statistic is not finite are left out.
Interval bootstrap_interval(std::size_t units, const std::function<double(const std::vector<int>&)>& statistic,
                            int resamples = kBootstrapResamples, std::uint64_t seed = 1);

// The 2.5th and 97.5th percentiles (numpy's linear) of the finite values; NaN both when there are none.
Interval percentile_interval(std::vector<double> values);

// How a report names its intervals: "95% percentile bootstrap over <units> (1,000 resamples)".
std::string bootstrap_method(const std::string& units);

}  // namespace attnlab
