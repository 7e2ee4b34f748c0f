#include "analysis/run_report.hpp"

#include <algorithm>
#include <numeric>

namespace attnlab {

Json run_report(const Model& model, const std::vector<int>& ids, const RunRequest& request) {
    check_heads(request.heads, model.config);
    ForwardOptions options;
    const std::string described = apply_normaliser_choice(request.normaliser, request.temperature, model.config, options);
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
