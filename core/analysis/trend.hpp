// attnlab's verdict on a per-N curve (docs/science.md section 1): does a quantity fall, stay flat or rise as N grows?
// Over the log-spaced bins of N that hold enough rows, the Spearman rank correlation rho between the bin's N
// (its geometric middle) and the bin's median; a 95% interval from 1,000 redraws of every bin's median from its
// sampling spread (normal, standard error 0.93 IQR / sqrt(units), the units being the head-window pairs behind the
// bin, since rows of one head in one window are not independent; the bins, N's design points, stay). The verdict:
// "rises" when the interval lies above 0, "falls" below 0, else "flat"; "too few rows" when fewer than
// kTrendMinBins bins hold kTrendMinUnits units each.
#pragma once
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/selectivity.hpp"

namespace attnlab {

constexpr int kTrendMinBins = 4;
constexpr double kTrendMinUnits = 8;

struct Trend {
    std::string verdict;  // "falls", "flat", "rises", "too few rows"
    double rho;           // NaN when too few rows
    Interval interval;
    int bins_used = 0;
};

// Spearman's rank correlation of x and y (average ranks for ties); NaN when either is constant or n < 2.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// bins, and per bin the rows behind it and the quantity's quartiles (band.q1/median/q3 [bin]).
Trend bin_trend(const std::vector<NBin>& bins, const std::vector<long>& rows, const Band& band);

}  // namespace attnlab
