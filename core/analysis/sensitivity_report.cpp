#include "analysis/sensitivity_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "error.hpp"

namespace attnlab {
namespace {

template <class F>
Json per_point(const std::vector<SensitivityPoint>& pts, F f) {
    std::vector<double> v;
    for (const auto& p : pts) v.push_back(f(p));
    return numbers_json(v);
}


Json sensitivity_json(const std::vector<SensitivityPoint>& pts) {
    Json j;
    j["temperatures"] = per_point(pts, [](const auto& p) { return p.temperature; });
    j["temperature_protocol"] = kTemperatureProtocol;
    j["bounds"] = {{"jacobian_spectral_exact", per_point(pts, [](const auto& p) { return 1.0 / (2.0 * p.temperature); })},
                   {"paper_lemma_diagonal", per_point(pts, [](const auto& p) { return 1.0 / (4.0 * p.temperature); })}};
    j["loss"] = per_point(pts, [](const auto& p) { return p.loss; });
    j["saturated_fraction"] = per_point(pts, [](const auto& p) { return p.saturated_fraction; });
    j["tied_fraction"] = per_point(pts, [](const auto& p) { return p.tied_fraction; });
    j["fd_check"] = {{"measured", per_point(pts, [](const auto& p) { return p.fd_measured; })},
                     {"predicted", per_point(pts, [](const auto& p) { return p.fd_predicted; })}};
    Json layers = Json::array();
    const std::size_t L = pts.empty() ? 0 : pts[0].layers.size();
    for (std::size_t l = 0; l < L; ++l) {
        auto f = [&](auto get) { return per_point(pts, [&](const auto& p) { return get(p.layers[l]); }); };
        layers.push_back({
            {"layer", static_cast<int>(l)},
            {"jacobian_spectral",
             {{"q1", f([](const auto& x) { return x.spectral.q1; })},
              {"median", f([](const auto& x) { return x.spectral.median; })},
              {"q3", f([](const auto& x) { return x.spectral.q3; })},
              {"max", f([](const auto& x) { return x.spectral_max; })}}},
            {"jacobian_frobenius",
             {{"q1", f([](const auto& x) { return x.frobenius.q1; })},
              {"median", f([](const auto& x) { return x.frobenius.median; })},
              {"q3", f([](const auto& x) { return x.frobenius.q3; })}}},
            {"top_weight_grad", f([](const auto& x) { return x.top_weight_grad; })},
            {"lemma_diagonal_max", f([](const auto& x) { return x.diagonal_max; })},
            {"saturated_fraction", f([](const auto& x) { return x.saturated_fraction; })},
            {"tied_fraction", f([](const auto& x) { return x.tied_fraction; })},
            {"score_grad_norm", f([](const auto& x) { return x.score_grad_norm; })},
            {"param_grad_norm", f([](const auto& x) { return x.param_grad_norm; })},
        });
    }
    j["layers"] = std::move(layers);
    return j;
}



// k of n positions, evenly spread with the first and the last among them (all when k >= n; the last when k = 1).
std::vector<bool> spread(std::size_t n, std::size_t k) {
    std::vector<bool> on(n, k >= n);
    if (k == 1 && n > 0) on[n - 1] = true;
    for (std::size_t i = 0; k >= 2 && k < n && i < k; ++i) on[(i * (n - 1) + (k - 1) / 2) / (k - 1)] = true;
    return on;
}

const RequestFields<SensitivityRequest>& sensitivity_fields() {
    static const auto f = RequestFields<SensitivityRequest>()
        .add("temperatures", &SensitivityRequest::temperatures, "FROM:TO:COUNT, log-spaced")
        .add("max_tokens", &SensitivityRequest::max_tokens, "the first max_tokens tokens (0: 128, or the model's context if shorter)", context_tokens())
        .add("fd_epsilon", &SensitivityRequest::fd_epsilon, "size of the random score perturbation of the finite-difference check", positive())
        .add("fd_checks", &SensitivityRequest::fd_checks,
             "temperatures with the finite-difference check (a forward pass each), spread from the first to the last", at_least(0));
    return f;
}

}  // namespace

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

Json sensitivity_report(const Model& model, const std::vector<int>& all_ids, const SensitivityRequest& given,
                        const Progress& progress) {
    const SensitivityRequest request = sensitivity_fields().checked(given, model.config, "sensitivity");
    const int max_tokens = window_of(request.max_tokens, 128, model.config, "sensitivity");
    const std::size_t total = all_ids.size();
    if (total < 2) throw Error("sensitivity: the text must be at least 2 tokens (it has " + std::to_string(total) + ")");
    const std::vector<double> temperatures = parse_temperature_range(request.temperatures);
    const std::vector<int> ids(all_ids.begin(), all_ids.begin() + std::min<std::size_t>(total, max_tokens));

    SensitivityOptions options;
    options.fd_epsilon = request.fd_epsilon;
    const std::vector<bool> checked = spread(temperatures.size(), static_cast<std::size_t>(request.fd_checks));
    std::vector<SensitivityPoint> points;
    AlignedFloats gradients;  // one buffer for every temperature's backward pass
    for (std::size_t i = 0; i < temperatures.size(); ++i) {
        options.fd_check = checked[i];
        points.push_back(sensitivity_at(model, ids, temperatures[i], options, &gradients));
        if (progress) progress(static_cast<int>(i + 1), static_cast<int>(temperatures.size()), "temperature");
    }
    Json out;
    out["analysis"] = "sensitivity";
    out["tokens"] = ids.size();
    out["text_tokens"] = total;
    out["max_tokens"] = max_tokens;
    if (total > ids.size())
        out["note"] = "analysed the first " + std::to_string(ids.size()) + " of " + std::to_string(total) +
                      " tokens (raise max tokens, up to n_positions, to use more)";
    out["fd_epsilon"] = request.fd_epsilon;
    out.update(sensitivity_json(points));
    return out;
}

AnalysisSpec sensitivity_analysis() {
    AnalysisSpec a = text_analysis("sensitivity", "the softmax Jacobian, the loss and its gradients over a temperature sweep",
                                   sensitivity_fields(), "the text (its first max_tokens tokens)", sensitivity_report);
    a.backward = true;
    return a;
}

}  // namespace attnlab
