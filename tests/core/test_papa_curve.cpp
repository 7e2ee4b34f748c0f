#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "analysis/papa_curve.hpp"
#include "checkpoint_builder.hpp"
#include "error.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

using LayerHead = std::pair<int, int>;

// A random model of `layers` x `heads` heads, its attention averaged over `avg_tokens` spread ids (windows of 16),
// and the progressive-replacement curve on `text_tokens` other ids, asked for `eval_windows` evaluated and `rank_windows` ranking windows.
struct Measured {
    Model model;
    ConstantAttention avg;
    std::vector<int> text;
    PapaRequest request;
    Json papa;
    Measured(int layers, int heads, int avg_tokens, int text_tokens, int eval_windows, int rank_windows, int offset)
        : model(random_model(tiny_config(layers, heads, 16, 16))),
          avg(average_attention(model, spread_ids(avg_tokens, 7919, offset), 16, 64)),
          text(spread_ids(text_tokens, 104729, offset + 4)),
          request(make_request(eval_windows, rank_windows)),
          papa(papa_curve_report(model, avg, text, request)) {}
    static PapaRequest make_request(int eval_windows, int rank_windows) {
        PapaRequest r;
        r.eval_windows = eval_windows;
        r.rank_windows = rank_windows;
        return r;
    }
    // tokens [from, to) of the text
    std::vector<int> part(int from, int to) const { return {text.begin() + from, text.begin() + to}; }
};

std::vector<LayerHead> order_of(const Json& curve) {
    std::vector<LayerHead> order;
    for (const auto& h : curve["order"]) order.push_back({h[0].get<int>(), h[1].get<int>()});
    return order;
}

// Heads sorted by their single-head cost on `tokens` (windows of 16), measured here with loss_with alone.
std::vector<LayerHead> ranked_by_cost(const Measured& r, const std::vector<int>& tokens, int windows) {
    const double base = loss_with(r.model, r.avg, tokens, windows, [](int, int) { return false; });
    std::vector<std::pair<double, LayerHead>> cost;
    for (int l = 0; l < r.model.config.n_layer; ++l)
        for (int h = 0; h < r.model.config.n_head; ++h)
            cost.push_back({loss_with(r.model, r.avg, tokens, windows, [&](int layer, int head) { return layer == l && head == h; }) - base, {l, h}});
    std::stable_sort(cost.begin(), cost.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<LayerHead> order;
    for (const auto& c : cost) order.push_back(c.second);
    return order;
}

}  // namespace

TEST_SUITE("papa curve") {

TEST_CASE("the curve's k values run from 0 to every head, evenly spread when fewer are asked") {
    CHECK(papa_ks(4, 0) == std::vector<int>{0, 1, 2, 3, 4});
    CHECK(papa_ks(144, 5) == std::vector<int>{0, 36, 72, 108, 144});
    CHECK(papa_ks(3, 10) == std::vector<int>{0, 1, 2, 3});
    CHECK(papa_ks(10, 1) == std::vector<int>{0, 10});
}

TEST_CASE("the text splits into evaluated windows and, after them, ranking windows; a short text into two halves") {
    // 1,000 tokens hold 62 windows of 16 and a last one of 8: room for 16 + 16
    CHECK(papa_split(1000, 16, 16, 16).evaluated == 16);
    CHECK(papa_split(1000, 16, 16, 16).ranked == 16);
    // 100 tokens: 6 windows of 16 and one of 4 = 7, split 4 evaluated + 3 ranking
    CHECK(papa_split(100, 16, 16, 16).evaluated == 4);
    CHECK(papa_split(100, 16, 16, 16).ranked == 3);
    // within what was asked: 2 evaluated, the rest (at most 64) rank
    CHECK(papa_split(100, 16, 2, 64).evaluated == 2);
    CHECK(papa_split(100, 16, 2, 64).ranked == 5);
    // 18 tokens: a window of 16 and one of 2 tokens (one prediction)
    CHECK(papa_split(18, 16, 16, 16).ranked == 1);
    CHECK(papa_split(18, 16, 16, 16).window == 16);
    // 17 tokens: the second window would hold a single token, so the text is cut in two windows of 8
    const PapaSplit halves = papa_split(17, 16, 16, 16);
    CHECK(halves.evaluated == 1);
    CHECK(halves.ranked == 1);
    CHECK(halves.window == 8);
    CHECK_THROWS_WITH_AS(papa_split(3, 16, 16, 16),
                         "papa: the text has 3 tokens; ranking the heads on text the evaluation never sees needs at least 4 (two "
                         "windows of 2)", Error);
}

TEST_CASE("a text shorter than two windows is evaluated on its first half and ranked on its second") {
    const Model m = random_model(tiny_config(1, 2, 16, 16));
    const ConstantAttention avg = average_attention(m, spread_ids(64, 7919, 2), 16, 4);
    const std::vector<int> text = spread_ids(12, 104729, 6);
    const Json rep = papa_curve_report(m, avg, text, PapaRequest{});
    CHECK(rep["evaluation_window"] == 6);
    CHECK(rep["evaluated"]["text"] == "tokens 1-6 of the text");
    CHECK(rep["ranked_on"]["text"] == "tokens 7-12 of the text, which the evaluation never sees");
    const std::vector<int> first(text.begin(), text.begin() + 6);
    CHECK(rep["baseline"]["loss"].get<double>() == doctest::Approx(windowed_loss(m, first, 16, 1)).epsilon(1e-12));
}

TEST_CASE("averages of the evaluated window itself are each head's own attention: the curve stays at the baseline") {
    const Model m = random_model(tiny_config(2, 2, 16, 16));
    const std::vector<int> ids = spread_ids(32, 7919, 9);
    const ConstantAttention avg = average_attention(m, {ids.begin(), ids.begin() + 16}, 16, 1);  // the evaluated window
    const Json rep = papa_curve_report(m, avg, ids, PapaRequest{});
    REQUIRE(rep["evaluated"]["windows"] == 1);
    REQUIRE(rep["k"].size() == 5);
    for (const char* order : {"by_cost", "by_constancy"})
        for (const auto& r : rep[order]["relative_perplexity_increase"]) CHECK(r.get<double>() == doctest::Approx(0.0).epsilon(1e-5));
    CHECK(rep["by_cost"]["loss"][0].get<double>() == doctest::Approx(windowed_loss(m, ids, 16, 1)).epsilon(1e-12));
}

TEST_CASE("the curve's ends are the evaluated windows' loss with no head and with every head replaced") {
    const Measured r(2, 2, 64, 96, 3, 3, 1);  // 6 windows: 1-3 evaluated, 4-6 rank
    REQUIRE(r.papa["evaluated"]["windows"] == 3);
    REQUIRE(r.papa["ranked_on"]["windows"] == 3);
    CHECK(r.papa["ranked_on"]["text"] == "windows 4-6 of the text, which the evaluation never sees");
    const std::vector<int> eval = r.part(0, 48);
    const double base = windowed_loss(r.model, eval, 16, 3);
    const double all = loss_with(r.model, r.avg, eval, 3, [](int, int) { return true; });
    for (const char* order : {"by_cost", "by_constancy"}) {
        const Json& c = r.papa[order];
        CHECK(c["loss"][0].get<double>() == doctest::Approx(base).epsilon(1e-12));
        CHECK(c["loss"][4].get<double>() == doctest::Approx(all).epsilon(1e-12));
        CHECK(c["relative_perplexity_increase"][4].get<double>() == doctest::Approx(std::exp(all - base) - 1).epsilon(1e-9));
        // each order holds every head once
        std::vector<LayerHead> seen = order_of(c);
        std::sort(seen.begin(), seen.end());
        CHECK(seen == std::vector<LayerHead>{{0, 0}, {0, 1}, {1, 0}, {1, 1}});
    }
}

TEST_CASE("the ranking comes from the ranking windows: where they and the evaluated windows order the heads differently, the curve follows the ranking windows") {
    // 1 layer of 4 heads; 4 evaluated windows (tokens 0-63), 4 ranking windows (64-127)
    const Measured r(1, 4, 64, 128, 4, 4, 3);
    const std::vector<LayerHead> disjoint = ranked_by_cost(r, r.part(64, 128), 4), in_sample = ranked_by_cost(r, r.part(0, 64), 4);
    REQUIRE(disjoint != in_sample);  // the case this test is about
    CHECK(order_of(r.papa["by_cost"]) == disjoint);
    CHECK(order_of(r.papa["by_cost"]) != in_sample);
    // each point replaces exactly the first k heads of that order, evaluated on the evaluated windows only
    const std::vector<int> eval = r.part(0, 64);
    for (int k = 0; k <= 4; ++k) {
        const std::set<LayerHead> first(disjoint.begin(), disjoint.begin() + k);
        const double expected = loss_with(r.model, r.avg, eval, 4, [&](int l, int h) { return first.count({l, h}) > 0; });
        CHECK(r.papa["by_cost"]["loss"][static_cast<std::size_t>(k)].get<double>() == doctest::Approx(expected).epsilon(1e-12));
    }
}

TEST_CASE("the constancy order sorts the heads by their distance from the average on the ranking windows") {
    const Measured r(3, 2, 96, 192, 6, 6, 3);
    ConstantRequest on_ranking;
    on_ranking.eval_windows = 6;
    const Json single = constant_attention_report(r.model, r.avg, r.part(96, 192), on_ranking);
    std::map<LayerHead, double> distance;
    for (const auto& h : single["heads"]) distance[{h["layer"].get<int>(), h["head"].get<int>()}] = h["distance"].get<double>();
    const std::vector<LayerHead> order = order_of(r.papa["by_constancy"]);
    REQUIRE(order.size() == 6);
    for (std::size_t i = 1; i < order.size(); ++i) CHECK(distance[order[i - 1]] <= distance[order[i]]);
}

TEST_CASE("every curve point has a bootstrap interval over the evaluated windows that holds the point; k = 0 has none to give") {
    const Measured r(2, 2, 64, 256, 8, 8, 5);
    for (const char* order : {"by_cost", "by_constancy"}) {
        const Json& c = r.papa[order];
        CHECK(c["relative_low"][0].get<double>() == 0.0);
        CHECK(c["relative_high"][0].get<double>() == 0.0);
        for (std::size_t k = 1; k < r.papa["k"].size(); ++k) {
            const double v = c["relative_perplexity_increase"][k].get<double>();
            CHECK(c["relative_low"][k].get<double>() <= v);
            CHECK(c["relative_high"][k].get<double>() >= v);
            CHECK(c["relative_high"][k].get<double>() > c["relative_low"][k].get<double>());
        }
    }
}

}  // TEST_SUITE
