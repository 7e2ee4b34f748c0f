#include "analysis/papa_curve.hpp"

#include <algorithm>
#include <cmath>

#include "analysis/json.hpp"
#include "error.hpp"

namespace attnlab {
namespace {

const RequestFields<PapaRequest>& papa_fields() {
    static const auto f = RequestFields<PapaRequest>()
        .add("window", &PapaRequest::window, "averaging window (0: the model's context)", context_tokens())
        .add("max_windows", &PapaRequest::max_windows, "windows of the corpus averaged, at most", at_least(1))
        .add("eval_windows", &PapaRequest::eval_windows, "windows of the text evaluated, at most", at_least(1))
        .add("rank_windows", &PapaRequest::rank_windows, "windows of the text after the evaluated ones that rank the heads, at most", at_least(1))
        .add("points", &PapaRequest::points, "values of k on each curve, spread from 0 to every head (0: every k)", at_least(0));
    return f;
}

struct Head {
    int layer, head;
    double cost, distance;
};

// The curve for one order of the heads: the first k replaced, at each k of ks, on the evaluated windows.
Json curve(const Model& model, const ConstantAttention& avg, const std::vector<int>& eval, int eval_windows,
           const std::vector<Head>& order, const std::vector<int>& ks, const WindowLosses& base, const std::function<void()>& step) {
    const int NH = model.config.n_head;
    std::vector<int> rank(order.size());  // rank[layer * NH + head]: place in the order
    for (std::size_t i = 0; i < order.size(); ++i) rank[static_cast<std::size_t>(order[i].layer * NH + order[i].head)] = static_cast<int>(i);
    Json heads = Json::array(), loss = Json::array(), relative = Json::array(), low = Json::array(), high = Json::array();
    for (const Head& h : order) heads.push_back({h.layer, h.head});
    for (int k : ks) {
        const WindowLosses l = k == 0 ? base : losses_with(model, avg, eval, eval_windows, [&](int layer, int head) {
            return rank[static_cast<std::size_t>(layer * NH + head)] < k;
        });
        const Json r = relative_increase(l, base);
        loss.push_back(number_json(l.mean()));
        relative.push_back(r["value"]);
        low.push_back(r["low"]);
        high.push_back(r["high"]);
        if (k != 0) step();
    }
    return {{"order", heads}, {"loss", loss}, {"relative_perplexity_increase", relative},
            {"relative_low", low}, {"relative_high", high}};
}

std::string windows_named(int first, int count) {
    return count == 1 ? "window " + std::to_string(first) : "windows " + std::to_string(first) + "-" + std::to_string(first + count - 1);
}

}  // namespace

std::vector<int> papa_ks(int heads, int points) {
    std::vector<int> ks;
    if (points == 0 || points > heads) {
        for (int k = 0; k <= heads; ++k) ks.push_back(k);
        return ks;
    }
    for (int i = 0; i < std::max(2, points); ++i) ks.push_back(static_cast<int>(std::lround(static_cast<double>(i) * heads / (std::max(2, points) - 1))));
    ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
    return ks;
}

PapaSplit papa_split(std::size_t tokens, int window, int eval_windows, int rank_windows) {
    if (tokens < 4)
        throw Error("papa: the text has " + std::to_string(tokens) + " tokens; ranking the heads on text the evaluation never "
                    "sees needs at least 4 (two windows of 2)");
    const std::size_t w = static_cast<std::size_t>(window);
    const int available = static_cast<int>(std::min<std::size_t>(tokens / w + (tokens % w >= 2 ? 1 : 0), 1u << 30));
    if (available < 2) return {1, 1, static_cast<int>(tokens / 2)};
    if (available >= eval_windows + rank_windows) return {eval_windows, rank_windows, window};
    const int evaluated = std::min(eval_windows, (available + 1) / 2);
    return {evaluated, std::min(rank_windows, available - evaluated), window};
}

Json papa_curve_report(const Model& model, const ConstantAttention& avg, const std::vector<int>& text, const PapaRequest& given,
                       const Progress& progress) {
    const Config& c = model.config;
    const PapaRequest request = papa_fields().checked(given, c, "papa");
    const PapaSplit split = papa_split(text.size(), avg.size, request.eval_windows, request.rank_windows);
    // the ranking windows end where the text or the last of them does; windows shorter than the averages (a short
    // text's halves) use their top-left block
    const auto at = [&](int windows) {
        return text.begin() + static_cast<long>(std::min(text.size(), static_cast<std::size_t>(windows) * static_cast<std::size_t>(split.window)));
    };
    const std::vector<int> eval(text.begin(), at(split.evaluated)), ranking(at(split.evaluated), at(split.evaluated + split.ranked));
    // the single-head costs and distances on the ranking windows: analyze constant's figures, whose ranks order the heads
    ConstantRequest single;
    single.eval_windows = split.ranked;
    const int heads_total = c.n_layer * c.n_head;
    const std::vector<int> ks = papa_ks(heads_total, request.points);
    const int runs = 2 + c.n_layer + heads_total + 1 + 2 * (static_cast<int>(ks.size()) - 1);
    int done = 0;
    const Json each = constant_attention_report(model, avg, ranking, single, [&](int d, int, const std::string&) {
        done = d;
        if (progress) progress(done, runs, "ranking");
    });
    const auto step = [&] { if (progress) progress(++done, runs, "evaluation"); };
    std::vector<Head> by_cost, by_constancy;
    for (const auto& h : each["heads"])
        by_cost.push_back({h["layer"].get<int>(), h["head"].get<int>(), json_number(h["cost"]), json_number(h["distance"])});
    by_constancy = by_cost;
    // ties keep head order, so every build ranks alike
    std::stable_sort(by_cost.begin(), by_cost.end(), [](const Head& a, const Head& b) { return less_nan_last(a.cost, b.cost); });
    std::stable_sort(by_constancy.begin(), by_constancy.end(), [](const Head& a, const Head& b) { return less_nan_last(a.distance, b.distance); });
    const WindowLosses base = losses_with(model, avg, eval, split.evaluated, [](int, int) { return false; });
    step();

    Json out;
    out["analysis"] = "papa";
    out["protocol"] = "attnlab's progressive replacement, after PAPA: heads ranked on windows the evaluation never sees, "
                      "no probe re-fit";
    out["averaged_windows"] = avg.windows;
    out["averaged_tokens"] = avg.tokens;
    out["window"] = avg.size;
    out["evaluation_window"] = split.window;
    out["eval_tokens"] = static_cast<long>(eval.size());
    const bool halves = split.window != avg.size;  // a text shorter than two windows of the averages
    const long ranked_tokens = each["eval_tokens"].get<long>();
    out["evaluated"] = {{"windows", base.size()}, {"tokens", static_cast<long>(eval.size())},
                        {"text", (halves ? "tokens 1-" + std::to_string(eval.size()) : windows_named(1, static_cast<int>(base.size()))) +
                                     " of the text"}};
    out["ranked_on"] = {{"windows", each["eval_windows"]}, {"tokens", ranked_tokens},
                        {"text", (halves ? "tokens " + std::to_string(eval.size() + 1) + "-" + std::to_string(eval.size() + ranked_tokens)
                                         : windows_named(split.evaluated + 1, each["eval_windows"].get<int>())) +
                                     " of the text, which the evaluation never sees"},
                        {"baseline", each["baseline"]}};
    out["interval"] = bootstrap_method("the evaluated windows, each resample shared by the curve point and the baseline");
    out["heads"] = heads_total;
    out["k"] = ks;
    out["baseline"] = {{"loss", number_json(base.mean())}, {"perplexity", number_json(std::exp(base.mean()))}};
    out["by_cost"] = curve(model, avg, eval, split.evaluated, by_cost, ks, base, step);
    out["by_constancy"] = curve(model, avg, eval, split.evaluated, by_constancy, ks, base, step);
    return out;
}

AnalysisSpec papa_analysis() {
    return {"papa", "attnlab's progressive replacement, after PAPA: the loss as the k heads ranked first (on other windows) are replaced by their averages",
            papa_fields().fields(), constant_attention_inputs(), {},
            [](const Model& m, const AnalysisInputs& in, const Json& request, const Progress& progress) {
                const PapaRequest r = papa_fields().read(request);
                const ConstantAttention avg = averages_from(m, in, r.window, r.max_windows, progress);
                return AnalysisOutput{papa_curve_report(m, avg, in.texts.at(0), r, progress), {}};
            }};
}

}  // namespace attnlab
