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
