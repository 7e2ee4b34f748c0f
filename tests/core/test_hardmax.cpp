#include <doctest/doctest.h>

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
