#include <doctest/doctest.h>

#include <cmath>

#include "analysis/conditioning.hpp"
#include "checkpoint_builder.hpp"
#include "error.hpp"

using namespace attnlab;
using namespace attnlab::test;

TEST_SUITE("conditioning") {

TEST_CASE("the identity is perfectly conditioned") {
    const MatRM a = MatRM::Identity(5, 5);
    const MatrixConditioning m = conditioning_of(a, 5);
    CHECK(m.kappa == doctest::Approx(1.0));
    CHECK(m.kappa_preconditioned == doctest::Approx(1.0));
    CHECK(m.min_diagonal == 1.0);
}

TEST_CASE("[[1, 0], [1/2, 1/2]] has kappa = golden ratio squared, worked by hand") {
    // A^T A = [[5/4, 1/4], [1/4, 1/4]]: eigenvalues (3/2 +- sqrt(5)/2) / 2, so kappa^2 = (3 + sqrt 5) / (3 - sqrt 5)
    const MatRM a = (MatRM(2, 2) << 1.0f, 0.0f, 0.5f, 0.5f).finished();
    const MatrixConditioning m = conditioning_of(a, 2);
    const double phi = (1 + std::sqrt(5.0)) / 2;
    CHECK(m.kappa == doctest::Approx(phi * phi).epsilon(1e-6));
    CHECK(m.min_diagonal == 0.5);
    // rows scaled to unit length: B = [[1, 0], [1/sqrt2, 1/sqrt2]]; B^T B has trace 2 and determinant 1/2,
    // so its singular values are sqrt(1 +- 1/sqrt2)
    CHECK(m.kappa_preconditioned == doctest::Approx(std::sqrt((1 + M_SQRT1_2) / (1 - M_SQRT1_2))).epsilon(1e-6));
}

TEST_CASE("uniform causal attention: the diagonal is 1/N, so the min diagonal of the L-block is 1/L") {
    const int T = 8;
    MatRM a = MatRM::Zero(T, T);
    for (int i = 0; i < T; ++i)
        for (int j = 0; j <= i; ++j) a(i, j) = 1.0f / static_cast<float>(i + 1);
    for (int L : {1, 4, 8}) CHECK(conditioning_of(a, L).min_diagonal == doctest::Approx(1.0 / L));
}

TEST_CASE("a singular block has infinite kappa") {
    MatRM a = MatRM::Zero(3, 3);
    a(0, 0) = 1;
    a(1, 0) = 1;  // row 1 puts all its weight on token 0: A_11 = 0
    a(2, 2) = 1;
    CHECK(std::isinf(conditioning_of(a, 3).kappa));
}

TEST_CASE("the report has per-layer bands against length and per-head means; bad lengths are refused") {
    const Model m = random_model(tiny_config(2, 2, 16, 32));
    const std::vector<int> ids = spread_ids(40);
    ConditioningRequest r;
    r.lengths = {4, 16};
    const Json rep = conditioning_report(m, ids, r);
    CHECK(rep["layers"].size() == 2);
    CHECK(rep["layers"][0]["log10_kappa"]["median"].size() == 2);
    CHECK(rep["heads"].size() == 4);
    for (const auto& h : rep["heads"]) CHECK(h["log10_kappa"].get<double>() >= 0.0);
    r.lengths = {64};
    CHECK_THROWS_WITH_AS(conditioning_report(m, ids, r), doctest::Contains("every length must be in 1..32"), Error);
}

}  // TEST_SUITE

TEST_CASE("kappa from the scores in double: a weight of e^-20 next to 1 gives the closed-form 2x2 kappa") {
    // scores [[0, -], [0, -20]]: A = [[1, 0], [1 - d, d]], d = e^-20 / (1 + e^-20). With S = ||A||_F^2 and det A = d,
    // sigma_1,2^2 = (S +- sqrt(S^2 - 4 d^2)) / 2, so kappa = (S + sqrt(S^2 - 4 d^2)) / (2 d) (about 9.7e8)
    MatRM s = MatRM::Zero(2, 2);
    s(1, 1) = -20;
    const Eigen::MatrixXd a = causal_softmax_double(s, 2, 1.0);
    const double d = std::exp(-20.0) / (1 + std::exp(-20.0)), S = 1 + (1 - d) * (1 - d) + d * d;
    CHECK(a(1, 1) == doctest::Approx(d).epsilon(1e-12));
    CHECK(conditioning_of(a).kappa == doctest::Approx((S + std::sqrt(S * S - 4 * d * d)) / (2 * d)).epsilon(1e-9));
    // every causal attention matrix: kappa >= 1 / min_i A_ii
    CHECK(conditioning_of(a).kappa >= 1 / d);
    // float32 scores of magnitude 20 resolve kappa up to 2^24 / 20: this one is beyond
    CHECK(float_resolved_kappa(s, 2, 1.0) == doctest::Approx(16777216.0 / 20));
    CHECK(conditioning_of(a).kappa > float_resolved_kappa(s, 2, 1.0));
}

TEST_CASE("the report's causal bound lies under kappa in every band, and the beyond-float share is a share") {
    const Model m = random_model(tiny_config(2, 2, 16, 32), 0.3f);  // no numerically singular block (those count at the limit)
    ConditioningRequest r;
    r.lengths = {4, 8, 16};
    const Json rep = conditioning_report(m, spread_ids(32), r);
    CHECK(rep["log10_float_resolution"].get<double>() == doctest::Approx(std::log10(16777216.0)));
    for (const auto& l : rep["layers"])
        for (std::size_t li = 0; li < 3; ++li) {
            REQUIRE(l["numerically_singular"][li].get<double>() == 0.0);
            CHECK(l["log10_causal_bound"]["q1"][li].get<double>() <= l["log10_kappa"]["q1"][li].get<double>() + 1e-9);
            const double share = l["beyond_float_resolution"][li].get<double>();
            CHECK(share >= 0);
            CHECK(share <= 1);
        }
}
