#include "train/conditioning_probe.hpp"

#include "analysis/conditioning.hpp"
#include "analysis/stats.hpp"
#include "error.hpp"
#include "train/spectral.hpp"

namespace attnlab {

ConditioningProbe probe_conditioning(const Model& model, const std::vector<float>& params,
                                     const std::vector<std::vector<int>>& windows) {
    const Config& c = model.config;
    if (windows.empty()) throw Error("conditioning probe: no validation windows");
    ConditioningProbe p;
    p.projection_kappa = projection_kappas(c, params);
    std::vector<std::vector<double>> per_layer(static_cast<std::size_t>(c.n_layer));
    for (const auto& ids : windows) {
        if (ids.size() < 2) throw Error("conditioning probe: a validation window needs at least 2 tokens");
        const ForwardOptions fo = attention_only([&](const HeadView& v) {
            const int T = static_cast<int>(v.probs.rows());
            const double kappa = kappa_2(causal_softmax_double(v.scores, T, v.normaliser.temperature));
            per_layer[static_cast<std::size_t>(v.layer)].push_back(log10_kappa(kappa, T));
        });
        forward(model, ids, fo);
    }
    std::vector<double> all;
    for (auto& layer : per_layer) {
        p.attention_log10_kappa.push_back(quartiles(layer).median);
        all.insert(all.end(), layer.begin(), layer.end());
    }
    p.attention_log10_kappa_median = quartiles(all).median;
    return p;
}

}  // namespace attnlab
