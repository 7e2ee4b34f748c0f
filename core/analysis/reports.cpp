#include "analysis/reports.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "analysis/windows.hpp"
#include "error.hpp"

namespace attnlab {
namespace {

Json windows_json(const std::vector<Window>& windows) {
    Json out = Json::array();
    for (const auto& w : windows) out.push_back({{"start", w.start}, {"length", w.length}});
    return out;
}

int checked_max_tokens(int requested, int fallback, const Config& c, const char* what) {
    const int n = requested == 0 ? std::min(fallback, c.n_positions) : requested;
    if (n < 2 || n > c.n_positions)
        throw Error(std::string(what) + ": max tokens must be in 2.." + std::to_string(c.n_positions) + " (got " +
                    std::to_string(n) + ")");
    return n;
}


// The forward options' normalisers for a choice: softmax(T) in every head, and the chosen one where asked.
// Returns the chosen normaliser's description for the report.
std::string apply_choice(const NormaliserChoice& choice, double temperature, const Config& c, ForwardOptions& fo) {
    const Normaliser chosen = parse_normaliser(choice.spec, static_cast<float>(temperature), "normaliser");
    fo.normaliser = softmax_normaliser(static_cast<float>(temperature));
    if (choice.all_heads) fo.normaliser = chosen;
    else {
        check_heads(choice.heads, c);
        for (const auto& h : choice.heads) fo.head_normalisers.push_back({h, chosen});
    }
    return chosen.describe();
}

Json normaliser_json(const NormaliserChoice& choice, const std::string& described) {
    Json heads = Json::array();
    for (const auto& h : choice.heads) heads.push_back(std::to_string(h.layer) + ":" + std::to_string(h.head));
    return {{"name", described}, {"heads", choice.all_heads ? Json("all") : heads}};
}

}  // namespace

void check_heads(const std::vector<HeadId>& heads, const Config& c) {
    for (const auto& h : heads)
        if (h.layer < 0 || h.layer >= c.n_layer || h.head < 0 || h.head >= c.n_head)
            throw Error("no head " + std::to_string(h.layer) + ":" + std::to_string(h.head) + " (the model has " +
                        std::to_string(c.n_layer) + " layers of " + std::to_string(c.n_head) + " heads)");
}

std::vector<Window> forward_windows(const Model& model, const std::vector<int>& ids, int window, const ForwardOptions& fo,
                                    const Progress& progress, const std::function<void(const Trace&)>& each) {
    const auto windows = split_windows(static_cast<int>(ids.size()), window);
    for (std::size_t w = 0; w < windows.size(); ++w) {
        const Trace trace =
            forward(model, std::vector<int>(ids.begin() + windows[w].start, ids.begin() + windows[w].start + windows[w].length), fo);
        if (each) each(trace);
        if (progress) progress(static_cast<int>(w + 1), static_cast<int>(windows.size()), "window");
    }
    return windows;
}

Json selectivity_report(const Model& model, const std::vector<int>& ids, const SelectivityRequest& request,
                        const Progress& progress) {
    const Config& c = model.config;
    const SelectivityOptions& o = request.options;
    if (ids.empty()) throw Error("no tokens to analyse: the text is empty");
    for (int k : o.ks)
        if (k < 1) throw Error("selectivity: every k must be >= 1");
    if (!(o.eps > 0 && o.eps < 1)) throw Error("selectivity: eps must be in (0, 1)");
    check_heads(o.detail, c);
    const int max_tokens = checked_max_tokens(request.max_tokens, c.n_positions, c, "selectivity");

    ForwardOptions fo;
    const std::string described = apply_choice(request.normaliser, request.temperature, c, fo);
    fo.keep_logits = KeepLogits::None;
    fo.compute_loss = request.loss;
    std::vector<HeadRows> rows;
    fo.observer = [&](const HeadView& v) { rows.push_back(head_selectivity(v, o)); };
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
    out["normaliser"] = normaliser_json(request.normaliser, described);
    out["loss"] = request.loss ? number_json(loss.mean()) : Json();
    out.update(selectivity_json(summarise_selectivity(rows, c, o), o));
    return out;
}

std::vector<double> parse_temperature_range(const std::string& spec) {
    double from = 0, to = 0;
    int count = 0;
    char tail = 0;
    if (std::sscanf(spec.c_str(), "%lf:%lf:%d%c", &from, &to, &count, &tail) != 3 || count < 1 || count > 1000 ||
        !(from > 0) || !(to > 0))
        throw Error("temperatures must be FROM:TO:COUNT with FROM, TO > 0 and COUNT in 1..1000, e.g. 0.05:5:16 (got '" +
                    spec + "')");
    return log_spaced(from, to, count);
}

Json sensitivity_report(const Model& model, const std::vector<int>& all_ids, const SensitivityRequest& request,
                        const Progress& progress) {
    const int max_tokens = checked_max_tokens(request.max_tokens, 128, model.config, "sensitivity");
    const std::size_t total = all_ids.size();
    if (total < 2) throw Error("sensitivity: the text must be at least 2 tokens (it has " + std::to_string(total) + ")");
    if (request.temperatures.empty()) throw Error("sensitivity: no temperatures");
    for (double t : request.temperatures)
        if (!(t > 0) || !std::isfinite(t)) throw Error("sensitivity: every temperature must be finite and > 0");
    const std::vector<int> ids(all_ids.begin(), all_ids.begin() + std::min<std::size_t>(total, max_tokens));

    std::vector<SensitivityPoint> points;
    for (std::size_t i = 0; i < request.temperatures.size(); ++i) {
        points.push_back(sensitivity_at(model, ids, request.temperatures[i], request.options));
        if (progress) progress(static_cast<int>(i + 1), static_cast<int>(request.temperatures.size()), "temperature");
    }
    Json out;
    out["analysis"] = "sensitivity";
    out["tokens"] = ids.size();
    out["text_tokens"] = total;
    out["max_tokens"] = max_tokens;
    if (total > ids.size())
        out["note"] = "analysed the first " + std::to_string(ids.size()) + " of " + std::to_string(total) +
                      " tokens (raise max tokens, up to n_positions, to use more)";
    out["fd_epsilon"] = request.options.fd_epsilon;
    out.update(sensitivity_json(points));
    return out;
}

Json run_report(const Model& model, const std::vector<int>& ids, const RunRequest& request) {
    check_heads(request.heads, model.config);
    ForwardOptions options;
    const std::string described = apply_choice(request.normaliser, request.temperature, model.config, options);
    options.capture_all = request.all_heads;
    options.capture = request.heads;
    const Trace trace = forward(model, ids, options);

    Json out;
    out["ids"] = trace.ids;
    out["temperature"] = options.normaliser.temperature;
    out["normaliser"] = normaliser_json(request.normaliser, described);
    out["loss"] = number_json(trace.loss);
    const auto last = trace.logits.row(trace.logits.rows() - 1);
    std::vector<int> order(static_cast<std::size_t>(last.size()));
    std::iota(order.begin(), order.end(), 0);
    const std::size_t top = std::min<std::size_t>(20, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(top), order.end(),
                      [&](int a, int b) { return last(a) > last(b) || (last(a) == last(b) && a < b); });
    auto& logits_top = out["logits_top"] = Json::array();
    for (std::size_t i = 0; i < top; ++i) logits_top.push_back({order[i], last(order[i])});
    auto& attention = out["attention"] = Json::object();
    for (const auto& h : trace.heads) {
        auto rows = Json::array();
        for (Eigen::Index i = 0; i < h.probs.rows(); ++i)
            rows.push_back(std::vector<float>(h.probs.row(i).data(), h.probs.row(i).data() + i + 1));
        attention[std::to_string(h.id.layer) + ":" + std::to_string(h.id.head)] = std::move(rows);
    }
    return out;
}

}  // namespace attnlab
