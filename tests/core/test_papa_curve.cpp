#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "analysis/papa_curve.hpp"
#include "checkpoint_builder.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// A random model of `layers` x 2 heads, its attention averaged over `avg_tokens` spread ids (windows of 16), and
// the PAPA curve and analyze constant's report on 48 other ids: the two reports the tests set side by side.
struct Measured {
    Model model;
    ConstantAttention avg;
    std::vector<int> eval;
    Json papa, single;
    Measured(int layers, int avg_tokens, int avg_offset, int eval_offset)
        : model(random_model(tiny_config(layers, 2, 16, 16))),
          avg(average_attention(model, spread_ids(avg_tokens, 7919, avg_offset), 16, 64)),
          eval(spread_ids(48, 104729, eval_offset)),
          papa(papa_curve_report(model, avg, eval, PapaRequest{})),
          single(constant_attention_report(model, avg, eval, ConstantRequest{})) {}
};

}  // namespace

TEST_SUITE("papa curve") {

TEST_CASE("the curve's k values run from 0 to every head, evenly spread when fewer are asked") {
    CHECK(papa_ks(4, 0) == std::vector<int>{0, 1, 2, 3, 4});
    CHECK(papa_ks(144, 5) == std::vector<int>{0, 36, 72, 108, 144});
    CHECK(papa_ks(3, 10) == std::vector<int>{0, 1, 2, 3});
    CHECK(papa_ks(10, 1) == std::vector<int>{0, 10});
}

TEST_CASE("averages of the evaluated window itself are each head's own attention: the curve stays at the baseline") {
    const Model m = random_model(tiny_config(2, 2, 16, 16));
    const std::vector<int> ids = spread_ids(16, 7919, 9);
    const ConstantAttention avg = average_attention(m, ids, 16, 1);
    const Json rep = papa_curve_report(m, avg, ids, PapaRequest{});
    const double base = rep["baseline"]["loss"].get<double>();
    REQUIRE(rep["k"].size() == 5);
    for (const char* order : {"by_cost", "by_constancy"})
        for (const auto& r : rep[order]["relative_perplexity_increase"]) CHECK(r.get<double>() == doctest::Approx(0.0).epsilon(1e-5));
    CHECK(rep["by_cost"]["loss"][0].get<double>() == base);
}

TEST_CASE("the curve's ends and first step are analyze constant's figures: none, the cheapest head alone, every head") {
    const Measured r(2, 64, 1, 5);
    const Json &papa = r.papa, &single = r.single;
    const auto& cost = papa["by_cost"];
    CHECK(cost["loss"][0].get<double>() == single["baseline"]["loss"].get<double>());
    CHECK(cost["loss"][4].get<double>() == doctest::Approx(single["all_heads"]["loss"].get<double>()).epsilon(1e-9));
    CHECK(papa["by_constancy"]["loss"][4].get<double>() == doctest::Approx(single["all_heads"]["loss"].get<double>()).epsilon(1e-9));
    // the head that costs least alone goes first, and k = 1 is its single-head loss
    double cheapest = 1e9;
    for (const auto& h : single["heads"]) cheapest = std::min(cheapest, h["loss"].get<double>());
    CHECK(cost["loss"][1].get<double>() == doctest::Approx(cheapest).epsilon(1e-9));
    // each order holds every head once
    for (const char* order : {"by_cost", "by_constancy"}) {
        std::vector<std::pair<int, int>> seen;
        for (const auto& h : papa[order]["order"]) seen.push_back({h[0].get<int>(), h[1].get<int>()});
        std::sort(seen.begin(), seen.end());
        CHECK(seen == std::vector<std::pair<int, int>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}});
    }
    // relative perplexity increase is exp(loss_k - loss_0) - 1
    const double base = cost["loss"][0].get<double>();
    CHECK(cost["relative_perplexity_increase"][4].get<double>() == doctest::Approx(std::exp(cost["loss"][4].get<double>() - base) - 1));
}

TEST_CASE("each order sorts the heads by single cost or by distance, and each point replaces exactly the first k heads") {
    const Measured r(3, 96, 3, 8);
    const Json &papa = r.papa, &single = r.single;
    std::map<std::pair<int, int>, std::pair<double, double>> of;  // (layer, head) -> (cost, distance)
    for (const auto& h : single["heads"])
        of[{h["layer"].get<int>(), h["head"].get<int>()}] = {h["cost"].get<double>(), h["distance"].get<double>()};
    for (const char* name : {"by_cost", "by_constancy"}) {
        const Json& order = papa[name]["order"];
        REQUIRE(order.size() == 6);
        for (std::size_t i = 1; i < order.size(); ++i) {
            const auto a = of[{order[i - 1][0].get<int>(), order[i - 1][1].get<int>()}], b = of[{order[i][0].get<int>(), order[i][1].get<int>()}];
            CHECK((std::string(name) == "by_cost" ? a.first <= b.first : a.second <= b.second));
        }
        for (int k = 0; k <= 6; ++k) {
            std::set<std::pair<int, int>> first;
            for (int i = 0; i < k; ++i) first.insert({order[static_cast<std::size_t>(i)][0].get<int>(), order[static_cast<std::size_t>(i)][1].get<int>()});
            const double expected = loss_with(r.model, r.avg, r.eval, PapaRequest{}.eval_windows,
                                              [&](int layer, int head) { return first.count({layer, head}) > 0; });
            CHECK(papa[name]["loss"][static_cast<std::size_t>(k)].get<double>() == doctest::Approx(expected).epsilon(1e-12));
        }
    }
}

}  // TEST_SUITE
