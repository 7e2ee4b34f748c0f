// Small statistics helpers shared by the analyses: quantiles and means that skip NaN.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace attnlab {

// splitmix64: the output for state x (Steele, Lea & Flood 2014); attnlab's repeatable random draws.
std::uint64_t splitmix64(std::uint64_t x);

// numpy's linear quantile q of `count` sorted values, value_at(rank) giving the rank-th smallest (from 0); NaN for none.
template <class At>
double linear_quantile(long count, At value_at, double q) {
    if (count == 0) return std::numeric_limits<double>::quiet_NaN();
    const double pos = q * static_cast<double>(count - 1);
    const auto lo = static_cast<long>(std::floor(pos));
    const long hi = lo + 1 < count ? lo + 1 : count - 1;
    const double a = value_at(lo), b = value_at(hi);
    return a + (pos - static_cast<double>(lo)) * (b - a);
}

struct Quartiles {
    double q1, median, q3;
};

// Linear-interpolated quartiles of the finite values (NaN when there are none). Reorders `values`.
Quartiles quartiles(std::vector<double>& values);

// Quartiles of values in [0, 1] (normalised entropy, N_eff / N, top-k mass) in bounded memory, so a summary over
// any length of text holds a fixed number of bytes: exact (quartiles() above) while it holds at most kExact values;
// past that, counts in kLevels equal levels of [0, 1], each value read as its level's centre, so a quartile is off by
// at most 1 / (2 kLevels) = 0.0005. At most 4 KiB each. Non-finite values are skipped.
class UnitQuartiles {
public:
    static constexpr std::size_t kExact = 256;
    static constexpr int kLevels = 1024;
    void add(double v);
    long count() const { return count_; }
    bool exact() const { return levels_.empty(); }
    Quartiles quartiles() const;
    // The quartiles of every value the sketches hold together: exact when each of them still is.
    static Quartiles pooled(const std::vector<const UnitQuartiles*>& parts);

private:
    void spill();  // exact values into levels
    static int level_of(double v);
    static Quartiles from_levels(const std::vector<std::uint32_t>& levels, long count);
    std::vector<double> exact_;
    std::vector<std::uint32_t> levels_;  // empty while exact
    long count_ = 0;
};

// The values of one cell of a report over any number of rows, in bounded memory: every value while there are at
// most kKeep, then a uniform sample of kKeep of them (reservoir sampling, its random draws fixed by the count, so a
// run is repeatable). Quartiles of the sample estimate those of all rows; count() and max() are exact.
class RowSample {
public:
    static constexpr std::size_t kKeep = 4096;
    void add(double v);
    const std::vector<double>& values() const { return kept_; }  // all of them while count() <= kKeep
    long count() const { return count_; }                         // every value added, NaN included
    double max() const;                                            // of the finite values (NaN: none)

private:
    std::vector<double> kept_;
    long count_ = 0;
    double max_ = -std::numeric_limits<double>::infinity();
};

// Running mean that ignores NaN; mean() is NaN when nothing was added.
class Mean {
public:
    void add(double v) {
        if (v == v) {
            sum_ += v;
            ++n_;
        }
    }
    double mean() const;
    long count() const { return n_; }

private:
    double sum_ = 0;
    long n_ = 0;
};

}  // namespace attnlab
