#include "analysis/conditioning.hpp"

#include <Eigen/SVD>  // BDCSVD
#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/stats.hpp"
#include "error.hpp"

namespace attnlab {

// From the singular values alone (divide and conquer, no singular vectors). Below n eps sigma_max a singular value is
// rounding noise: the matrix is numerically singular and kappa is +inf.
double kappa_2(const Eigen::MatrixXd& a) {
    const Eigen::BDCSVD<Eigen::MatrixXd> svd(a);
    const auto& s = svd.singularValues();  // descending
    const double smin = s(s.size() - 1), floor = s(0) * a.rows() * std::numeric_limits<double>::epsilon();
    return smin > floor ? s(0) / smin : std::numeric_limits<double>::infinity();
}

double log10_kappa(double kappa, int n) {
    return std::log10(std::isinf(kappa) ? 1.0 / (n * std::numeric_limits<double>::epsilon()) : kappa);
}

MatrixConditioning conditioning_of(const RefRM& attention, int L) {
    return conditioning_of(Eigen::MatrixXd(attention.topLeftCorner(L, L).cast<double>()));
}

Eigen::MatrixXd causal_softmax_double(const RefRM& scores, int L, double temperature) {
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(L, L);
    for (int i = 0; i < L; ++i) {
        double top = -std::numeric_limits<double>::infinity();
        for (int j = 0; j <= i; ++j) top = std::max(top, static_cast<double>(scores(i, j)) / temperature);
        double sum = 0;
        for (int j = 0; j <= i; ++j) sum += a(i, j) = std::exp(static_cast<double>(scores(i, j)) / temperature - top);
        a.row(i).head(i + 1) /= sum;
    }
    return a;
}

double float_resolved_kappa(const RefRM& scores, int L, double temperature) {
    double largest = 1;  // |s| / T, at least 1
    for (int i = 0; i < L; ++i)
        for (int j = 0; j <= i; ++j) largest = std::max(largest, std::abs(static_cast<double>(scores(i, j))) / temperature);
    return 16777216.0 / largest;  // 2^24
}

MatrixConditioning conditioning_of(const Eigen::MatrixXd& a) {
    MatrixConditioning m;
    m.kappa = kappa_2(a);
    m.min_diagonal = a.diagonal().minCoeff();
    Eigen::VectorXd inv_norm = a.rowwise().norm().cwiseInverse();
    m.kappa_preconditioned = kappa_2(inv_norm.asDiagonal() * a);
    return m;
}

namespace {

const RequestFields<ConditioningRequest>& conditioning_fields() {
    static const auto f = RequestFields<ConditioningRequest>()
        .add("lengths", &ConditioningRequest::lengths, "lengths L of the attention blocks (none: 16, 32, ... up to 256 and the window)", at_least(1))
        .add("max_tokens", &ConditioningRequest::max_tokens, "window length (0: the model's context)", context_tokens());
    return f;
}

}  // namespace

Json conditioning_report(const Model& model, const std::vector<int>& ids, const ConditioningRequest& given,
                         const Progress& progress) {
    const Config& c = model.config;
    const ConditioningRequest request = conditioning_fields().checked(given, c, "conditioning");
    const int window = window_of(request.max_tokens, c.n_positions, c, "conditioning");
    if (ids.size() < 2) throw Error("conditioning: the text must be at least 2 tokens");
    const int reach = static_cast<int>(std::min<std::size_t>(ids.size(), static_cast<std::size_t>(window)));
    const std::vector<int> lengths = lengths_to_measure(request.lengths, 1, reach, 256, "conditioning");

    const std::size_t NL = lengths.size();
    // [layer][length] samples over heads and windows; per head at the longest length: means over windows
    // (every head and window's value, or a uniform sample of 4,096 of them on long texts); bound: log10(1 / min_i A_ii)
    std::vector<std::vector<RowSample>> lk(c.n_layer, std::vector<RowSample>(NL)), lkp = lk, md = lk, bound = lk;
    std::vector<std::vector<Mean>> sing(c.n_layer, std::vector<Mean>(NL)), beyond = sing;
    std::vector<Mean> head_lk(static_cast<std::size_t>(c.n_layer * c.n_head)), head_lkp = head_lk, head_md = head_lk;
    const ForwardOptions fo = attention_only([&](const HeadView& v) {
        const int T = static_cast<int>(v.probs.rows());
        for (std::size_t li = 0; li < NL; ++li) {
            if (lengths[li] > T) continue;
            const int L = lengths[li];
            // the weights recomputed in double from the scores: float32 weights would cap what kappa can resolve
            const MatrixConditioning m = conditioning_of(causal_softmax_double(v.scores, L, v.normaliser.temperature));
            bound[v.layer][li].add(std::log10(1.0 / m.min_diagonal));
            beyond[v.layer][li].add(m.kappa > float_resolved_kappa(v.scores, L, v.normaliser.temperature) ? 1.0 : 0.0);
            lk[v.layer][li].add(log10_kappa(m.kappa, L));
            lkp[v.layer][li].add(log10_kappa(m.kappa_preconditioned, L));
            md[v.layer][li].add(m.min_diagonal);
            sing[v.layer][li].add(std::isinf(m.kappa) ? 1.0 : 0.0);
            if (li + 1 == NL) {
                const std::size_t h = static_cast<std::size_t>(v.layer * c.n_head + v.head);
                head_lk[h].add(log10_kappa(m.kappa, L));
                head_lkp[h].add(log10_kappa(m.kappa_preconditioned, L));
                head_md[h].add(m.min_diagonal);
            }
        }
    });
    const auto windows = forward_windows(model, ids, window, fo, progress);
    Json out;
    out["analysis"] = "conditioning";
    out["tokens"] = ids.size();
    out["max_tokens"] = window;
    out["windows"] = windows.size();
    out["lengths"] = lengths;
    out["preconditioner"] = "row equilibration: C = diag(1 / ||A_i,:||_2), kappa_2(C A)";
    std::vector<double> limits;
    for (int L : lengths) limits.push_back(std::log10(1.0 / (L * std::numeric_limits<double>::epsilon())));
    out["log10_kappa_limit"] = numbers_json(limits);  // per length: numerically singular blocks count as this
    out["log10_float_resolution"] = std::log10(16777216.0);  // 2^24: kappa past it is not resolved by float32 scores of |s| / T <= 1
    out["weights"] = "recomputed in double from the float32 scores, softmax(s / T)";
    Json layers = Json::array(), heads = Json::array();
    for (int l = 0; l < c.n_layer; ++l) {
        std::vector<double> singular, past_float;
        for (const auto& share : sing[l]) singular.push_back(share.mean());
        for (const auto& share : beyond[l]) past_float.push_back(share.mean());
        layers.push_back({{"layer", l}, {"log10_kappa", quartile_bands(lk[l])}, {"log10_kappa_preconditioned", quartile_bands(lkp[l])},
                          {"log10_causal_bound", quartile_bands(bound[l])}, {"min_diagonal", quartile_bands(md[l])},
                          {"numerically_singular", numbers_json(singular)}, {"beyond_float_resolution", numbers_json(past_float)}});
    }
    for (int l = 0; l < c.n_layer; ++l)
        for (int h = 0; h < c.n_head; ++h) {
            const std::size_t i = static_cast<std::size_t>(l * c.n_head + h);
            heads.push_back({{"layer", l}, {"head", h}, {"log10_kappa", number_json(head_lk[i].mean())},
                             {"log10_kappa_preconditioned", number_json(head_lkp[i].mean())},
                             {"min_diagonal", number_json(head_md[i].mean())}});
        }
    out["layers"] = std::move(layers);
    out["heads"] = std::move(heads);
    return out;
}

AnalysisSpec conditioning_analysis() {
    return text_analysis("conditioning", "kappa_2 of each head's attention matrices against length, before and after row equilibration",
                         conditioning_fields(), "the text (split into windows of max_tokens)", conditioning_report);
}

}  // namespace attnlab
