#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>
#if defined(_OPENMP)
#include <omp.h>
#endif

#include "checkpoint_builder.hpp"
#include "model/gpt2.hpp"
#include "util/parallel.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// Runs the body with OpenMP's thread count set to `threads` (natively parallel_for's threads), then restores it.
template <class F>
void with_threads(int threads, F&& body) {
#if defined(_OPENMP)
    const int before = omp_get_max_threads();
    omp_set_num_threads(threads);
    body();
    omp_set_num_threads(before);
#else
    (void)threads;
    body();
#endif
}

}  // namespace

TEST_CASE("parallel_for runs every task exactly once, on any number of threads") {
    for (int threads : {1, 2, 3}) {
        with_threads(threads, [] {
            for (int n : {0, 1, 2, 7, 100}) {
                std::vector<std::atomic<int>> runs(static_cast<std::size_t>(n));
                parallel_for(n, [&](int i) { ++runs[static_cast<std::size_t>(i)]; });
                for (int i = 0; i < n; ++i) CHECK(runs[static_cast<std::size_t>(i)] == 1);
            }
        });
    }
}

TEST_CASE("parallel_blocks covers [0, n) with consecutive blocks of the given size, the last one shorter") {
    for (int threads : {1, 2}) {
        with_threads(threads, [] {
            for (int n : {0, 1, 95, 96, 97, 2304}) {
                std::vector<std::atomic<int>> covered(static_cast<std::size_t>(n));
                std::atomic<int> short_blocks{0};
                parallel_blocks(n, 96, [&](int first, int count) {
                    CHECK(first % 96 == 0);
                    CHECK(count >= 1);
                    CHECK(count <= 96);
                    if (count < 96) {
                        ++short_blocks;
                        CHECK(first + count == n);  // only the last block is short
                    }
                    for (int i = first; i < first + count; ++i) ++covered[static_cast<std::size_t>(i)];
                });
                for (int i = 0; i < n; ++i) CHECK(covered[static_cast<std::size_t>(i)] == 1);
                CHECK(short_blocks == (n % 96 != 0 ? 1 : 0));
            }
        });
    }
}

TEST_CASE("parallel_for rethrows a task's exception once every task has stopped, and works again after") {
    with_threads(2, [] {
        std::atomic<int> finished{0};
        CHECK_THROWS_WITH_AS(parallel_for(16,
                                          [&](int i) {
                                              if (i == 5) throw std::runtime_error("task 5 failed");
                                              ++finished;
                                          }),
                             "task 5 failed", std::runtime_error);
        CHECK(finished <= 15);
        std::atomic<int> sum{0};
        parallel_for(10, [&](int i) { sum += i; });
        CHECK(sum == 45);
    });
}

TEST_CASE("a parallel_for inside a task runs all of its tasks on that task's thread") {
    with_threads(2, [] {
        std::vector<std::atomic<int>> runs(12);
        parallel_for(3, [&](int outer) { parallel_for(4, [&](int inner) { ++runs[static_cast<std::size_t>(outer * 4 + inner)]; }); });
        for (auto& r : runs) CHECK(r == 1);
    });
}

TEST_CASE("the forward pass shows the observer every head in order, and the same attention, on 1 and 3 threads") {
    const Config c = tiny_config(2, 5, 20, 16, 50);  // 5 heads: batches of 3 and 2 on 3 threads
    const Model m = random_model(c);
    const std::vector<int> ids{3, 14, 15, 9, 26, 5, 35, 8, 9, 7};
    std::vector<std::vector<std::pair<int, int>>> order(2);
    std::vector<Trace> traces;
    int run = 0;
    for (int threads : {1, 3}) {
        with_threads(threads, [&] {
            ForwardOptions fo;
            fo.capture_all = true;
            auto& seen = order[static_cast<std::size_t>(run)];
            fo.observer = [&](const HeadView& v) { seen.emplace_back(v.layer, v.head); };
            traces.push_back(forward(m, ids, fo));
        });
        ++run;
    }
    std::vector<std::pair<int, int>> expected;
    for (int l = 0; l < c.n_layer; ++l)
        for (int h = 0; h < c.n_head; ++h) expected.emplace_back(l, h);
    CHECK(order[0] == expected);
    CHECK(order[1] == expected);
    REQUIRE(traces[0].heads.size() == expected.size());
    REQUIRE(traces[1].heads.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(traces[1].heads[i].id == traces[0].heads[i].id);
        CHECK(traces[1].heads[i].probs == traces[0].heads[i].probs);
    }
}

TEST_CASE("the forward pass gives the same logits and loss, to the bit, on 1 and 3 threads") {
    // widths that span several of the GEMMs' column blocks (3C = 192, 4C = 256 over blocks of 96) and vocabulary
    // chunks (2,100 over chunks of 1,024), and rows over several of the norms' row blocks
    const Model m = random_model(tiny_config(2, 4, 64, 48, 2100));
    std::vector<int> ids;
    for (int t = 0; t < 40; ++t) ids.push_back((t * 677 + 13) % 2100);
    std::vector<Trace> traces;
    for (int threads : {1, 3}) {
        with_threads(threads, [&] {
            ForwardOptions fo;
            fo.keep_logits = KeepLogits::All;
            traces.push_back(forward(m, ids, fo));
        });
    }
    REQUIRE(traces[0].logits.rows() == 40);
    CHECK(traces[1].logits == traces[0].logits);
    CHECK(traces[1].loss == traces[0].loss);
}
