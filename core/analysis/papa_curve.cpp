#include "analysis/papa_curve.hpp"

#include <algorithm>
#include <cmath>

#include "error.hpp"

namespace attnlab {
namespace {

const RequestFields<PapaRequest>& fields() {
    static const auto f = RequestFields<PapaRequest>()
        .add("window", &PapaRequest::window, "averaging window (0: the model's context)", context_tokens())
        .add("max_windows", &PapaRequest::max_windows, "windows of the corpus averaged, at most", at_least(1))
        .add("eval_windows", &PapaRequest::eval_windows, "windows of the evaluated text, at most", at_least(1))
        .add("points", &PapaRequest::points, "values of k on each curve, spread from 0 to every head (0: every k)", at_least(0));
    return f;
}

struct Head {
    int layer, head;
    double cost, distance;
};

// The curve for one order of the heads: the first k replaced, at each k of ks.
Json curve(const Model& model, const ConstantAttention& avg, const std::vector<int>& eval, int eval_windows,
           const std::vector<Head>& order, const std::vector<int>& ks, double base, const std::function<void()>& step) {
    const int NH = model.config.n_head;
    std::vector<int> rank(order.size());  // rank[layer * NH + head]: place in the order
    for (std::size_t i = 0; i < order.size(); ++i) rank[static_cast<std::size_t>(order[i].layer * NH + order[i].head)] = static_cast<int>(i);
    Json heads = Json::array(), loss = Json::array(), relative = Json::array();
    for (const Head& h : order) heads.push_back({h.layer, h.head});
    for (int k : ks) {
        const double l = k == 0 ? base : loss_with(model, avg, eval, eval_windows, [&](int layer, int head) {
            return rank[static_cast<std::size_t>(layer * NH + head)] < k;
        });
        loss.push_back(l);
        relative.push_back(std::exp(l - base) - 1);
        if (k != 0) step();
    }
    return {{"order", heads}, {"loss", loss}, {"relative_perplexity_increase", relative}};
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

Json papa_curve_report(const Model& model, const ConstantAttention& avg, const std::vector<int>& eval, const PapaRequest& given,
                       const Progress& progress) {
    const Config& c = model.config;
    const PapaRequest request = fields().checked(given, c, "papa");
    // the single-head costs and distances: analyze constant's figures, whose ranks order the heads
    ConstantRequest single;
    single.eval_windows = request.eval_windows;
    const int heads_total = c.n_layer * c.n_head;
    const std::vector<int> ks = papa_ks(heads_total, request.points);
    const int runs = 2 + c.n_layer + heads_total + 2 * (static_cast<int>(ks.size()) - 1);
    int done = 0;
    const Json each = constant_attention_report(model, avg, eval, single, [&](int d, int, const std::string&) {
        done = d;
        if (progress) progress(done, runs, "evaluation");
    });
    const auto step = [&] { if (progress) progress(++done, runs, "evaluation"); };
    std::vector<Head> by_cost, by_constancy;
    for (const auto& h : each["heads"])
        by_cost.push_back({h["layer"].get<int>(), h["head"].get<int>(), json_number(h["cost"]), json_number(h["distance"])});
    by_constancy = by_cost;
    // ties keep head order, so every build ranks alike
    std::stable_sort(by_cost.begin(), by_cost.end(), [](const Head& a, const Head& b) { return less_nan_last(a.cost, b.cost); });
    std::stable_sort(by_constancy.begin(), by_constancy.end(), [](const Head& a, const Head& b) { return less_nan_last(a.distance, b.distance); });
    const double base = json_number(each["baseline"]["loss"]);

    Json out;
    out["analysis"] = "papa";
    out["averaged_windows"] = avg.windows;
    out["averaged_tokens"] = avg.tokens;
    out["window"] = avg.size;
    out["eval_tokens"] = each["eval_tokens"];
    out["heads"] = heads_total;
    out["k"] = ks;
    out["baseline"] = each["baseline"];
    out["by_cost"] = curve(model, avg, eval, request.eval_windows, by_cost, ks, base, step);
    out["by_constancy"] = curve(model, avg, eval, request.eval_windows, by_constancy, ks, base, step);
    return out;
}

AnalysisSpec papa_analysis() {
    return {"papa", "PAPA's progressive curve: the held-out loss as the k heads ranked first are replaced by their averages",
            fields().fields(), constant_attention_inputs(), {},
            [](const Model& m, const AnalysisInputs& in, const Json& request, const Progress& progress) {
                const PapaRequest r = fields().read(request);
                const ConstantAttention avg = averages_from(m, in, r.window, r.max_windows, progress);
                return AnalysisOutput{papa_curve_report(m, avg, in.texts.at(0), r, progress), {}};
            }};
}

}  // namespace attnlab
