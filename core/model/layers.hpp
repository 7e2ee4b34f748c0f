// The GPT-2 building blocks as free functions, forward direction (llm.c style).
// T = tokens, C = channels. All matrices row-major.
#pragma once
#include "model/config.hpp"
#include "model/weights.hpp"
#include "tensor.hpp"
#include "util/gemm.hpp"

namespace attnlab {

// out = a * B (or out += a * B, accumulating) for B (a.cols() x n) at b, laid out as `layout` says with row stride
// ldb: out's n columns in fixed blocks on parallel.hpp's threads, each block a gemm_f32, so the bits never depend on
// the thread count. Every matrix product of the forward and backward passes but attention's per-head ones. bias (n
// values, or null) is added to every row, each block's columns by its own task.
void matmul(const RefRM& a, const float* b, int ldb, BLayout layout, int n, float* out, int ldo, bool accumulate = false,
            const float* bias = nullptr);
// out += a^T b for a (T, m) and b (T, n): a^T copied once, then matmul.
void add_transposed_product(const RefRM& a, const RefRM& b, Eigen::Ref<MatRM> out);

// out = (x - mean) / sqrt(var + eps) * w + b, per row; mean and rstd (T) are kept for the backward pass.
void layernorm_forward(const RefRM& x, const Eigen::Ref<const RowVecF>& w, const Eigen::Ref<const RowVecF>& b,
                       float eps, MatRM& out, VecF& mean, VecF& rstd);

// x += y (the residual stream), in row blocks on parallel.hpp's threads; true when every entry of the sum is finite.
bool residual_add(MatRM& x, const MatRM& y);

// out = x * W + b  (x: (T, in), W: (in, out), b: (out))
void linear_forward(const RefRM& x, const RefRM& w, const Eigen::Ref<const RowVecF>& b, MatRM& out);
// The same for a stored weight: (in, out), or (out, in) when w.out_in (then out = x W^T + b); no bias when b is
// empty. scratch holds W as F32 when it is stored in F16.
void linear_forward(const RefRM& x, const Tensor2& w, const Tensor1& b, MatRM& out, MatRM& scratch);

// out = x / sqrt(mean(x^2) + eps) * w, per row (RMSNorm); rstd (T) is kept.
void rmsnorm_forward(const RefRM& x, const Eigen::Ref<const RowVecF>& w, float eps, MatRM& out, VecF& rstd);
// The config's norm: a layer norm with gain w and shift b, or an RMSNorm with gain w (b empty).
void norm_forward(const Config& config, const RefRM& x, const Tensor1& w, const Tensor1& b, MatRM& out, VecF& mean, VecF& rstd);
// Each head's q and k (head_dim columns of qkv) through an RMSNorm with the gains q_norm / k_norm (Qwen3).
void head_norm_forward(const Config& config, const Tensor1& q_norm, const Tensor1& k_norm, MatRM& qkv);
// Rotary positions (rotate-half form) on the first rotary_dim columns of each head's q and k, in place, for tokens
// at positions first_position, first_position + 1, ...: with f_m = rope_theta^(-2m / rotary_dim), m < rotary_dim / 2,
//   x'_m = x_m cos(p f_m) - x_{m + r/2} sin(p f_m),  x'_{m + r/2} = x_{m + r/2} cos(p f_m) + x_m sin(p f_m)
void rotary_forward(const Config& config, int first_position, MatRM& qkv);
// out (T, I) = act(gate_up's first I columns) * its last I columns (SwiGLU when act is SiLU)
void gated_forward(Activation activation, const MatRM& gate_up, MatRM& out);

// The vocabulary products of the output layer, in vocabulary chunks so that no GEMM packs the whole
// (V, C) matrix at once (which costs V x 320 floats of scratch in Eigen's parallel GEMM):
//   logits (n, V) = x (n, C) lm_head^T
//   dx (n, C) = dlogits (n, V) lm_head,  dlm_head (V, C) += dlogits^T x
void logits_forward(const RefRM& x, const Tensor2& lm_head, MatRM& logits);
// log sum_j exp(row_j), with the sum in double so it does not depend on the summation order (SIMD width)
double log_sum_exp(const Eigen::Ref<const RowVecF>& row);
void logits_backward(const RefRM& x, const Tensor2& lm_head, const RefRM& dlogits, Eigen::Ref<MatRM> dx,
                     Eigen::Ref<MatRM> dlm_head,
                     bool weight_grad = true);

// Elementwise activation in place. gelu_new: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); silu: x / (1 + e^-x).
void activation_forward(Activation activation, MatRM& x);

}  // namespace attnlab

namespace attnlab {

// Backward of layernorm_forward: given dy (T, C), accumulates dw, db (C) and writes dx (T, C).
//   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * w
void layernorm_backward(const RefRM& x, const VecF& mean, const VecF& rstd, const Eigen::Ref<const RowVecF>& w,
                        const RefRM& dy, Eigen::Ref<RowVecF> dw, Eigen::Ref<RowVecF> db, MatRM& dx);

// Backward of activation_forward: d_in = d_out * f'(pre), elementwise (pre: the input before the activation).
void activation_backward(Activation activation, const RefRM& pre, const RefRM& d_out, MatRM& d_in);

// Backward of rmsnorm_forward: with xhat = x * rstd, dw += dy * xhat (summed over rows) and
//   dx = rstd * (dy * w - xhat * mean(dy * w * xhat))
void rmsnorm_backward(const RefRM& x, const VecF& rstd, const Eigen::Ref<const RowVecF>& w, const RefRM& dy,
                      Eigen::Ref<RowVecF> dw, MatRM& dx);
// Backward of rotary_forward: each pair turned back by the same angle (the rotation's transpose), in place.
void rotary_backward(const Config& config, int first_position, MatRM& dqkv);
// Backward of head_norm_forward: pre is qkv before the norm; dqkv (the gradient after it) becomes the gradient
// before it; the gains' gradients are added to dq_norm and dk_norm.
void head_norm_backward(const Config& config, const MatRM& pre, const Tensor1& q_norm, const Tensor1& k_norm, MatRM& dqkv,
                        Eigen::Ref<RowVecF> dq_norm, Eigen::Ref<RowVecF> dk_norm);
// Backward of gated_forward: d_gate_up (T, 2I) from d_out (T, I).
void gated_backward(Activation activation, const MatRM& gate_up, const RefRM& d_out, MatRM& d_gate_up);

}  // namespace attnlab
