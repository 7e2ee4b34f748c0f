#include <doctest/doctest.h>

#include <cmath>

#include "analysis/trend.hpp"

using namespace attnlab;

namespace {

// Bins N = 2-3, 4-7, ..., each with `units` head-window pairs behind every N, medians `median`, IQR `iqr`.
struct Curve {
    std::vector<NBin> bins;
    std::vector<long> rows;
    Band band;
    Curve(const std::vector<double>& median, double iqr, double units) {
        int lo = 2;
        for (double m : median) {
            bins.push_back({lo, 2 * lo - 1});
            rows.push_back(static_cast<long>(units * lo));  // lo values of N in the bin
            band.add({m - iqr / 2, m, m + iqr / 2});
            lo *= 2;
        }
    }
};

}  // namespace

TEST_SUITE("trend") {

TEST_CASE("Spearman's rho is Pearson's r of the ranks, ties given their average rank") {
    // hand-worked: x ranks 1 2 3 4 5, y = 2 1 4 3 5 -> d = -1 1 -1 1 0, rho = 1 - 6 * 4 / (5 * 24) = 0.8
    CHECK(spearman({1, 2, 3, 4, 5}, {20, 10, 40, 30, 50}) == doctest::Approx(0.8));
    CHECK(spearman({1, 2, 3}, {9, 4, 1}) == doctest::Approx(-1.0));
    // ties: y = 1 1 2 -> ranks 1.5 1.5 3; r of (1 2 3) and (1.5 1.5 3) = 0.866025
    CHECK(spearman({1, 2, 3}, {1, 1, 2}) == doctest::Approx(std::sqrt(3.0) / 2));
    CHECK(std::isnan(spearman({1, 2, 3}, {5, 5, 5})));
}

TEST_CASE("a curve that falls steadily over well-filled bins is called falling, with an interval below 0") {
    const Curve c({0.9, 0.8, 0.7, 0.6, 0.5, 0.4}, 0.1, 200);
    const Trend t = bin_trend(c.bins, c.rows, c.band);
    CHECK(t.verdict == "falls");
    CHECK(t.rho == doctest::Approx(-1.0));
    CHECK(t.interval.high < 0);
    CHECK(t.bins_used == 6);
}

TEST_CASE("the same medians from few rows with a wide spread cannot be told from flat") {
    // standard error of each median 0.93 * 0.8 / sqrt(1) = 0.74, far more than the 0.1 steps
    const Curve c({0.9, 0.8, 0.7, 0.6, 0.5, 0.4}, 0.8, 8);
    const Trend t = bin_trend(c.bins, c.rows, c.band);
    CHECK(t.verdict == "flat");
    CHECK(t.interval.low < 0);
    CHECK(t.interval.high > 0);
}

TEST_CASE("a rising curve is called rising; bins with fewer head-window pairs than the minimum are left out") {
    Curve c({0.2, 0.3, 0.4, 0.5, 0.6}, 0.05, 100);
    c.rows[0] = 2;  // 2 rows over N = 2-3: one head-window pair, too few
    const Trend t = bin_trend(c.bins, c.rows, c.band);
    CHECK(t.verdict == "rises");
    CHECK(t.bins_used == 4);
    CHECK(t.interval.low > 0);
}

TEST_CASE("fewer than four bins with enough rows give no verdict") {
    const Curve c({0.9, 0.5, 0.1}, 0.05, 100);
    const Trend t = bin_trend(c.bins, c.rows, c.band);
    CHECK(t.verdict == "too few rows");
    CHECK(std::isnan(t.rho));
    CHECK(t.bins_used == 3);
}

}  // TEST_SUITE
