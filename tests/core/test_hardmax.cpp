#include <doctest/doctest.h>

#include <Eigen/Eigenvalues>

#include "analysis/hardmax.hpp"
#include "checkpoint_builder.hpp"

using namespace attnlab;
using namespace attnlab::test;

TEST_SUITE("hard-max agreement") {

TEST_CASE("heads of size 2 lose nothing in the projection: the hull agrees with the full argmax on every row") {
    const Model m = random_model(tiny_config(2, 2, 4, 32), 0.5f);  // head size 2
    for (const auto& h : hull_agreement(m, spread_ids(32, 104729, 3), 32)) {
        CHECK(h.rows == 32);
        CHECK(h.agree == h.rows);
        CHECK(h.energy_2d == doctest::Approx(1.0));
    }
}

TEST_CASE("larger heads agree on the first row at least and report their 2-D energy share") {
    const Model m = random_model(tiny_config(1, 2, 32, 32), 0.5f);  // head size 16
    for (const auto& h : hull_agreement(m, spread_ids(40, 104729, 3), 32)) {
        CHECK(h.rows == 40);              // two windows: 32 + 8
        CHECK(h.agree >= 2);              // row 0 of each window has one key: always right
        CHECK(h.agree <= h.rows);
        CHECK(h.energy_2d > 0.0);
        CHECK(h.energy_2d < 1.0);
    }
}

}  // TEST_SUITE

TEST_CASE("a query's directions come from the keys it may see: a later key that would change them does not") {
    // keys (2,0,0), (0,1,0), then (0,0,100). Over all three the top-2 directions are e3 and e1, which would project
    // k1 onto 0 and make row 1 pick k0 (score 0.4) over k1 (score 1). Fitted on keys 0..1 they are e1 and e2: exact.
    Eigen::MatrixXd k(3, 3), q(3, 3);
    k << 2, 0, 0, 0, 1, 0, 0, 0, 100;
    q << 1, 0, 0, 0.2, 1, 0, 0, 0, 1;
    const std::vector<int> got = causal_hull_argmax(q, k);
    CHECK(got[0] == 0);
    CHECK(got[1] == 1);  // the full argmax over keys 0..1
    CHECK(got[2] == 2);
    // the same rows through directions of all three keys (what attnlab did before) get row 1 wrong
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> all(k.transpose() * k);
    const Eigen::MatrixXd P = all.eigenvectors().rightCols(2);
    const Eigen::MatrixXd k2 = k * P, q2 = q * P;
    CHECK(q2.row(1).dot(k2.row(0)) > q2.row(1).dot(k2.row(1)));
}
