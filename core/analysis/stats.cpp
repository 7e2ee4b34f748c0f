#include "analysis/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnlab {

namespace {

// numpy's linear quartiles of `count` sorted values (linear_quantile's value_at); NaN for none.
template <class At>
Quartiles linear_quartiles(long count, At value_at) {
    return {linear_quantile(count, value_at, 0.25), linear_quantile(count, value_at, 0.5), linear_quantile(count, value_at, 0.75)};
}

}  // namespace

std::uint64_t splitmix64(std::uint64_t x) {
    std::uint64_t z = x + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double Mean::mean() const { return n_ ? sum_ / static_cast<double>(n_) : std::numeric_limits<double>::quiet_NaN(); }

Quartiles quartiles(std::vector<double>& values) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
    std::sort(values.begin(), values.end());
    return linear_quartiles(static_cast<long>(values.size()), [&](long rank) { return values[static_cast<std::size_t>(rank)]; });
}

void RowSample::add(double v) {
    if (std::isfinite(v)) max_ = std::max(max_, v);
    ++count_;
    if (kept_.size() < kKeep) {
        kept_.push_back(v);
        return;
    }
    // Algorithm R: the count_-th value replaces a kept one with probability kKeep / count_ (splitmix64 of the count)
    const std::uint64_t slot = splitmix64(static_cast<std::uint64_t>(count_)) % static_cast<std::uint64_t>(count_);
    if (slot < kKeep) kept_[static_cast<std::size_t>(slot)] = v;
}

double RowSample::max() const { return std::isfinite(max_) ? max_ : std::numeric_limits<double>::quiet_NaN(); }

void UnitQuartiles::add(double v) {
    if (!std::isfinite(v)) return;
    ++count_;
    if (levels_.empty()) {
        exact_.push_back(v);
        if (exact_.size() > kExact) spill();
    } else {
        ++levels_[static_cast<std::size_t>(level_of(v))];
    }
}

int UnitQuartiles::level_of(double v) {
    return std::clamp(static_cast<int>(std::floor(v * kLevels)), 0, kLevels - 1);
}

void UnitQuartiles::spill() {
    levels_.assign(kLevels, 0);
    for (double v : exact_) ++levels_[static_cast<std::size_t>(level_of(v))];
    exact_.clear();
    exact_.shrink_to_fit();
}

// numpy's linear quantiles over the sorted values, each value its level's centre
Quartiles UnitQuartiles::from_levels(const std::vector<std::uint32_t>& levels, long count) {
    return linear_quartiles(count, [&](long rank) {
        long seen = 0;
        for (int l = 0; l < kLevels; ++l) {
            seen += levels[static_cast<std::size_t>(l)];
            if (rank < seen) return (l + 0.5) / kLevels;
        }
        return (kLevels - 0.5) / kLevels;
    });
}

Quartiles UnitQuartiles::quartiles() const { return pooled({this}); }

Quartiles UnitQuartiles::pooled(const std::vector<const UnitQuartiles*>& parts) {
    if (std::all_of(parts.begin(), parts.end(), [](const UnitQuartiles* p) { return p->exact(); })) {
        std::vector<double> all;
        for (const auto* p : parts) all.insert(all.end(), p->exact_.begin(), p->exact_.end());
        return attnlab::quartiles(all);
    }
    std::vector<std::uint32_t> levels(kLevels, 0);
    long count = 0;
    for (const auto* p : parts) {
        count += p->count_;
        for (double v : p->exact_) ++levels[static_cast<std::size_t>(level_of(v))];
        for (std::size_t l = 0; l < p->levels_.size(); ++l) levels[l] += p->levels_[l];
    }
    return from_levels(levels, count);
}

}  // namespace attnlab
