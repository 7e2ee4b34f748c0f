#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "analysis/lookup.hpp"
#include "attention/hull_index.hpp"
#include "attention/normaliser.hpp"
#include "attention/parabolic_memory.hpp"
#include "util/rng.hpp"

using namespace attnlab;

TEST_SUITE("hard-max memory lookup") {

TEST_CASE("parabolic keys: q . k_j = i^2 - (i - j)^2, so position i is the unique maximum (the algebra, by hand)") {
    // i = 3: j = 0..5 give 0, 5, 8, 9, 8, 5
    const double expected[] = {0, 5, 8, 9, 8, 5};
    for (int j = 0; j < 6; ++j) CHECK(3 * ParabolicMemory::key_x(j) + ParabolicMemory::key_y(j) == expected[j]);
}

TEST_CASE("after every write, the newest and the oldest positions read back exactly") {
    ParabolicMemory memory;
    for (int t = 0; t < 2000; ++t) {
        memory.write(1000 + t);
        const auto newest = memory.read(t), oldest = memory.read(0);
        REQUIRE(newest.position == t);
        REQUIRE(newest.value == 1000 + t);
        REQUIRE(oldest.position == 0);
        REQUIRE(oldest.value == 1000);
    }
}

TEST_CASE("every one of 3,000 stored positions reads back exactly, and the linear scan picks the same key") {
    ParabolicMemory memory;
    Rng rng(11);
    std::vector<int> values;
    for (int t = 0; t < 3000; ++t) {
        values.push_back(static_cast<int>(rng.below(50257)));
        memory.write(values.back());
    }
    for (long i = 0; i < 3000; ++i) {
        const auto hull = memory.read(i), scan = memory.read_by_scan(i);
        REQUIRE(hull.position == i);
        REQUIRE(hull.value == values[static_cast<std::size_t>(i)]);
        REQUIRE(scan.position == i);
    }
}

TEST_CASE("200,000 stored positions: every one reads back exactly through the hull index") {
    ParabolicMemory memory;
    for (int t = 0; t < 200000; ++t) memory.write(t ^ 0x5a5a);
    long wrong = 0;
    for (long i = 0; i < 200000; ++i) {
        const auto r = memory.read(i);
        wrong += r.position != i || r.value != (static_cast<int>(i) ^ 0x5a5a);
    }
    CHECK(wrong == 0);
}

TEST_CASE("a run of the lookup experiment: every read exact, every sampled scan agrees, the trace holds what was stored") {
    const std::vector<int> values = {5, 9, 2, 7};
    const LookupRun run = run_lookup(values, 5000, 40, 3, 8);
    CHECK(run.length == 5000);
    CHECK(run.exact == 5000);
    CHECK(run.scan_checked == 40);
    CHECK(run.scan_agrees == 40);
    REQUIRE(run.trace.size() == 8);
    for (const auto& s : run.trace) {
        CHECK(s.asked <= s.step);
        CHECK(s.found == s.asked);
        CHECK(s.value == values[static_cast<std::size_t>(s.asked % 4)]);
    }
}

TEST_CASE("one tie rule: hard-max attention over the scores q . k puts its weight on the key the hull index returns") {
    Rng rng(12);
    Normaliser hard = softmax_normaliser(1.0f);
    hard.kind = NormaliserKind::Hardmax;
    for (int trial = 0; trial < 300; ++trial) {
        HullIndex index;
        std::vector<float> scores;
        const double qx = std::floor(rng.uniform() * 5) - 2, qy = std::floor(rng.uniform() * 5) - 2;
        const int n = 1 + static_cast<int>(rng.below(30));
        for (int j = 0; j < n; ++j) {
            const double x = std::floor(rng.uniform() * 5) - 2, y = std::floor(rng.uniform() * 5) - 2;  // many exact ties
            index.insert(x, y, j);
            scores.push_back(static_cast<float>(qx * x + qy * y));
        }
        std::vector<float> p(scores.size());
        hard.apply(scores.data(), n, p.data());
        const int picked = index.argmax(qx, qy);
        REQUIRE(p[static_cast<std::size_t>(picked)] == 1.0f);
    }
}

}  // TEST_SUITE
