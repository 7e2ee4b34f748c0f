#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "attention/normaliser.hpp"
#include "error.hpp"
#include "util/rng.hpp"

using namespace attnlab;

namespace {

std::vector<float> normalise(const Normaliser& n, std::vector<float> s) {
    std::vector<float> p(s.size());
    n.apply(s.data(), static_cast<int>(s.size()), p.data());
    return p;
}

Normaliser of(NormaliserKind kind, float t = 1.0f, int k = 1) {
    Normaliser n = softmax_normaliser(t);
    n.kind = kind;
    n.k = k;
    return n;
}

// tau with sum_j max(x_j - tau, 0)^2 = 1 for x = z / 2, by bisection: the definition, not the sort algorithm
double entmax_tau_by_bisection(const std::vector<float>& z) {
    double lo = -10, hi = 10;
    for (int it = 0; it < 200; ++it) {
        const double mid = (lo + hi) / 2;
        double sum = 0;
        for (float v : z) sum += std::pow(std::max(0.0, v / 2.0 - mid), 2);
        (sum > 1 ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

}  // namespace

TEST_SUITE("normaliser") {

TEST_CASE("every normaliser gives a distribution on random rows, at several temperatures") {
    Rng rng(5);
    for (NormaliserKind kind : {NormaliserKind::Softmax, NormaliserKind::TopK, NormaliserKind::Sparsemax,
                                NormaliserKind::Entmax15, NormaliserKind::Hardmax})
        for (float t : {0.1f, 1.0f, 4.0f})
            for (int n : {1, 2, 7, 64}) {
                std::vector<float> s(static_cast<std::size_t>(n));
                for (auto& v : s) v = static_cast<float>(rng.normal() * 3);
                const auto p = normalise(of(kind, t, 3), s);
                double sum = 0;
                for (float v : p) {
                    REQUIRE(v >= 0.0f);
                    sum += v;
                }
                CHECK(sum == doctest::Approx(1.0).epsilon(1e-6));
            }
}

TEST_CASE("sparsemax of (1, 0.8, 0.1) keeps two tokens: tau = (1 + 0.8 - 1) / 2 = 0.4, p = (0.6, 0.4, 0)") {
    const std::vector<float> z = {1.0f, 0.8f, 0.1f};
    CHECK(sparsemax_threshold(z.data(), 3) == doctest::Approx(0.4).epsilon(1e-6));
    const auto p = normalise(of(NormaliserKind::Sparsemax), z);
    CHECK(p[0] == doctest::Approx(0.6).epsilon(1e-6));
    CHECK(p[1] == doctest::Approx(0.4).epsilon(1e-6));
    CHECK(p[2] == 0.0f);
}

TEST_CASE("sparsemax's threshold satisfies its definition sum max(z - tau, 0) = 1 on random rows") {
    Rng rng(9);
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<float> z(17);
        for (auto& v : z) v = static_cast<float>(rng.normal());
        const double tau = sparsemax_threshold(z.data(), 17);
        double sum = 0;
        for (float v : z) sum += std::max(0.0, v - tau);
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-6));
    }
}

TEST_CASE("entmax-1.5's threshold equals the bisection root of sum max(z/2 - tau, 0)^2 = 1") {
    Rng rng(13);
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<float> z(23);
        for (auto& v : z) v = static_cast<float>(rng.normal() * 2);
        CHECK(entmax15_threshold(z.data(), 23) == doctest::Approx(entmax_tau_by_bisection(z)).epsilon(1e-7));
    }
}

TEST_CASE("entmax-1.5 worked by hand: two equal scores share, a lead of 2 takes everything") {
    auto p = normalise(of(NormaliserKind::Entmax15), {0.0f, 0.0f});
    CHECK(p[0] == doctest::Approx(0.5));
    CHECK(p[1] == doctest::Approx(0.5));
    p = normalise(of(NormaliserKind::Entmax15), {2.0f, 0.0f});  // x = (1, 0), tau = 0: p = (1, 0)
    CHECK(p[0] == doctest::Approx(1.0));
    CHECK(p[1] == 0.0f);
}

TEST_CASE("hard-max gives the largest score all the weight, and among tied maxima the latest token takes it") {
    auto p = normalise(of(NormaliserKind::Hardmax), {0.5f, 2.0f, -1.0f});
    CHECK(p == std::vector<float>{0.0f, 1.0f, 0.0f});
    p = normalise(of(NormaliserKind::Hardmax), {3.0f, 1.0f, 3.0f, 3.0f});
    CHECK(p == std::vector<float>{0.0f, 0.0f, 0.0f, 1.0f});
    p = normalise(of(NormaliserKind::Hardmax), {3.0f, 3.0f, 1.0f});
    CHECK(p == std::vector<float>{0.0f, 1.0f, 0.0f});
}

TEST_CASE("top-k softmax renormalises the k largest scores and is plain softmax when k >= n") {
    const auto p = normalise(of(NormaliserKind::TopK, 1.0f, 2), {3.0f, 1.0f, 2.0f});
    const double e = std::exp(1.0);  // softmax over (3, 2): e / (e + 1) and 1 / (e + 1)
    CHECK(p[0] == doctest::Approx(e / (e + 1)));
    CHECK(p[1] == 0.0f);
    CHECK(p[2] == doctest::Approx(1 / (e + 1)));
    const std::vector<float> s = {0.3f, -1.2f, 2.0f};
    CHECK(normalise(of(NormaliserKind::TopK, 0.7f, 5), s) == normalise(softmax_normaliser(0.7f), s));
}

TEST_CASE("the temperature divides the scores for every normaliser: sparsemax at T = 2 is sparsemax of z / 2") {
    const std::vector<float> s = {2.0f, 1.6f, 0.2f};
    CHECK(normalise(of(NormaliserKind::Sparsemax, 2.0f), s) == normalise(of(NormaliserKind::Sparsemax), {1.0f, 0.8f, 0.1f}));
}

TEST_CASE("normaliser names parse, and bad ones are refused with the choices") {
    CHECK(parse_normaliser("topk:4", 1.0f, "--normaliser").k == 4);
    CHECK(parse_normaliser("entmax15", 0.5f, "--normaliser").kind == NormaliserKind::Entmax15);
    CHECK(parse_normaliser("sparsemax", 1.0f, "x").describe() == "sparsemax(T=1)");
    CHECK_THROWS_WITH_AS(parse_normaliser("topk:0", 1.0f, "--normaliser"), doctest::Contains("top-k needs a k >= 1"), Error);
    CHECK_THROWS_WITH_AS(parse_normaliser("softermax", 1.0f, "--normaliser"),
                         doctest::Contains("must be softmax, topk:K, sparsemax, entmax15 or hardmax"), Error);
}

}  // TEST_SUITE
