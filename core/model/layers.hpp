// The GPT-2 building blocks as free functions, forward direction (llm.c style).
// T = tokens, C = channels. All matrices row-major.
#pragma once
#include "io/config.hpp"
#include "tensor.hpp"

namespace attnlab {

// out = (x - mean) / sqrt(var + eps) * w + b, per row; mean and rstd (T) are kept for the backward pass.
void layernorm_forward(const RefRM& x, const Eigen::Ref<const RowVecF>& w, const Eigen::Ref<const RowVecF>& b,
                       float eps, MatRM& out, VecF& mean, VecF& rstd);

// out = x * W + b  (x: (T, in), W: (in, out), b: (out))
void linear_forward(const RefRM& x, const RefRM& w, const Eigen::Ref<const RowVecF>& b, MatRM& out);

// Elementwise activation in place. gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
void activation_forward(Activation activation, MatRM& x);

}  // namespace attnlab
