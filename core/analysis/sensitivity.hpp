// Sensitivity of softmax attention to its scores, and of the model to temperature (docs/science.md section 3).
// For p = softmax(s / T) the Jacobian is J = (diag(p) - p p^T) / T.
//   ||J||_2: its largest eigenvalue, exact (root of the secular equation of a diagonal minus rank one);
//   ||J||_F^2 = (sum p^2 - 2 sum p^3 + (sum p^2)^2) / T^2;
//   ||d p_i / d s|| = p_i sqrt((1 - p_i)^2 + sum_{j != i} p_j^2) / T.
#pragma once
#include <cstdint>
#include <vector>

#include "analysis/stats.hpp"
#include "model/gpt2.hpp"

namespace attnlab {

double jacobian_spectral_norm(const float* p, int n, double temperature);
double jacobian_frobenius_norm(const float* p, int n, double temperature);
double weight_grad_norm(const float* p, int n, int i, double temperature);

// The one temperature protocol of every analysis that sweeps T (sensitivity, and the paper's gradient lemma): the
// whole network run at T, so later layers see the attention of earlier ones at T. Reports name it.
constexpr const char* kTemperatureProtocol = "the whole network run at T: softmax(s / T) in every head of every layer";

// `count` temperatures from `from` to `to`, evenly spaced in log T.
std::vector<double> log_spaced(double from, double to, int count);

struct SensitivityOptions {
    double fd_epsilon = 1e-3;   // size of the random score perturbation (per entry, standard deviation)
    std::uint64_t seed = 1;
    double saturated = 0.99;    // p_max above this: saturated row
    double tied = 0.01;         // top-2 gap below this: near-tied row
    bool fd_check = true;       // false: no finite-difference check (no perturbed pass; fd_* are NaN)
};

struct LayerSensitivity {
    int layer = 0;
    Quartiles spectral{}, frobenius{};  // over rows with N >= 2 of every head
    double spectral_max = 0, top_weight_grad = 0;  // max ||J||_2; mean ||d p_max / d s||
    double diagonal_max = 0;  // max over rows of max_i d p_i / d s_i: the quantity the paper's lemma bounds by 1/(4T)
    double saturated_fraction = 0, tied_fraction = 0;
    double score_grad_norm = 0;  // ||dL/ds|| over the layer's heads
    double param_grad_norm = 0;  // ||dL/dθ|| over the layer's parameters
};

struct SensitivityPoint {
    double temperature = 1, loss = 0;
    std::vector<LayerSensitivity> layers;
    double saturated_fraction = 0, tied_fraction = 0;
    // finite-difference check: loss change for scores + eps * delta (delta ~ N(0, 1) on causal entries)
    double fd_measured = 0, fd_predicted = 0;  // L(s + eps delta) - L(s), and eps <grad, delta>
};

// Runs forward and backward with every head at temperature T on ids (T >= 2 tokens), and the perturbed
// forward pass of the finite-difference check when options.fd_check. The loss comes from the forward pass
// when the check needs it (the check subtracts two losses computed alike), else from the backward pass.
// `gradients`: a buffer the backward pass may reuse from one temperature to the next (a sweep then allocates
// the parameters' gradient once, not once per temperature); may be null.
SensitivityPoint sensitivity_at(const Model& model, const std::vector<int>& ids, double temperature,
                                const SensitivityOptions& options, AlignedFloats* gradients = nullptr);

}  // namespace attnlab
