#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "analysis/bootstrap.hpp"
#include "analysis/selectivity.hpp"
#include "analysis/stats.hpp"
#include "checkpoint_builder.hpp"
#include "model/gpt2.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// numpy's default (linear) quantile of a sorted copy: the reference the sketch is held to.
double linear_quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

std::vector<double> draws(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::gamma_distribution<double> ga(2.0, 1.0), gb(5.0, 1.0);  // Beta(2, 5) as Ga / (Ga + Gb): skewed, inside (0, 1)
    std::vector<double> v;
    for (std::size_t i = 0; i < n; ++i) {
        const double a = ga(rng), b = gb(rng);
        v.push_back(a / (a + b));
    }
    return v;
}

}  // namespace

TEST_SUITE("stats") {

TEST_CASE("unit quartiles are exact while they hold at most kExact values") {
    const auto v = draws(UnitQuartiles::kExact, 1);
    UnitQuartiles s;
    for (double x : v) s.add(x);
    CHECK(s.exact());
    const Quartiles q = s.quartiles();
    CHECK(q.q1 == linear_quantile(v, 0.25));
    CHECK(q.median == linear_quantile(v, 0.5));
    CHECK(q.q3 == linear_quantile(v, 0.75));
}

TEST_CASE("past kExact values the quartiles come from 1/1024 levels, within 1/2048 of the exact ones") {
    const auto v = draws(100000, 2);
    UnitQuartiles s;
    for (double x : v) s.add(x);
    s.add(std::nan(""));
    s.add(INFINITY);
    CHECK(!s.exact());
    CHECK(s.count() == 100000);
    const Quartiles q = s.quartiles();
    const double tol = 0.5 / UnitQuartiles::kLevels + 1e-12;
    CHECK(std::abs(q.q1 - linear_quantile(v, 0.25)) <= tol);
    CHECK(std::abs(q.median - linear_quantile(v, 0.5)) <= tol);
    CHECK(std::abs(q.q3 - linear_quantile(v, 0.75)) <= tol);
    // and the levels are used: the error is not zero for continuous draws
    CHECK(q.median != linear_quantile(v, 0.5));
}

TEST_CASE("pooled sketches give the pooled values' quartiles: exact when every part is, else within 1/2048") {
    const auto a = draws(200, 3), b = draws(50, 4), c = draws(5000, 5);
    UnitQuartiles sa, sb, sc;
    for (double x : a) sa.add(x);
    for (double x : b) sb.add(x);
    for (double x : c) sc.add(x);
    std::vector<double> ab = a;
    ab.insert(ab.end(), b.begin(), b.end());
    CHECK(UnitQuartiles::pooled({&sa, &sb}).median == linear_quantile(ab, 0.5));  // 250 values: exact
    std::vector<double> abc = ab;
    abc.insert(abc.end(), c.begin(), c.end());
    const Quartiles q = UnitQuartiles::pooled({&sa, &sb, &sc});
    CHECK(std::abs(q.q1 - linear_quantile(abc, 0.25)) <= 0.5 / UnitQuartiles::kLevels + 1e-12);
    CHECK(std::abs(q.q3 - linear_quantile(abc, 0.75)) <= 0.5 / UnitQuartiles::kLevels + 1e-12);
    CHECK(std::isnan(UnitQuartiles().quartiles().median));
}

TEST_CASE("selectivity summarised head by head over 60 windows matches the quartiles of every row gathered") {
    // 8 heads x 60 windows = 480 rows per N: more than kExact, so each cell holds levels, not values
    const Config c = tiny_config(1, 8, 16, 16, 50257);
    RandomInit init;
    init.std = 0.4f;
    const Model m = model_of(c, random_params(c, init));
    SelectivityOptions o;
    o.ks = {1, 2};
    o.bins = 4;
    SelectivitySummary summary(c, o);
    std::vector<std::vector<double>> by_n(16);  // every row's normalised entropy, per N
    ForwardOptions fo = attention_only([&](const HeadView& v) {
        const HeadRows h = head_selectivity(v, o);
        for (const auto& r : h.rows) if (r.n >= 2) by_n[static_cast<std::size_t>(r.n - 1)].push_back(r.entropy_norm);
        summary.add(h);
    });
    std::mt19937 rng(7);
    for (int w = 0; w < 60; ++w) {
        std::vector<int> ids;
        for (int i = 0; i < 16; ++i) ids.push_back(static_cast<int>(rng() % 50257));
        forward(m, ids, fo);
    }
    const SelectivityReport rep = summary.report();
    REQUIRE(by_n[15].size() == 480);  // past kExact: the sketch is in levels
    for (int n = 2; n <= 16; ++n) {
        const auto& v = by_n[static_cast<std::size_t>(n - 1)];
        CHECK(std::abs(rep.layers[0].entropy_norm.median[static_cast<std::size_t>(n - 1)] - linear_quantile(v, 0.5)) <=
              0.5 / UnitQuartiles::kLevels + 1e-9);
    }
    long rows = 0;
    for (long r : rep.layers[0].bin_rows) rows += r;
    CHECK(rows == 480 * 15);
}

TEST_CASE("a row sample keeps every value up to kKeep, then a repeatable uniform sample with exact count and max") {
    const auto v = draws(100000, 8);
    RowSample a, b;
    for (std::size_t i = 0; i < v.size(); ++i) {
        a.add(v[i]);
        b.add(v[i]);
        if (i + 1 == RowSample::kKeep) CHECK(a.values() == std::vector<double>(v.begin(), v.begin() + static_cast<long>(i + 1)));
    }
    a.add(std::nan(""));
    b.add(std::nan(""));
    CHECK(a.count() == 100001);
    CHECK(a.values().size() == RowSample::kKeep);
    CHECK(a.values() == b.values());  // the same draws every run
    CHECK(a.max() == *std::max_element(v.begin(), v.end()));
    // a uniform sample of 4,096: its quartiles estimate the population's to about 1.6 / sqrt(4096) IQRs; 0.01 here is
    // over 4 standard errors for Beta(2, 5) (IQR 0.2)
    std::vector<double> kept = a.values();
    const Quartiles q = quartiles(kept);
    CHECK(std::abs(q.median - linear_quantile(v, 0.5)) < 0.01);
    CHECK(std::abs(q.q1 - linear_quantile(v, 0.25)) < 0.01);
    CHECK(std::abs(q.q3 - linear_quantile(v, 0.75)) < 0.01);
    // and the sample is spread over the whole stream: later values are in it
    const std::vector<double> late(v.end() - 1000, v.end());
    CHECK(std::any_of(kept.begin(), kept.end(), [&](double x) { return std::find(late.begin(), late.end(), x) != late.end(); }));
}

TEST_CASE("the bootstrap interval of a mean matches the normal theory's mean +- 1.96 s / sqrt(n)") {
    const auto v = draws(400, 11);  // Beta(2, 5) draws
    double mean = 0, var = 0;
    for (double x : v) mean += x / 400;
    for (double x : v) var += (x - mean) * (x - mean) / 399;
    const double half = 1.96 * std::sqrt(var / 400);
    const Interval i = bootstrap_interval(v.size(), [&](const std::vector<int>& w) {
        double s = 0;
        for (std::size_t u = 0; u < v.size(); ++u) s += w[u] * v[u];
        return s / 400;
    });
    // 1,000 resamples place each end within about 10% of the half-width
    CHECK(i.low == doctest::Approx(mean - half).epsilon(0.1 * half / mean));
    CHECK(i.high == doctest::Approx(mean + half).epsilon(0.1 * half / mean));
    // repeatable, and undefined for fewer than two units
    const Interval again = bootstrap_interval(v.size(), [&](const std::vector<int>& w) { return static_cast<double>(w[0]); });
    CHECK(again.low == bootstrap_interval(v.size(), [&](const std::vector<int>& w) { return static_cast<double>(w[0]); }).low);
    CHECK(std::isnan(bootstrap_interval(1, [](const std::vector<int>&) { return 1.0; }).low));
}

}  // TEST_SUITE
