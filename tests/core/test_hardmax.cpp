#include <doctest/doctest.h>

#include "analysis/hardmax.hpp"
#include "checkpoint_builder.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

Model random_model(const Config& c) {
    RandomInit init;
    init.std = 0.5f;
    return model_of(c, random_params(c, init));
}

std::vector<int> some_ids(int n) {
    std::vector<int> ids;
    for (int i = 0; i < n; ++i) ids.push_back((i * 104729 + 3) % 50257);
    return ids;
}

}  // namespace

TEST_SUITE("hard-max agreement") {

TEST_CASE("heads of size 2 lose nothing in the projection: the hull agrees with the full argmax on every row") {
    const Model m = random_model(tiny_config(2, 2, 4, 32));  // head size 2
    for (const auto& h : hull_agreement(m, some_ids(32), 32)) {
        CHECK(h.rows == 32);
        CHECK(h.agree == h.rows);
        CHECK(h.energy_2d == doctest::Approx(1.0));
    }
}

TEST_CASE("larger heads agree on the first row at least and report their 2-D energy share") {
    const Model m = random_model(tiny_config(1, 2, 32, 32));  // head size 16
    for (const auto& h : hull_agreement(m, some_ids(40), 32)) {
        CHECK(h.rows == 40);              // two windows: 32 + 8
        CHECK(h.agree >= 2);              // row 0 of each window has one key: always right
        CHECK(h.agree <= h.rows);
        CHECK(h.energy_2d > 0.0);
        CHECK(h.energy_2d < 1.0);
    }
}

}  // TEST_SUITE
