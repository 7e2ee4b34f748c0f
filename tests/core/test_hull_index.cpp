#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "attention/hull_index.hpp"
#include "util/rng.hpp"

using namespace attnlab;

namespace {

struct Key {
    double x, y;
};

// The reference: the largest q . k by a linear scan.
double scan_max(const std::vector<Key>& keys, double qx, double qy) {
    double best = -INFINITY;
    for (const auto& k : keys) best = std::max(best, qx * k.x + qy * k.y);
    return best;
}

// Inserts the keys one by one and, after each, checks random queries (and the axis directions) against
// the scan: the index's answer must reach the scan's maximum exactly.
void check_against_scan(const std::vector<Key>& keys, Rng& rng, int queries_per_insert) {
    HullIndex index;
    std::vector<Key> seen;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        index.insert(keys[i].x, keys[i].y, static_cast<int>(i));
        seen.push_back(keys[i]);
        std::vector<std::pair<double, double>> qs = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {-1, 1}};
        for (int j = 0; j < queries_per_insert; ++j) qs.push_back({rng.normal(), rng.normal()});
        for (const auto& [qx, qy] : qs) {
            const int id = index.argmax(qx, qy);
            REQUIRE(id >= 0);
            REQUIRE(id <= static_cast<int>(i));
            REQUIRE(qx * keys[id].x + qy * keys[id].y == scan_max(seen, qx, qy));
        }
    }
}

}  // namespace

TEST_SUITE("hull index") {

TEST_CASE("an empty index answers -1") { CHECK(HullIndex().argmax(1, 2) == -1); }

TEST_CASE("random keys: every answer reaches the linear scan's maximum, after every insertion") {
    Rng rng(1);
    std::vector<Key> keys;
    for (int i = 0; i < 600; ++i) keys.push_back({rng.normal() * 3, rng.normal()});
    check_against_scan(keys, rng, 8);
}

TEST_CASE("collinear keys, on a slanted line and on a vertical line") {
    Rng rng(2);
    std::vector<Key> slanted, vertical;
    for (int i = 0; i < 300; ++i) {
        const double t = rng.normal();
        slanted.push_back({t, 2 * t + 1});
        vertical.push_back({0.5, t});
    }
    check_against_scan(slanted, rng, 6);
    check_against_scan(vertical, rng, 6);
}

TEST_CASE("duplicate keys and a single repeated key") {
    Rng rng(3);
    std::vector<Key> dup, same(200, Key{1.5, -2.0});
    for (int i = 0; i < 300; ++i) dup.push_back({std::floor(rng.normal() * 2), std::floor(rng.normal() * 2)});
    check_against_scan(dup, rng, 6);
    check_against_scan(same, rng, 6);
}

TEST_CASE("every key on a circle is a hull vertex, inserted in shuffled order") {
    Rng rng(4);
    std::vector<Key> circle;
    const int n = 2000;
    for (int i = 0; i < n; ++i) {
        const double a = 2 * M_PI * ((i * 7919) % n) / n;
        circle.push_back({std::cos(a), std::sin(a)});
    }
    check_against_scan(circle, rng, 3);
}

TEST_CASE("a zero query ties every key: the key inserted last wins") {
    HullIndex index;
    for (int i = 0; i < 10; ++i) index.insert(i % 3, -i, i);
    CHECK(index.argmax(0, 0) == 9);
}

// The tie rule: among keys with exactly the largest q . k, the one inserted last. Small integer keys and
// queries make exact ties common (duplicates, keys along a hull edge, queries at a breakpoint); every answer
// must be the id the latest-wins linear scan gives.
TEST_CASE("ties on a small integer grid: the index returns the latest of the tied keys, as the scan does") {
    Rng rng(5);
    for (int trial = 0; trial < 40; ++trial) {
        HullIndex index;
        std::vector<Key> keys;
        for (int i = 0; i < 60; ++i) {
            keys.push_back({std::floor(rng.uniform() * 7) - 3, std::floor(rng.uniform() * 7) - 3});
            index.insert(keys.back().x, keys.back().y, i);
            for (double qx = -2; qx <= 2; ++qx)
                for (double qy = -2; qy <= 2; ++qy) {
                    int latest = 0;
                    for (int j = 1; j <= i; ++j)
                        if (qx * keys[j].x + qy * keys[j].y >= qx * keys[latest].x + qy * keys[latest].y) latest = j;
                    REQUIRE(index.argmax(qx, qy) == latest);
                }
        }
    }
}

}  // TEST_SUITE
