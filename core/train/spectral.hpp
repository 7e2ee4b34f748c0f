// Spectral conditioning of attention, attnlab's reading of Saratchandran and Lucey (arXiv 2603.07162; docs/science.md
// section 10): every layer's W_Q, W_K and W_V (GPT-2's three C x C blocks of attn.c_attn.weight) are used as
// W + lambda I in the forward and the backward pass. lambda is fixed before training, one per block, and is not a
// parameter. d(W + lambda I)/dW is the identity, so the gradient with respect to W is the plain backward pass's
// gradient on the effective weights W + lambda I; the optimizer (and its weight decay) updates W.
#pragma once
#include <vector>

#include "model/config.hpp"

namespace attnlab {

// lambda for each block, layer by layer in the order Q, K, V (3 n_layer values): `relative` times the block's largest
// singular value in `params` (the initial weights). Throws Error for a config whose attention is not GPT-2's fused
// C x 3C projection (only GPT-2 trains).
std::vector<double> spectral_lambdas(const Config& config, const std::vector<float>& params, double relative);

// params with each block's lambda added to its diagonal (params itself when lambdas is empty).
void add_identity(const Config& config, const std::vector<float>& params, const std::vector<double>& lambdas,
                  std::vector<float>& effective);

// kappa_2 = sigma_max / sigma_min of each layer's W_Q, W_K and W_V in `params`, in double (+inf when numerically
// singular): 3 n_layer values, in the order of spectral_lambdas.
std::vector<double> projection_kappas(const Config& config, const std::vector<float>& params);

}  // namespace attnlab
