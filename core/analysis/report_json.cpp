#include "analysis/report_json.hpp"

#include <cmath>

namespace attnlab {
namespace {

Json band_json(const Band& b) { return {{"q1", numbers_json(b.q1)}, {"median", numbers_json(b.median)}, {"q3", numbers_json(b.q3)}}; }

template <class F>
Json per_point(const std::vector<SensitivityPoint>& pts, F f) {
    std::vector<double> v;
    for (const auto& p : pts) v.push_back(f(p));
    return numbers_json(v);
}

}  // namespace

Json number_json(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json quartile_bands(std::vector<std::vector<double>>& samples) {
    std::vector<double> q1, med, q3;
    for (auto& v : samples) {
        const Quartiles q = quartiles(v);
        q1.push_back(q.q1);
        med.push_back(q.median);
        q3.push_back(q.q3);
    }
    return {{"q1", numbers_json(q1)}, {"median", numbers_json(med)}, {"q3", numbers_json(q3)}};
}

Json numbers_json(const std::vector<double>& v) {
    Json out = Json::array();
    for (double x : v) out.push_back(number_json(x));
    return out;
}

Json selectivity_json(const SelectivityReport& r, const SelectivityOptions& o) {
    Json j;
    j["k"] = o.ks;
    j["eps"] = o.eps;
    j["positions"] = r.max_n;
    Json layers = Json::array();
    for (const auto& l : r.layers)
        layers.push_back({{"layer", l.layer}, {"entropy_norm", band_json(l.entropy_norm)}, {"n_eff_frac", band_json(l.n_eff_frac)}});
    j["layers"] = std::move(layers);
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
        details.push_back({{"layer", d.layer}, {"head", d.head}, {"mass_by_n", mass}, {"needed_by_n", needed},
                           {"ceiling_by_n", numbers_json(d.ceiling_by_n)}});
    }
    j["details"] = std::move(details);
    return j;
}

Json sensitivity_json(const std::vector<SensitivityPoint>& pts) {
    Json j;
    j["temperatures"] = per_point(pts, [](const auto& p) { return p.temperature; });
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

}  // namespace attnlab
