#include <doctest/doctest.h>

#include "analysis/constant_attention.hpp"
#include "checkpoint_builder.hpp"
#include "error.hpp"

using namespace attnlab;
using namespace attnlab::test;

TEST_SUITE("constant attention") {

TEST_CASE("averaged rows stay distributions over the tokens before them") {
    const Model m = random_model(tiny_config(2, 2, 16, 16));
    const ConstantAttention avg = average_attention(m, spread_ids(40), 16, 64);
    CHECK(avg.windows == 3);  // 16 + 16 + 8
    CHECK(avg.tokens == 40);
    for (const auto& a : avg.probs)
        for (int i = 0; i < 16; ++i) {
            CHECK(a.row(i).sum() == doctest::Approx(1.0).epsilon(1e-5));
            CHECK(a.row(i).tail(15 - i).cwiseAbs().sum() == 0.0f);  // nothing above the diagonal
        }
}

TEST_CASE("the average of one window is that window's attention, so replacing every head changes no loss") {
    const Model m = random_model(tiny_config(2, 2, 16, 16));
    const std::vector<int> ids = spread_ids(16, 7919, 9);
    const ConstantAttention avg = average_attention(m, ids, 16, 1);
    ConstantRequest r;
    const Json rep = constant_attention_report(m, avg, ids, r);
    const double base = rep["baseline"]["loss"].get<double>();
    CHECK(rep["all_heads"]["loss"].get<double>() == doctest::Approx(base).epsilon(1e-6));
    for (const auto& h : rep["heads"]) CHECK(h["distance"].get<double>() == doctest::Approx(0.0).epsilon(1e-6));
}

TEST_CASE("averages from another text cost loss, and the ranks are permutations of the heads") {
    const Model m = random_model(tiny_config(2, 2, 16, 16));
    const ConstantAttention avg = average_attention(m, spread_ids(64, 7919, 1), 16, 64);
    const Json rep = constant_attention_report(m, avg, spread_ids(32, 104729, 5), ConstantRequest{});
    CHECK(rep["all_heads"]["cost"].get<double>() != 0.0);
    std::vector<int> cost_ranks, constancy_ranks;
    for (const auto& h : rep["heads"]) {
        cost_ranks.push_back(h["rank_by_cost"].get<int>());
        constancy_ranks.push_back(h["rank_by_constancy"].get<int>());
        CHECK(h["distance"].get<double>() > 0.0);
    }
    std::sort(cost_ranks.begin(), cost_ranks.end());
    std::sort(constancy_ranks.begin(), constancy_ranks.end());
    CHECK(cost_ranks == std::vector<int>{1, 2, 3, 4});
    CHECK(constancy_ranks == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("averages survive a safetensors round trip, and a file for another model is refused") {
    const Config c = tiny_config(2, 2, 16, 16);
    const ConstantAttention avg = average_attention(random_model(c), spread_ids(20), 16, 8);
    const auto bytes = constant_attention_safetensors(avg);
    const ConstantAttention back = read_constant_attention(ByteView{bytes.data(), bytes.size()}, c, "avg.safetensors");
    CHECK(back.size == 16);
    CHECK(back.windows == avg.windows);
    for (std::size_t i = 0; i < avg.probs.size(); ++i) CHECK((back.probs[i] - avg.probs[i]).cwiseAbs().maxCoeff() == 0.0f);
    CHECK_THROWS_WITH_AS(read_constant_attention(ByteView{bytes.data(), bytes.size()}, tiny_config(3, 2, 16, 16), "avg.safetensors"),
                         doctest::Contains("missing tensor h.2.attn.constant"), Error);
    CHECK_THROWS_WITH_AS(read_constant_attention(ByteView{bytes.data(), bytes.size()}, tiny_config(2, 4, 16, 16), "avg.safetensors"),
                         doctest::Contains("must have shape [4,T,T]"), Error);
}

}  // TEST_SUITE
