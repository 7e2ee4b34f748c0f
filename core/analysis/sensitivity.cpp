#include "analysis/sensitivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/paper_measures.hpp"
#include "error.hpp"
#include "model/backward.hpp"
#include "util/rng.hpp"

namespace attnlab {
namespace {

// The perturbation direction of one head: N(0, 1) on the causal entries, zero above the diagonal,
// the same numbers every time it is asked for (forward perturbation and backward dot product agree).
MatRM perturbation(std::uint64_t seed, int layer, int head, int T) {
    Rng rng(seed * 1000003ull + static_cast<std::uint64_t>(layer) * 1009ull + static_cast<std::uint64_t>(head));
    MatRM d = MatRM::Zero(T, T);
    for (int i = 0; i < T; ++i)
        for (int j = 0; j <= i; ++j) d(i, j) = static_cast<float>(rng.normal());
    return d;
}

}  // namespace

double jacobian_spectral_norm(const float* p, int n, double temperature) {
    if (n < 2) return 0.0;
    double p1 = -1, p2 = -1;  // largest and second largest
    for (int j = 0; j < n; ++j) {
        const double v = p[j];
        if (v > p1) { p2 = p1; p1 = v; }
        else if (v > p2) p2 = v;
    }
    if (p1 <= p2) return p1 / temperature;  // a tie at the top: e_a - e_b is an eigenvector with eigenvalue p1
    // diag(p) - p p^T has its largest eigenvalue in (p2, p1), where f(l) = 1 - sum p_j^2 / (p_j - l) falls
    // strictly from +inf to -inf: Newton's method from the middle, kept inside a bracket that every step
    // narrows (a step that would leave it bisects instead), to double precision in a few passes over the row.
    double lo = p2, hi = p1, x = 0.5 * (lo + hi);
    for (int it = 0; it < 200; ++it) {
        double f = 1.0, slope = 0.0;
        for (int j = 0; j < n; ++j) {
            const double v = p[j];
            if (v == 0.0) continue;
            const double r = v / (v - x);
            f -= v * r;
            slope -= r * r;
        }
        (f > 0 ? lo : hi) = x;
        double next = x - f / slope;
        if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
        if (std::abs(next - x) <= 1e-16 * p1 || hi - lo <= 1e-16 * p1) return next / temperature;
        x = next;
    }
    return x / temperature;
}

double jacobian_frobenius_norm(const float* p, int n, double temperature) {
    double s2 = 0, s3 = 0;
    for (int j = 0; j < n; ++j) {
        const double v = p[j];
        s2 += v * v;
        s3 += v * v * v;
    }
    return std::sqrt(std::max(0.0, s2 - 2 * s3 + s2 * s2)) / temperature;
}

double weight_grad_norm(const float* p, int n, int i, double temperature) {
    double s2 = 0;
    for (int j = 0; j < n; ++j) s2 += double(p[j]) * p[j];
    const double pi = p[i];
    return pi * std::sqrt(std::max(0.0, (1 - pi) * (1 - pi) + s2 - pi * pi)) / temperature;
}

std::vector<double> log_spaced(double from, double to, int count) {
    if (!(from > 0) || !(to > 0) || count < 1)
        throw Error("temperatures: need 0 < from, 0 < to and a count >= 1 (as from:to:count)");
    std::vector<double> out;
    for (int i = 0; i < count; ++i)
        out.push_back(count == 1 ? from : std::exp(std::log(from) + (std::log(to) - std::log(from)) * i / (count - 1)));
    return out;
}

SensitivityPoint sensitivity_at(const Model& model, const std::vector<int>& ids, double temperature,
                                const SensitivityOptions& o, AlignedFloats* gradients) {
    const Config& c = model.config;
    if (ids.size() < 2) throw Error("sensitivity: needs at least 2 tokens (the loss predicts the next one)");
    const int T = static_cast<int>(ids.size());
    SensitivityPoint pt;
    pt.temperature = temperature;

    struct LayerAcc {
        std::vector<double> spectral, frobenius;
        double spectral_max = 0, top_grad = 0, diagonal_max = 0;
        long rows = 0, saturated = 0, tied = 0;
    };
    std::vector<LayerAcc> acc(static_cast<std::size_t>(c.n_layer));
    Activations acts;
    ForwardOptions fo;
    fo.normaliser = softmax_normaliser(static_cast<float>(temperature));
    fo.keep_logits = KeepLogits::None;
    fo.compute_loss = o.fd_check;  // else the backward pass computes the output layer, and the loss with it
    fo.activations = &acts;
    fo.observer = [&](const HeadView& v) {
        LayerAcc& a = acc[static_cast<std::size_t>(v.layer)];
        for (int i = 1; i < T; ++i) {
            const float* p = row_ptr(v.probs, i);
            const int n = i + 1;
            const double s = jacobian_spectral_norm(p, n, temperature);
            a.spectral.push_back(s);
            a.frobenius.push_back(jacobian_frobenius_norm(p, n, temperature));
            a.spectral_max = std::max(a.spectral_max, s);
            const int top = static_cast<int>(std::max_element(p, p + n) - p);
            float second = 0;
            for (int j = 0; j < n; ++j)
                if (j != top) second = std::max(second, p[j]);
            a.top_grad += weight_grad_norm(p, n, top, temperature);
            a.diagonal_max = std::max(a.diagonal_max, lemma_diagonal_max(p, n, temperature));
            ++a.rows;
            if (p[top] > o.saturated) ++a.saturated;
            if (p[top] - second < o.tied) ++a.tied;
        }
    };
    const double forward_loss = forward(model, ids, fo).loss;

    double directional = 0;  // <dL/ds, delta> over every head
    // the report needs the layers' gradients and the scores', not the embeddings'; the perturbation's
    // directional derivative only for the finite-difference check
    ScoreGradObserver along_perturbation;
    if (o.fd_check)
        along_perturbation = [&](int layer, int head, const MatRM& ds) {
            directional += static_cast<double>(ds.cwiseProduct(perturbation(o.seed, layer, head, T)).sum());
        };
    AlignedFloats into;
    if (gradients && !gradients->empty()) {
        into = std::move(*gradients);
        std::fill(into.begin(), into.end(), 0.0f);
    }
    Gradients g = backward(model, acts, along_perturbation, std::move(into), false);
    const std::vector<double> param_norms = layer_param_grad_norms(c, g);
    if (gradients) *gradients = std::move(g.params);
    pt.loss = o.fd_check ? forward_loss : g.loss;

    long rows = 0, saturated = 0, tied = 0;
    for (int l = 0; l < c.n_layer; ++l) {
        LayerAcc& a = acc[static_cast<std::size_t>(l)];
        LayerSensitivity ls;
        ls.layer = l;
        ls.spectral = quartiles(a.spectral);
        ls.frobenius = quartiles(a.frobenius);
        ls.spectral_max = a.spectral_max;
        ls.top_weight_grad = a.rows ? a.top_grad / a.rows : 0;
        ls.diagonal_max = a.diagonal_max;
        ls.saturated_fraction = a.rows ? double(a.saturated) / a.rows : 0;
        ls.tied_fraction = a.rows ? double(a.tied) / a.rows : 0;
        ls.score_grad_norm = std::sqrt(g.scores_norm_sq[static_cast<std::size_t>(l)]);
        ls.param_grad_norm = param_norms[static_cast<std::size_t>(l)];
        rows += a.rows;
        saturated += a.saturated;
        tied += a.tied;
        pt.layers.push_back(ls);
    }
    pt.saturated_fraction = rows ? double(saturated) / rows : 0;
    pt.tied_fraction = rows ? double(tied) / rows : 0;

    if (!o.fd_check) {
        pt.fd_measured = pt.fd_predicted = std::numeric_limits<double>::quiet_NaN();
        return pt;
    }
    ForwardOptions perturbed;
    perturbed.normaliser = fo.normaliser;
    perturbed.keep_logits = KeepLogits::None;
    perturbed.perturb_scores = [&](int layer, int head, MatRM& s) {
        s += static_cast<float>(o.fd_epsilon) * perturbation(o.seed, layer, head, T);
    };
    pt.fd_measured = forward(model, ids, perturbed).loss - pt.loss;
    pt.fd_predicted = o.fd_epsilon * directional;
    return pt;
}

}  // namespace attnlab
