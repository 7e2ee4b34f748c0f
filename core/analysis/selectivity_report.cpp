#include "analysis/selectivity_report.hpp"

#include "analysis/normaliser_choice.hpp"
#include "analysis/stats.hpp"
#include "analysis/trend.hpp"
#include "error.hpp"

namespace attnlab {
namespace {

Json band_json(const Band& b) { return {{"q1", numbers_json(b.q1)}, {"median", numbers_json(b.median)}, {"q3", numbers_json(b.q3)}}; }

Json trend_json(const Trend& t) {
    return {{"verdict", t.verdict}, {"rho", number_json(t.rho)}, {"low", number_json(t.interval.low)}, {"high", number_json(t.interval.high)},
            {"bins_used", t.bins_used}};
}

Json selectivity_json(const SelectivityReport& r, const SelectivityOptions& o) {
    Json j;
    j["k"] = o.ks;
    j["eps"] = o.eps;
    j["positions"] = r.max_n;
    Json layers = Json::array();
    for (const auto& l : r.layers) {
        Json layer = {{"layer", l.layer}, {"entropy_norm", band_json(l.entropy_norm)}, {"n_eff_frac", band_json(l.n_eff_frac)}};
        if (!r.bins.empty())
            layer["binned"] = {{"rows", l.bin_rows}, {"entropy_norm", band_json(l.binned_entropy_norm)},
                               {"n_eff_frac", band_json(l.binned_n_eff_frac)},
                               {"trend", {{"entropy_norm", trend_json(bin_trend(r.bins, l.bin_rows, l.binned_entropy_norm))},
                                          {"n_eff_frac", trend_json(bin_trend(r.bins, l.bin_rows, l.binned_n_eff_frac))}}}};
        layers.push_back(std::move(layer));
    }
    j["layers"] = std::move(layers);
    if (!r.bins.empty()) {
        j["trend_method"] = "Spearman rho of the bins' medians against N over bins of at least " + std::to_string(static_cast<int>(kTrendMinUnits)) +
                            " head-window pairs; 95% interval over " + std::to_string(kBootstrapResamples) +
                            " redraws of each bin's median from its sampling spread (0.93 IQR / sqrt(head-window pairs))";
        Json bins = Json::array();
        for (const auto& b : r.bins) bins.push_back({{"lo", b.lo}, {"hi", b.hi}});
        j["bins"] = std::move(bins);
    }
    Json map = Json::array();
    for (const auto& row : r.head_map) map.push_back(numbers_json(row));
    j["head_map"] = std::move(map);
    Json heads = Json::array();
    for (const auto& h : r.heads)
        heads.push_back({{"layer", h.layer},
                         {"head", h.head},
                         {"rows", h.rows},
                         {"entropy_norm", number_json(h.entropy_norm)},
                         {"n_eff_frac", number_json(h.n_eff_frac)},
                         {"tv_uniform", number_json(h.tv_uniform)},
                         {"p_max", number_json(h.p_max)},
                         {"k90", number_json(h.k90)},
                         {"ceiling", number_json(h.ceiling)},
                         {"mass", numbers_json(h.mass)},
                         {"margin", numbers_json(h.margin)},
                         {"needed", numbers_json(h.needed)},
                         {"bound_mass", numbers_json(h.bound_mass)},
                         {"ceiling_mass", numbers_json(h.ceiling_mass)},
                         {"impossible_fraction", numbers_json(h.impossible_fraction)}});
    j["heads"] = std::move(heads);
    Json details = Json::array();
    for (const auto& d : r.details) {
        Json mass = Json::array(), needed = Json::array();
        for (const auto& m : d.mass_by_n) mass.push_back(numbers_json(m));
        for (const auto& m : d.needed_by_n) needed.push_back(numbers_json(m));
        Json detail = {{"layer", d.layer}, {"head", d.head}, {"mass_by_n", mass}, {"needed_by_n", needed},
                       {"ceiling_by_n", numbers_json(d.ceiling_by_n)}};
        if (!r.bins.empty()) {
            Json bands = Json::array();
            for (const auto& b : d.binned_mass) bands.push_back(band_json(b));
            detail["binned"] = {{"rows", d.bin_rows}, {"mass", bands}};
        }
        details.push_back(std::move(detail));
    }
    j["details"] = std::move(details);
    return j;
}

Json windows_json(const std::vector<Window>& windows) {
    Json out = Json::array();
    for (const auto& w : windows) out.push_back({{"start", w.start}, {"length", w.length}});
    return out;
}



const RequestFields<SelectivityRequest>& selectivity_fields() {
    static const auto f = RequestFields<SelectivityRequest>()
        .add("k", &SelectivityRequest::k, "top-k set sizes", at_least(1))
        .add("eps", &SelectivityRequest::eps, "mass shortfall allowed: a k-set should hold 1 - eps", open_unit())
        .add("temperature", &SelectivityRequest::temperature, "every head uses softmax(scores / T)", positive())
        .add("max_tokens", &SelectivityRequest::max_tokens, "window length (0: the model's context)", context_tokens())
        .add("heads", &SelectivityRequest::heads, "heads whose per-position curves go into the report (L:H,...)")
        .add("normaliser", &SelectivityRequest::normaliser, "softmax, topk:K, sparsemax, entmax15 or hardmax")
        .add("normaliser_heads", &SelectivityRequest::normaliser_heads, "heads that use the normaliser (L:H,...; none: every head)")
        .add("loss", &SelectivityRequest::loss, "compute the loss (false skips the output layer)")
        .add("bins", &SelectivityRequest::bins, "also summarise each layer, and each --heads head's top-k mass, over this many log-spaced bins of N, with their row counts (0: per N only)",
             Limits{0, 64});
    return f;
}

}  // namespace

Json selectivity_report(const Model& model, const std::vector<int>& ids, const SelectivityRequest& given,
                        const Progress& progress) {
    const Config& c = model.config;
    const SelectivityRequest request = selectivity_fields().checked(given, c, "selectivity");
    if (ids.empty()) throw Error("no tokens to analyse: the text is empty");
    SelectivityOptions o;
    o.ks = request.k;
    o.eps = request.eps;
    o.detail = request.heads;
    o.bins = request.bins;
    const int max_tokens = window_of(request.max_tokens, c.n_positions, c, "selectivity");
    const NormaliserChoice choice{request.normaliser, request.normaliser_heads};

    ForwardOptions fo;
    const std::string described = apply_normaliser_choice(choice, request.temperature, c, fo);
    fo.keep_logits = KeepLogits::None;
    fo.compute_loss = request.loss;
    SelectivitySummary summary(c, o);  // one head of one window at a time: memory does not grow with the text
    fo.observer = [&](const HeadView& v) { summary.add(head_selectivity(v, o)); };
    Mean loss;
    const auto windows = forward_windows(model, ids, max_tokens, fo, progress, [&](const Trace& t) {
        if (request.loss) loss.add(t.loss);
    });

    Json out;
    out["analysis"] = "selectivity";
    out["tokens"] = ids.size();
    out["max_tokens"] = max_tokens;
    out["windowed"] = windows.size() > 1;
    out["windows"] = windows_json(windows);
    out["temperature"] = fo.normaliser.temperature;
    out["normaliser"] = normaliser_json(choice, described);
    out["loss"] = request.loss ? number_json(loss.mean()) : Json();
    out.update(selectivity_json(summary.report(), o));
    return out;
}

AnalysisSpec selectivity_analysis() {
    return text_analysis("selectivity", "how far each head's rows are from uniform, and whether its scores can single out a top-k set",
                         selectivity_fields(), "the text (split into windows of max_tokens)", selectivity_report);
}

}  // namespace attnlab
