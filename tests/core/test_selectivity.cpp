#include <doctest/doctest.h>

#include <cmath>

#include "analysis/selectivity.hpp"
#include "analysis/windows.hpp"
#include "checkpoint_builder.hpp"
#include "error.hpp"
#include "model/gpt2.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

RowSelectivity row(const std::vector<float>& p, const std::vector<float>& s = {}, double temperature = 1.0,
                   SelectivityOptions o = {}) {
    std::vector<float> scores = s;
    if (scores.empty())
        for (float x : p) scores.push_back(std::log(std::max(x, 1e-30f)));
    return row_selectivity(p.data(), scores.data(), static_cast<int>(p.size()), 1.0, 1.0, 1.0, temperature, o);
}

// Head `head` of layer 0 with one row per weight vector (scores = log weights, T = 1).
HeadRows head_rows(int head, const std::vector<std::vector<float>>& rows, const SelectivityOptions& o) {
    HeadRows h;
    h.layer = 0;
    h.head = head;
    for (const auto& p : rows) h.rows.push_back(row(p, {}, 1.0, o));
    return h;
}

}  // namespace

TEST_SUITE("selectivity") {

TEST_CASE("a uniform row has normalised entropy 1, N_eff = N, no distance to uniform, and k/N mass") {
    const int N = 10;
    const auto r = row(std::vector<float>(N, 0.1f));
    CHECK(r.entropy_norm == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(r.n_eff == doctest::Approx(10.0).epsilon(1e-5));
    CHECK(r.n_eff_frac == doctest::Approx(1.0).epsilon(1e-5));
    CHECK(r.tv_uniform == doctest::Approx(0.0).epsilon(1e-6));
    CHECK(r.p_max == doctest::Approx(0.1));
    CHECK(r.k90 == 9);
    CHECK(r.mass[0] == doctest::Approx(0.1));  // k = 1
    CHECK(r.mass[2] == doctest::Approx(0.4));  // k = 4
}

TEST_CASE("a one-hot row has entropy 0, N_eff = 1, TV = 1 - 1/N and all mass on k = 1") {
    std::vector<float> p(8, 0.0f);
    p[3] = 1.0f;
    const auto r = row(p);
    CHECK(r.entropy == 0.0);
    CHECK(r.n_eff == doctest::Approx(1.0));
    CHECK(r.tv_uniform == doctest::Approx(1.0 - 1.0 / 8));
    CHECK(r.k90 == 1);
    CHECK(r.mass[0] == doctest::Approx(1.0));
}

TEST_CASE("p = (1/2, 1/4, 1/4): H = 1.5 ln 2, N_eff = 2^1.5, TV = 1/6, k_90 = 3") {
    const auto r = row({0.25f, 0.5f, 0.25f});
    CHECK(r.entropy == doctest::Approx(1.5 * std::log(2.0)));
    CHECK(r.entropy_norm == doctest::Approx(1.5 * std::log(2.0) / std::log(3.0)));
    CHECK(r.n_eff == doctest::Approx(std::pow(2.0, 1.5)));
    CHECK(r.tv_uniform == doctest::Approx(1.0 / 6));
    CHECK(r.p_max == 0.5);
    CHECK(r.k90 == 3);
    CHECK(r.mass[1] == doctest::Approx(0.75));  // k = 2
    CHECK(std::isnan(r.mass[2]));               // k = 4 > N
}

TEST_CASE("equal weights rank by score, a weight of -0 as 0, so the top-k set and its margin are defined") {
    // two halves and two zeros (as sparsemax gives), scores (1, 2, -3, 5); the -0 weight has the best score
    SelectivityOptions o;
    o.ks = {1, 2, 3};
    const RowSelectivity r = row({0.5f, 0.5f, 0.0f, -0.0f}, {1.0f, 2.0f, -3.0f, 5.0f}, 1.0, o);
    // k = 1: {score 2} against the best left out, 5; k = 2: {2, 1} against 5; k = 3: {2, 1, 5} against -3
    CHECK(r.margin[0] == -3.0);
    CHECK(r.margin[1] == -4.0);
    CHECK(r.margin[2] == 4.0);
    CHECK(r.mass[0] == 0.5);
    CHECK(r.mass[2] == 1.0);
    CHECK(r.p_max == 0.5);
    CHECK(r.k90 == 2);
}

TEST_CASE("a single-token row has no normalised entropy") {
    CHECK(std::isnan(row({1.0f}).entropy_norm));
}

TEST_CASE("scores with exactly the needed margin put exactly 1 - eps on the top-k set") {
    for (double temperature : {0.3, 1.0, 2.5})
        for (auto [N, k] : {std::pair<int, int>{20, 1}, {64, 4}, {7, 3}}) {
            const double eps = 0.1;
            const double delta = delta_needed(N, k, eps, temperature);
            CHECK(delta == doctest::Approx(temperature * std::log((N - k) * (1 - eps) / (k * eps))));
            // k scores at delta, N - k at 0; softmax by the normaliser of the forward pass
            std::vector<float> s(static_cast<std::size_t>(N), 0.0f), p(static_cast<std::size_t>(N));
            for (int j = 0; j < k; ++j) s[static_cast<std::size_t>(j * 2 % N)] = static_cast<float>(delta);
            softmax_normaliser(static_cast<float>(temperature)).apply(s.data(), N, p.data());
            SelectivityOptions o;
            o.ks = {k};
            o.eps = eps;
            const auto r = row(p, s, temperature, o);
            CHECK(r.mass[0] == doctest::Approx(1 - eps).epsilon(1e-5));
            CHECK(r.margin[0] == doctest::Approx(delta).epsilon(1e-5));
            CHECK(r.needed[0] == doctest::Approx(delta));
            CHECK(r.bound[0] == doctest::Approx(1 - eps).epsilon(1e-5));  // the bound is tight here
        }
}

TEST_CASE("the needed margin grows like T log N") {
    const double a = delta_needed(100, 1, 0.1, 1.0), b = delta_needed(10000, 1, 0.1, 1.0);
    CHECK(b - a == doctest::Approx(std::log(9999.0 / 99.0)));
    CHECK(delta_needed(100, 1, 0.1, 2.0) == doctest::Approx(2 * a));
    CHECK(std::isnan(delta_needed(4, 4, 0.1, 1.0)));
}

TEST_CASE("on a real forward pass: margins stay under the ceiling, and mass stays above the margin's bound, which stays under the ceiling's") {
    const Config c = tiny_config(2, 4, 16, 32, 50257);
    RandomInit init;
    init.std = 0.4f;
    init.jitter = 0.2f;
    const Model m = model_of(c, random_params(c, init));
    ForwardOptions fo;
    SelectivityOptions o;
    std::vector<HeadRows> heads;
    fo.observer = [&](const HeadView& v) { heads.push_back(head_selectivity(v, o)); };
    std::vector<int> ids;
    for (int i = 0; i < 32; ++i) ids.push_back((i * 7919) % 50257);
    forward(m, ids, fo);
    REQUIRE(heads.size() == 8);
    for (const auto& h : heads)
        for (const auto& r : h.rows)
            for (std::size_t k = 0; k < o.ks.size(); ++k) {
                if (std::isnan(r.mass[k])) continue;
                CHECK(r.margin[k] <= r.ceiling + 1e-5);
                CHECK(r.mass[k] >= r.bound[k] - 1e-5);
                CHECK(r.bound[k] <= r.ceiling_bound[k] + 1e-9);
                const double n = static_cast<double>(r.n), kk = o.ks[k];
                CHECK(r.ceiling_bound[k] == doctest::Approx(kk / (kk + (n - kk) * std::exp(-r.ceiling))).epsilon(1e-12));
            }
}

TEST_CASE("the summary's bands are quartiles over heads and windows, and the head map is each head's mean") {
    const Config c = tiny_config(1, 2, 8, 16, 50257);
    SelectivityOptions o;
    o.ks = {1};
    o.detail = {{0, 1}};
    auto make = [&](int head, const std::vector<std::vector<float>>& rows) { return head_rows(head, rows, o); };
    const std::vector<float> one = {1.0f}, uniform2 = {0.5f, 0.5f}, peaked2 = {0.9f, 0.1f};
    const auto rep = summarise_selectivity({make(0, {one, uniform2}), make(1, {one, peaked2}), make(1, {one, uniform2})}, c, o);
    REQUIRE(rep.max_n == 2);
    const double h_peaked = -(0.9 * std::log(0.9) + 0.1 * std::log(0.1)) / std::log(2.0);
    // N = 2 values: 1 (head 0), h_peaked and 1 (head 1's two windows) -> median 1, q1 between
    CHECK(std::isnan(rep.layers[0].entropy_norm.median[0]));
    CHECK(rep.layers[0].entropy_norm.median[1] == doctest::Approx(1.0));
    CHECK(rep.layers[0].entropy_norm.q1[1] == doctest::Approx((h_peaked + 1.0) / 2).epsilon(1e-5));
    CHECK(rep.head_map[0][0] == doctest::Approx(1.0));
    CHECK(rep.head_map[0][1] == doctest::Approx((h_peaked + 1.0) / 2).epsilon(1e-5));
    REQUIRE(rep.details.size() == 1);
    CHECK(rep.details[0].mass_by_n[0][1] == doctest::Approx((0.9 + 0.5) / 2).epsilon(1e-5));
    CHECK(rep.heads[1].rows == 2);
}

TEST_CASE("log bins of N: consecutive, non-empty, from 2 to the longest row, with edges near a geometric series") {
    const auto b = log_bins(256, 7);  // edges exp(ln 2 + i (ln 257 - ln 2) / 7): 4.0, 8.0, 16.1, 32.1, 64.2, 128.5
    REQUIRE(b.size() == 7);
    const int lo[] = {2, 4, 8, 16, 32, 64, 128}, hi[] = {3, 7, 15, 31, 63, 127, 256};
    for (int i = 0; i < 7; ++i) {
        CHECK(b[static_cast<std::size_t>(i)].lo == lo[i]);
        CHECK(b[static_cast<std::size_t>(i)].hi == hi[i]);
    }
    // more bins than values of N: one bin per N
    const auto few = log_bins(4, 12);
    REQUIRE(few.size() == 3);
    CHECK((few[0].lo == 2 && few[0].hi == 2 && few[1].lo == 3 && few[1].hi == 3 && few[2].lo == 4 && few[2].hi == 4));
    CHECK(log_bins(1, 5).empty());
}

TEST_CASE("binned bands are quartiles of every row whose N falls in the bin, with the bin's row count") {
    const Config c = tiny_config(1, 2, 8, 16, 50257);
    SelectivityOptions o;
    o.ks = {1};
    o.bins = 2;  // N in 2..4: bins [2, 2] and [3, 4] (edge exp(ln 2 + (ln 5 - ln 2) / 2) = 3.16)
    auto make = [&](int head, const std::vector<std::vector<float>>& rows) { return head_rows(head, rows, o); };
    const std::vector<float> one = {1.0f}, u2 = {0.5f, 0.5f}, u3 = {1 / 3.f, 1 / 3.f, 1 / 3.f}, hot3 = {1.0f, 0.0f, 0.0f},
                             u4 = {0.25f, 0.25f, 0.25f, 0.25f}, half4 = {0.5f, 0.5f, 0.0f, 0.0f};
    const auto rep = summarise_selectivity({make(0, {one, u2, u3, u4}), make(1, {one, u2, hot3, half4})}, c, o);
    REQUIRE(rep.bins.size() == 2);
    CHECK((rep.bins[0].lo == 2 && rep.bins[0].hi == 2 && rep.bins[1].lo == 3 && rep.bins[1].hi == 4));
    const auto& l = rep.layers[0];
    CHECK(l.bin_rows == std::vector<long>{2, 4});
    // bin [3, 4]: normalised entropies 1 (u3), 0 (hot3), 1 (u4), ln 2 / ln 4 = 0.5 (half4): sorted 0, 0.5, 1, 1
    CHECK(l.binned_entropy_norm.median[1] == doctest::Approx(0.75).epsilon(1e-6));
    CHECK(l.binned_entropy_norm.q1[1] == doctest::Approx(0.375).epsilon(1e-6));
    CHECK(l.binned_entropy_norm.q3[1] == doctest::Approx(1.0).epsilon(1e-6));
    // bin [2, 2] is N = 2 alone: the per-N band
    CHECK(l.binned_entropy_norm.median[0] == doctest::Approx(l.entropy_norm.median[1]));
}

TEST_CASE("a detailed head's binned top-k mass is quartiles of the rows with N > k in each bin, with their count") {
    const Config c = tiny_config(1, 2, 8, 16, 50257);
    SelectivityOptions o;
    o.ks = {1, 2};
    o.bins = 2;  // N in 2..4: bins [2, 2] and [3, 4]
    o.detail = {{0, 1}};
    const std::vector<float> one = {1.0f}, u2 = {0.5f, 0.5f}, hot3 = {1.0f, 0.0f, 0.0f}, u3 = {1 / 3.f, 1 / 3.f, 1 / 3.f},
                             half4 = {0.5f, 0.5f, 0.0f, 0.0f}, q4 = {0.4f, 0.3f, 0.2f, 0.1f};
    // head 0 (not detailed) has different rows, which must not enter head 1's bands
    const auto rep = summarise_selectivity({head_rows(0, {one, u2, u3, u3}, o), head_rows(1, {one, u2, hot3, half4, q4}, o)}, c, o);
    REQUIRE(rep.details.size() == 1);
    const auto& d = rep.details[0];
    REQUIRE(d.binned_mass.size() == 2);
    // k = 1: bin [2, 2] holds u2 (0.5); bin [3, 4] holds hot3 (1), half4 (0.5), q4 (0.4): sorted 0.4, 0.5, 1
    CHECK(d.bin_rows[0] == std::vector<long>{1, 3});
    CHECK(d.binned_mass[0].median[0] == doctest::Approx(0.5).epsilon(1e-6));
    CHECK(d.binned_mass[0].median[1] == doctest::Approx(0.5).epsilon(1e-6));
    CHECK(d.binned_mass[0].q1[1] == doctest::Approx(0.45).epsilon(1e-6));
    CHECK(d.binned_mass[0].q3[1] == doctest::Approx(0.75).epsilon(1e-6));
    // k = 2 needs N > 2: bin [2, 2] has no row; bin [3, 4]: hot3 1, half4 1, q4 0.7
    CHECK(d.bin_rows[1] == std::vector<long>{0, 3});
    CHECK(std::isnan(d.binned_mass[1].median[0]));
    CHECK(d.binned_mass[1].median[1] == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(d.binned_mass[1].q1[1] == doctest::Approx(0.85).epsilon(1e-6));
}

TEST_CASE("windows cover a long text in consecutive pieces of at most the context") {
    const auto w = split_windows(10, 4);
    REQUIRE(w.size() == 3);
    CHECK(w[0].start == 0);
    CHECK(w[2].start == 8);
    CHECK(w[2].length == 2);
    CHECK(split_windows(4, 4).size() == 1);
}

TEST_CASE("a stride under the window starts a window every stride tokens, each as long as the text allows") {
    const auto w = split_windows(10, 4, 3);  // starts 0, 3, 6, 9
    REQUIRE(w.size() == 4);
    CHECK((w[1].start == 3 && w[1].length == 4));
    CHECK((w[2].start == 6 && w[2].length == 4));
    CHECK((w[3].start == 9 && w[3].length == 1));
    CHECK(split_windows(10, 4, 4).size() == split_windows(10, 4).size());
    CHECK_THROWS_WITH_AS(split_windows(10, 4, 5), doctest::Contains("stride must be in 1..4"), Error);
    CHECK_THROWS_AS(split_windows(10, 4, -1), Error);
}

}
