#include "analysis/paper.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "analysis/sensitivity.hpp"
#include "analysis/windows.hpp"
#include "error.hpp"

namespace attnlab {
namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

// Row indices by weight, largest first (ties: earlier position first).
std::vector<int> order_by_weight(const float* p, int n) {
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [p](int a, int b) { return p[a] > p[b]; });
    return order;
}

// ||v_j - s|| for j < n, with s = sum_j p_j v_j.
std::vector<double> distances_to_output(const float* p, const RefRM& values, int n) {
    Eigen::RowVectorXd s = Eigen::RowVectorXd::Zero(values.cols());
    for (int j = 0; j < n; ++j) s += double(p[j]) * values.row(j).cast<double>();
    std::vector<double> d(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j) d[static_cast<std::size_t>(j)] = (values.row(j).cast<double>() - s).norm();
    return d;
}

// One row's distances to the output, ordered by weight (largest first): shared by every top-n of the row.
struct RowGeometry {
    std::vector<double> by_weight;  // ||v_j - s|| for j in order of decreasing p_j
    RowGeometry(const float* p, const RefRM& values, int n) {
        const auto d = distances_to_output(p, values, n);
        for (int j : order_by_weight(p, n)) by_weight.push_back(d[static_cast<std::size_t>(j)]);
    }
    int n() const { return static_cast<int>(by_weight.size()); }
};

TopSetDistances distances_of(const RowGeometry& g, int top_n) {
    TopSetDistances r;
    const int n = g.n(), k = std::min(top_n, n);
    double in = 0, out = 0;
    for (int i = 0; i < n; ++i) (i < k ? in : out) += g.by_weight[static_cast<std::size_t>(i)];
    r.selected = in / k;
    r.unselected = n > k ? out / (n - k) : k_nan;
    r.ratio = r.unselected / r.selected;
    return r;
}

BallSeparability ball_of(const RowGeometry& g, int top_n) {
    BallSeparability b;
    const int n = g.n(), k = std::min(top_n, n);
    b.radius = *std::max_element(g.by_weight.begin(), g.by_weight.begin() + k);
    int outside = 0;
    for (int i = 0; i < n; ++i) {
        const bool in_ball = g.by_weight[static_cast<std::size_t>(i)] <= b.radius;
        b.inside += in_ball;
        if (i >= k && !in_ball) ++outside;
    }
    b.precision = static_cast<double>(k) / b.inside;
    b.f_score = 2 * b.precision * b.recall / (b.precision + b.recall);
    b.unselected_outside = n > k ? static_cast<double>(outside) / (n - k) : k_nan;
    return b;
}

}  // namespace

TopSetDistances top_set_distances(const float* p, const RefRM& values, int n, int top_n) {
    return distances_of(RowGeometry(p, values, n), top_n);
}

BallSeparability ball_separability(const float* p, const RefRM& values, int n, int top_n) {
    return ball_of(RowGeometry(p, values, n), top_n);
}

int critical_top_n(const std::vector<int>& top_ns, const std::vector<double>& ratios, double delta) {
    for (std::size_t i = 0; i < top_ns.size() && i < ratios.size(); ++i)
        if (ratios[i] < 1 + delta) return top_ns[i];
    return 0;
}

namespace {

// Values over heads and windows for one (layer, length, top-n) cell.
struct Cell {
    std::vector<double> ratio, selected, unselected, outside, precision, f_score;
};

Json quartile_grid(const std::vector<std::vector<std::vector<double>>>& values) {  // [length][top_n] -> samples
    Json q1 = Json::array(), med = Json::array(), q3 = Json::array();
    for (const auto& by_n : values) {
        std::vector<double> a, b, c;
        for (auto v : by_n) {
            const Quartiles q = quartiles(v);
            a.push_back(q.q1);
            b.push_back(q.median);
            c.push_back(q.q3);
        }
        q1.push_back(numbers_json(a));
        med.push_back(numbers_json(b));
        q3.push_back(numbers_json(c));
    }
    return {{"q1", q1}, {"median", med}, {"q3", q3}};
}

}  // namespace

Json paper_report(const Model& model, const std::vector<std::vector<int>>& texts, const PaperRequest& request,
                  const Progress& progress) {
    const Config& c = model.config;
    const int window = request.max_tokens == 0 ? c.n_positions : request.max_tokens;
    if (window < 2 || window > c.n_positions)
        throw Error("paper: max tokens must be in 2.." + std::to_string(c.n_positions));
    std::vector<int> top_ns = request.top_ns;
    if (top_ns.empty()) throw Error("paper: give at least one top-n");
    for (int n : top_ns)
        if (n < 1) throw Error("paper: every top-n must be >= 1");
    std::sort(top_ns.begin(), top_ns.end());
    top_ns.erase(std::unique(top_ns.begin(), top_ns.end()), top_ns.end());
    if (!(request.delta >= 0)) throw Error("paper: delta must be >= 0");
    std::size_t longest = 0;
    for (const auto& t : texts) longest = std::max(longest, t.size());
    if (longest < 2) throw Error("paper: the text must be at least 2 tokens");
    const int reach = static_cast<int>(std::min<std::size_t>(longest, static_cast<std::size_t>(window)));
    std::vector<int> lengths = request.lengths;
    if (lengths.empty())
        for (int L = 16; L <= reach; L *= 2) lengths.push_back(L);
    if (lengths.empty()) lengths.push_back(reach);
    std::sort(lengths.begin(), lengths.end());
    lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
    for (int L : lengths)
        if (L < 2 || L > reach)
            throw Error("paper: every length must be in 2.." + std::to_string(reach) +
                        " (the longest window this text and max tokens allow; got " + std::to_string(L) + ")");
    const std::vector<double> temperatures =
        request.temperatures.empty() ? log_spaced(0.05, 5.0, 12) : request.temperatures;
    for (double t : temperatures)
        if (!(t > 0) || !std::isfinite(t)) throw Error("paper: every temperature must be finite and > 0");

    const std::size_t NL = lengths.size(), NN = top_ns.size(), NT = temperatures.size();
    std::vector<std::vector<std::vector<Cell>>> cells(c.n_layer, std::vector<std::vector<Cell>>(NL, std::vector<Cell>(NN)));
    std::vector<std::vector<std::vector<double>>> critical(c.n_layer, std::vector<std::vector<double>>(NL));
    // gradient: per layer and temperature, over the rows at the chosen lengths
    std::vector<std::vector<std::vector<double>>> grad(c.n_layer, std::vector<std::vector<double>>(NT)), spectral = grad;

    std::vector<std::pair<std::size_t, Window>> all_windows;
    for (std::size_t t = 0; t < texts.size(); ++t)
        for (const auto& w : split_windows(static_cast<int>(texts[t].size()), window)) all_windows.push_back({t, w});
    ForwardOptions fo;
    fo.keep_logits = KeepLogits::None;
    fo.compute_loss = false;
    std::vector<float> pt;
    fo.observer = [&](const HeadView& v) {
        const int T = static_cast<int>(v.probs.rows());
        for (std::size_t li = 0; li < NL; ++li) {
            const int n = lengths[li];
            if (n > T) continue;
            const int row = n - 1;
            const float* p = row_ptr(v.probs, row);
            std::vector<double> ratios;
            const RowGeometry geometry(p, v.v, n);
            for (std::size_t ni = 0; ni < NN; ++ni) {
                Cell& cell = cells[v.layer][li][ni];
                const TopSetDistances d = distances_of(geometry, top_ns[ni]);
                const BallSeparability b = ball_of(geometry, top_ns[ni]);
                cell.ratio.push_back(d.ratio);
                cell.selected.push_back(d.selected);
                cell.unselected.push_back(d.unselected);
                cell.outside.push_back(b.unselected_outside);
                cell.precision.push_back(b.precision);
                cell.f_score.push_back(b.f_score);
                ratios.push_back(top_ns[ni] < n ? d.ratio : k_nan);
            }
            const int crit = critical_top_n(top_ns, ratios, request.delta);
            critical[v.layer][li].push_back(crit == 0 ? k_nan : crit);
            // the row's scores renormalised at each temperature (the model's own scale already in them)
            const float* s = row_ptr(v.scores, row);
            pt.resize(static_cast<std::size_t>(n));
            for (std::size_t ti = 0; ti < NT; ++ti) {
                softmax_normaliser(static_cast<float>(temperatures[ti])).apply(s, n, pt.data());
                const int top = static_cast<int>(std::max_element(pt.begin(), pt.end()) - pt.begin());
                grad[v.layer][ti].push_back(weight_grad_norm(pt.data(), n, top, temperatures[ti]));
                spectral[v.layer][ti].push_back(jacobian_spectral_norm(pt.data(), n, temperatures[ti]));
            }
        }
    };
    for (std::size_t w = 0; w < all_windows.size(); ++w) {
        const auto& [t, win] = all_windows[w];
        forward(model, std::vector<int>(texts[t].begin() + win.start, texts[t].begin() + win.start + win.length), fo);
        if (progress) progress(static_cast<int>(w + 1), static_cast<int>(all_windows.size()), "window");
    }

    Json out;
    out["analysis"] = "paper";
    std::size_t tokens = 0;
    for (const auto& t : texts) tokens += t.size();
    out["tokens"] = tokens;
    out["texts"] = texts.size();
    out["max_tokens"] = window;
    out["windows"] = all_windows.size();
    out["top_n"] = top_ns;
    out["lengths"] = lengths;
    out["delta"] = request.delta;
    out["temperatures"] = temperatures;
    Json dist = Json::array(), sep = Json::array(), gr = Json::array();
    for (int l = 0; l < c.n_layer; ++l) {
        auto grid = [&](auto member) {
            std::vector<std::vector<std::vector<double>>> g(NL, std::vector<std::vector<double>>(NN));
            for (std::size_t li = 0; li < NL; ++li)
                for (std::size_t ni = 0; ni < NN; ++ni) g[li][ni] = cells[l][li][ni].*member;
            return quartile_grid(g);
        };
        Json crit_median = Json::array(), never = Json::array();
        for (std::size_t li = 0; li < NL; ++li) {
            std::vector<double> v = critical[l][li];
            const double none = v.empty() ? k_nan
                                          : static_cast<double>(std::count_if(v.begin(), v.end(), [](double x) { return x != x; })) / v.size();
            crit_median.push_back(number_json(quartiles(v).median));
            never.push_back(number_json(none));
        }
        dist.push_back({{"layer", l}, {"ratio", grid(&Cell::ratio)}, {"selected", grid(&Cell::selected)},
                        {"unselected", grid(&Cell::unselected)},
                        {"critical_n", {{"median", crit_median}, {"never_fraction", never}}}});
        sep.push_back({{"layer", l}, {"unselected_outside", grid(&Cell::outside)}, {"precision", grid(&Cell::precision)},
                       {"f_score", grid(&Cell::f_score)}});
        std::vector<double> g_med, g_max, j_med, j_max, over;
        for (std::size_t ti = 0; ti < NT; ++ti) {
            std::vector<double> g = grad[l][ti], j = spectral[l][ti];
            const double bound = std::min(1.0 / (4 * temperatures[ti]), std::sqrt(2.0));
            over.push_back(g.empty() ? k_nan
                                     : static_cast<double>(std::count_if(g.begin(), g.end(), [&](double x) { return x > bound; })) / g.size());
            g_max.push_back(g.empty() ? k_nan : *std::max_element(g.begin(), g.end()));
            j_max.push_back(j.empty() ? k_nan : *std::max_element(j.begin(), j.end()));
            g_med.push_back(quartiles(g).median);
            j_med.push_back(quartiles(j).median);
        }
        gr.push_back({{"layer", l},
                      {"top_weight_grad", {{"median", numbers_json(g_med)}, {"max", numbers_json(g_max)}}},
                      {"jacobian_spectral", {{"median", numbers_json(j_med)}, {"max", numbers_json(j_max)}}},
                      {"above_paper_bound", numbers_json(over)}});
    }
    std::vector<double> paper_bound, exact;
    for (double t : temperatures) {
        paper_bound.push_back(std::min(1.0 / (4 * t), std::sqrt(2.0)));
        exact.push_back(1.0 / (2 * t));
    }
    out["distance"] = std::move(dist);
    out["separability"] = std::move(sep);
    out["gradient"] = {{"bounds", {{"paper", numbers_json(paper_bound)}, {"jacobian_spectral_exact", numbers_json(exact)}}},
                       {"layers", std::move(gr)}};
    return out;
}

}  // namespace attnlab
