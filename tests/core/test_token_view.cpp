// The page's per-token views: one window of a text, a head's attention, every head pooled to a thumbnail, and the
// next-token predictions. References: the plain forward pass (its attention capture and all of its logits, put
// through a softmax here in double) and block means written out by hand.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analysis/token_view.hpp"
#include "checkpoint_builder.hpp"
#include "error.hpp"
#include "helpers.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

Trace plain(const Model& m, const std::vector<int>& ids, double t, std::vector<HeadId> heads = {}) {
    ForwardOptions fo;
    fo.normaliser = softmax_normaliser(static_cast<float>(t));
    fo.keep_logits = KeepLogits::All;
    fo.capture = std::move(heads);
    return forward(m, ids, fo);
}

// n token ids within a vocabulary of 97
std::vector<int> small_ids(int n, int stride) {
    std::vector<int> ids = spread_ids(n, stride);
    for (int& id : ids) id %= 97;
    return ids;
}

}  // namespace

TEST_SUITE("token view") {

TEST_CASE("the window is the text's tokens start .. start + context, and its attention is the forward pass's on them") {
    const Model m = random_model(tiny_config(2, 2, 16, 8, 97));
    const std::vector<int> ids = small_ids(20, 13);
    TokenViewRequest r;
    r.start = 8;
    r.heads = {{1, 0}};
    r.temperature = 0.5;
    const TokenView v = token_view(m, ids, r);
    CHECK(v.total == 20);
    CHECK(v.start == 8);
    CHECK(v.length == 8);  // the model's context
    const Trace ref = plain(m, std::vector<int>(ids.begin() + 8, ids.begin() + 16), 0.5, {{1, 0}});
    REQUIRE(v.heads.size() == 1);
    check_close(v.heads[0].probs, ref.heads[0].probs, 0.0);
    r.start = 16;  // the last window is shorter
    CHECK(token_view(m, ids, r).length == 4);
}

TEST_CASE("the predictions are the k largest of softmax(logits) with the next token's probability and rank") {
    const Model m = random_model(tiny_config(2, 2, 16, 16, 97), 0.8f);
    const std::vector<int> ids = small_ids(12, 31);
    TokenViewRequest r;
    r.top_k = 5;
    r.temperature = 2.0;
    const TokenView v = token_view(m, ids, r);
    const Trace ref = plain(m, ids, 2.0);
    for (int t = 0; t < 12; ++t) {
        CAPTURE(t);
        std::vector<double> p(97);
        double zmax = ref.logits.row(t).maxCoeff(), sum = 0;
        for (int j = 0; j < 97; ++j) sum += p[j] = std::exp(double(ref.logits(t, j)) - zmax);
        for (double& x : p) x /= sum;
        std::vector<int> order(97);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
        for (int i = 0; i < 5; ++i) {
            CHECK(v.top_ids[t * 5 + i] == order[i]);
            CHECK(v.top_probs[t * 5 + i] == doctest::Approx(p[order[i]]).epsilon(1e-5));
        }
        if (t + 1 < 12) {
            const int next = ids[t + 1];
            CHECK(v.next_prob[t] == doctest::Approx(p[next]).epsilon(1e-5));
            CHECK(v.next_rank[t] == 1 + std::count_if(p.begin(), p.end(), [&](double x) { return x > p[next]; }));
        } else {
            CHECK(std::isnan(v.next_prob[t]));
            CHECK(v.next_rank[t] == 0);
        }
    }
}

TEST_CASE("predictions asked for at some rows are those rows' predictions, and the other rows stay empty") {
    const Model m = random_model(tiny_config(2, 2, 16, 16, 97), 0.8f);
    const std::vector<int> ids = small_ids(12, 31);
    TokenViewRequest r;
    r.top_k = 4;
    const TokenView all = token_view(m, ids, r);  // every row, checked against softmax(logits) above
    r.top_rows = {7, 2, 11};
    const TokenView some = token_view(m, ids, r);
    for (int t = 0; t < 12; ++t) {
        CAPTURE(t);
        const bool asked = t == 7 || t == 2 || t == 11;
        for (int i = 0; i < 4; ++i) {
            if (asked) {
                CHECK(some.top_ids[t * 4 + i] == all.top_ids[t * 4 + i]);
                CHECK(some.top_probs[t * 4 + i] == doctest::Approx(all.top_probs[t * 4 + i]).epsilon(1e-6));
            } else {
                CHECK(some.top_ids[t * 4 + i] == -1);
                CHECK(std::isnan(some.top_probs[t * 4 + i]));
            }
        }
        CHECK(some.next_rank[t] == (asked ? all.next_rank[t] : 0));
        if (asked && t + 1 < 12) CHECK(some.next_prob[t] == doctest::Approx(all.next_prob[t]).epsilon(1e-6));
        else CHECK(std::isnan(some.next_prob[t]));
    }
    r.top_rows = {12};
    CHECK_THROWS_WITH_AS(token_view(m, ids, r), doctest::Contains("top_rows: position 12 is outside the window's 12 tokens"), Error);
}

TEST_CASE("a thumbnail of every head holds block means over the cells a row may attend to") {
    const Model m = random_model(tiny_config(2, 3, 24, 16, 97));
    const std::vector<int> ids = small_ids(4, 17);
    TokenViewRequest r;
    r.thumbnail = 2;
    const TokenView v = token_view(m, ids, r);
    REQUIRE(v.thumbnail == 2);
    REQUIRE(v.thumbnails.size() == 2u * 3 * 4);
    const Trace ref = plain(m, ids, 1.0, {{1, 2}});
    const MatRM& p = ref.heads[0].probs;
    const float* b = v.thumbnails.data() + (1 * 3 + 2) * 4;
    CHECK(b[0] == doctest::Approx((p(0, 0) + p(1, 0) + p(1, 1)) / 3));
    CHECK(std::isnan(b[1]));  // rows 0-1 never attend to keys 2-3
    CHECK(b[2] == doctest::Approx((p(2, 0) + p(2, 1) + p(3, 0) + p(3, 1)) / 4));
    CHECK(b[3] == doctest::Approx((p(2, 2) + p(3, 2) + p(3, 3)) / 3));
}

TEST_CASE("a thumbnail no smaller than the window is the attention itself, masked cells NaN") {
    const Model m = random_model(tiny_config(1, 2, 16, 16, 97));
    const std::vector<int> ids = small_ids(5, 7);
    TokenViewRequest r;
    r.thumbnail = 64;
    const TokenView v = token_view(m, ids, r);
    REQUIRE(v.thumbnail == 5);
    const Trace ref = plain(m, ids, 1.0, {{0, 1}});
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) {
            const float x = v.thumbnails[25 + i * 5 + j];
            if (j > i) CHECK(std::isnan(x));
            else CHECK(x == doctest::Approx(ref.heads[0].probs(i, j)));
        }
}

TEST_CASE("a window outside the text, a missing head or a bad temperature is refused with the numbers") {
    const Model m = random_model(tiny_config(2, 2, 16, 16, 97));
    const std::vector<int> ids = small_ids(6, 5);
    TokenViewRequest r;
    r.start = 6;
    CHECK_THROWS_WITH_AS(token_view(m, ids, r), doctest::Contains("starts at token 6 but the text has 6 tokens"), Error);
    r.start = 0;
    r.heads = {{2, 0}};
    CHECK_THROWS_AS(token_view(m, ids, r), Error);
    r.heads = {};
    r.temperature = 0;
    CHECK_THROWS_AS(token_view(m, ids, r), Error);
    CHECK_THROWS_AS(token_view(m, {}, TokenViewRequest{}), Error);
}

}  // TEST_SUITE
