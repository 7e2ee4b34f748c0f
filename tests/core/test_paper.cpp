#include <doctest/doctest.h>

#include <cmath>

#include "analysis/paper.hpp"
#include "analysis/sensitivity.hpp"
#include "error.hpp"
#include "checkpoint_builder.hpp"
#include "util/rng.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// Four value vectors at the compass points and weights 0.7, 0.1, 0.1, 0.1: the output is s = (0.6, 0), so
// the distances to it are 0.4, sqrt(1.36), 1.6, sqrt(1.36).
struct Compass {
    MatRM values = (MatRM(4, 2) << 1, 0, 0, 1, -1, 0, 0, -1).finished();
    std::vector<float> p = {0.7f, 0.1f, 0.1f, 0.1f};
};
const double r136 = std::sqrt(1.36);

}  // namespace

TEST_SUITE("paper") {

TEST_CASE("distances of the top-1 set and of the rest to the head's output, worked by hand") {
    const Compass c;
    const TopSetDistances d = top_set_distances(c.p.data(), c.values, 4, 1);
    CHECK(d.selected == doctest::Approx(0.4).epsilon(1e-6));
    CHECK(d.unselected == doctest::Approx((2 * r136 + 1.6) / 3).epsilon(1e-6));
    CHECK(d.ratio == doctest::Approx((2 * r136 + 1.6) / 3 / 0.4).epsilon(1e-6));
}

TEST_CASE("a top-2 set breaks the three-way tie by position and takes token 1") {
    const Compass c;
    const TopSetDistances d = top_set_distances(c.p.data(), c.values, 4, 2);
    CHECK(d.selected == doctest::Approx((0.4 + r136) / 2).epsilon(1e-6));
    CHECK(d.unselected == doctest::Approx((1.6 + r136) / 2).epsilon(1e-6));
}

TEST_CASE("a top set as large as the row leaves no rest: the ratio is undefined") {
    const Compass c;
    const TopSetDistances d = top_set_distances(c.p.data(), c.values, 4, 4);
    CHECK(std::isnan(d.unselected));
    CHECK(std::isnan(d.ratio));
}

TEST_CASE("the ball of the top-1 set holds it alone: precision 1, every other token outside") {
    const Compass c;
    const BallSeparability b = ball_separability(c.p.data(), c.values, 4, 1);
    CHECK(b.radius == doctest::Approx(0.4).epsilon(1e-6));
    CHECK(b.inside == 1);
    CHECK(b.precision == 1.0);
    CHECK(b.recall == 1.0);
    CHECK(b.f_score == 1.0);
    CHECK(b.unselected_outside == 1.0);
}

TEST_CASE("the ball of the top-2 set also catches token 3 at the same distance: precision 2/3, F 0.8") {
    const Compass c;
    const BallSeparability b = ball_separability(c.p.data(), c.values, 4, 2);
    CHECK(b.radius == doctest::Approx(r136).epsilon(1e-6));
    CHECK(b.inside == 3);
    CHECK(b.precision == doctest::Approx(2.0 / 3.0));
    CHECK(b.f_score == doctest::Approx(0.8));
    CHECK(b.unselected_outside == doctest::Approx(0.5));
}

TEST_CASE("the critical top-n is the first whose ratio falls below 1 + delta, and 0 when none does") {
    const std::vector<int> ns = {1, 2, 4};
    const std::vector<double> ratios = {1.2, 1.04, 0.9};
    CHECK(critical_top_n(ns, ratios, 0.05) == 2);
    CHECK(critical_top_n(ns, ratios, 0.01) == 4);
    CHECK(critical_top_n(ns, {1.5, 1.4, 1.3}, 0.05) == 0);
}

TEST_CASE("the top weight's gradient norm equals central finite differences of softmax(s / T)") {
    Rng rng(11);
    for (double T : {0.1, 0.5, 1.0, 3.0}) {
        const int n = 9;
        std::vector<float> s(n), p(n);
        for (auto& x : s) x = static_cast<float>(rng.normal());
        const auto softmax = [&](const std::vector<double>& x, int i) {
            double m = *std::max_element(x.begin(), x.end()), z = 0;
            for (double v : x) z += std::exp((v - m) / T);
            return std::exp((x[i] - m) / T) / z;
        };
        softmax_normaliser(static_cast<float>(T)).apply(s.data(), n, p.data());
        const int top = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
        std::vector<double> x(s.begin(), s.end());
        double sq = 0;
        const double h = 1e-6;
        for (int j = 0; j < n; ++j) {
            auto up = x, down = x;
            up[j] += h;
            down[j] -= h;
            const double g = (softmax(up, top) - softmax(down, top)) / (2 * h);
            sq += g * g;
        }
        CHECK(weight_grad_norm(p.data(), n, top, T) == doctest::Approx(std::sqrt(sq)).epsilon(1e-4));
    }
}

TEST_CASE("the report's row for length L is the last row of the L-token prefix (causal attention)") {
    const Model m = random_model(tiny_config(1, 1, 16, 32));
    const std::vector<int> ids = spread_ids(32, 7919, 5);
    PaperRequest r;
    r.top_ns = {2};
    r.lengths = {8};
    const Json rep = paper_report(m, {ids}, r);
    // the independent path: a forward pass over the first 8 tokens alone, its last row
    TopSetDistances expected;
    BallSeparability ball;
    ForwardOptions fo;
    fo.observer = [&](const HeadView& v) {
        expected = top_set_distances(row_ptr(v.probs, 7), v.v, 8, 2);
        ball = ball_separability(row_ptr(v.probs, 7), v.v, 8, 2);
    };
    forward(m, std::vector<int>(ids.begin(), ids.begin() + 8), fo);
    CHECK(rep["windows"] == 1);
    CHECK(rep["distance"][0]["ratio"]["median"][0][0].get<double>() == doctest::Approx(expected.ratio).epsilon(1e-5));
    CHECK(rep["distance"][0]["selected"]["median"][0][0].get<double>() == doctest::Approx(expected.selected).epsilon(1e-5));
    CHECK(rep["separability"][0]["precision"]["median"][0][0].get<double>() == doctest::Approx(ball.precision));
}

TEST_CASE("bad paper requests are refused with the reason") {
    const Config c = tiny_config(1, 1, 16, 32);
    const Model m = model_of(c, random_params(c, RandomInit{}));
    const std::vector<int> ids(20, 464);
    PaperRequest r;
    r.lengths = {64};
    CHECK_THROWS_WITH_AS(paper_report(m, {ids}, r), doctest::Contains("every length must be in 2..20"), Error);
    r.lengths = {};
    r.top_ns = {0};
    CHECK_THROWS_WITH_AS(paper_report(m, {ids}, r), doctest::Contains("top-n must be >= 1"), Error);
    r.top_ns = {1};
    CHECK_THROWS_WITH_AS(paper_report(m, {std::vector<int>{464}}, r), doctest::Contains("at least 2 tokens"), Error);
}

}  // TEST_SUITE
