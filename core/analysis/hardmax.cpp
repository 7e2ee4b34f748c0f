#include "analysis/hardmax.hpp"

#include <Eigen/Eigenvalues>

#include "attention/hull_index.hpp"
#include "analysis/stats.hpp"
#include "error.hpp"

namespace attnlab {

namespace {

// Refit after row i when i + 1 is a power of two or a multiple of 64: every row early on, then every 64 rows.
bool refit_after(int i) { return ((i + 1) & i) == 0 || (i + 1) % 64 == 0; }

}  // namespace

std::vector<int> causal_hull_argmax(const Eigen::MatrixXd& q, const Eigen::MatrixXd& k, int key_window) {
    const int T = static_cast<int>(k.rows()), hs = static_cast<int>(k.cols()), dims = std::min(2, hs);
    std::vector<int> out(static_cast<std::size_t>(T));
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(hs, hs), P;  // sum over the keys row i sees of k_j^T k_j; P (hs, 2)
    HullIndex index;
    const auto point = [&](const Eigen::RowVectorXd& x, int c) { return c < P.cols() ? x.dot(P.col(c)) : 0.0; };
    for (int i = 0; i < T; ++i) {
        const int first = first_key_in(key_window, i);
        gram.noalias() += k.row(i).transpose() * k.row(i);
        const bool dropped = first > 0;  // a local window moved on: key first - 1 left it
        if (dropped) gram.noalias() -= k.row(first - 1).transpose() * k.row(first - 1);
        const bool refit = P.size() == 0 || refit_after(i - 1);
        if (refit) {
            // the top-2 principal directions of the keys row i sees (eigenvalues ascending: the last columns)
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram);
            P = eig.eigenvectors().rightCols(dims);
        }
        if (refit || dropped) {  // the index rebuilt from the keys before i that row i sees (no removal in a hull)
            index = HullIndex();
            for (int j = first; j < i; ++j) index.insert(point(k.row(j), 0), point(k.row(j), 1), j);
        }
        index.insert(point(k.row(i), 0), point(k.row(i), 1), i);
        out[static_cast<std::size_t>(i)] = index.argmax(point(q.row(i), 0), point(q.row(i), 1));
    }
    return out;
}

std::vector<HeadHullAgreement> hull_agreement(const Model& model, const std::vector<int>& ids, int window,
                                              const Progress& progress) {
    const Config& c = model.config;
    std::vector<HeadHullAgreement> out(static_cast<std::size_t>(c.n_layer * c.n_head));
    for (int l = 0; l < c.n_layer; ++l)
        for (int h = 0; h < c.n_head; ++h) out[static_cast<std::size_t>(l * c.n_head + h)] = {l, h};
    const ForwardOptions fo = attention_only([&](const HeadView& v) {
        auto& r = out[static_cast<std::size_t>(v.layer * c.n_head + v.head)];
        const Eigen::MatrixXd k = v.k.cast<double>(), q = v.q.cast<double>();  // (T, hs)
        const int T = static_cast<int>(k.rows()), hs = static_cast<int>(k.cols());
        // a description of the window: the share of the keys' energy in their top-2 directions (all keys)
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(k.transpose() * k, Eigen::EigenvaluesOnly);
        const double total = eig.eigenvalues().sum();
        r.energy_2d += total > 0 ? eig.eigenvalues().tail(std::min(2, hs)).sum() / total : 1.0;
        // each query answered through the hull of directions fitted on keys it may see (causal), never later ones
        const std::vector<int> got = causal_hull_argmax(q, k, v.window);
        for (int i = 0; i < T; ++i) {
            double best = -1e300;  // the full-dimension maximum over the keys row i sees, in double
            for (int j = v.first_key(i); j <= i; ++j) best = std::max(best, q.row(i).dot(k.row(j)));
            const double mine = q.row(i).dot(k.row(got[static_cast<std::size_t>(i)]));
            r.agree += mine >= best - 1e-9 * std::max(1.0, std::abs(best));
            ++r.rows;
        }
    });
    const auto windows = forward_windows(model, ids, window, fo, progress);
    if (!windows.empty())
        for (auto& h : out) h.energy_2d /= static_cast<double>(windows.size());  // every head sees every window
    return out;
}

namespace {

const RequestFields<HardmaxRequest>& hardmax_fields() {
    static const auto f = RequestFields<HardmaxRequest>()
        .add("max_tokens", &HardmaxRequest::max_tokens, "window length (0: the model's context)", context_tokens());
    return f;
}

}  // namespace

Json hardmax_report(const Model& model, const std::vector<int>& ids, const HardmaxRequest& given, const Progress& progress) {
    const Config& c = model.config;
    const int window = window_of(hardmax_fields().checked(given, c, "hard-max").max_tokens, c.n_positions, c, "hard-max");
    if (ids.empty()) throw Error("hard-max: the text is empty");
    const auto heads = hull_agreement(model, ids, window, progress);
    Json out;
    out["analysis"] = "hardmax";
    out["tokens"] = ids.size();
    out["max_tokens"] = window;
    Json hs = Json::array(), layers = Json::array();
    for (int l = 0; l < c.n_layer; ++l) {
        long rows = 0, agree = 0;
        for (const auto& h : heads)
            if (h.layer == l) { rows += h.rows; agree += h.agree; }
        layers.push_back({{"layer", l}, {"agreement", rows ? static_cast<double>(agree) / rows : 0.0}});
    }
    for (const auto& h : heads)
        hs.push_back({{"layer", h.layer}, {"head", h.head}, {"rows", h.rows},
                      {"agreement", h.rows ? static_cast<double>(h.agree) / h.rows : 0.0}, {"energy_2d", h.energy_2d}});
    out["layers"] = std::move(layers);
    out["heads"] = std::move(hs);
    return out;
}

AnalysisSpec hardmax_analysis() {
    return text_analysis("hardmax", "per head, how often the 2-D hull index finds the full-dimension argmax (hard-max in O(log n))",
                         hardmax_fields(), "the text (split into windows of max_tokens)", hardmax_report);
}

}  // namespace attnlab
