#include "model/layers.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "util/gemm.hpp"
#include "util/parallel.hpp"

namespace attnlab {

namespace {
// Rows per task of the row-wise steps (norms, activations) on parallel.hpp's threads: fixed, so the split, and so
// the bits of Eigen's vectorised functions at each block's end, never depend on the thread count.
constexpr int k_row_block = 16;
}  // namespace

void layernorm_forward(const RefRM& x, const Eigen::Ref<const RowVecF>& w, const Eigen::Ref<const RowVecF>& b,
                       float eps, MatRM& out, VecF& mean, VecF& rstd) {
    const Eigen::Index T = x.rows(), C = x.cols();
    out.resize(T, C);
    mean.resize(T);
    rstd.resize(T);
    parallel_blocks(static_cast<int>(T), k_row_block, [&](int t0, int n) {
        for (Eigen::Index t = t0; t < t0 + n; ++t) {
            const float m = x.row(t).mean();
            const float var = (x.row(t).array() - m).square().mean();  // biased variance, as PyTorch
            const float r = 1.0f / std::sqrt(var + eps);
            out.row(t) = ((x.row(t).array() - m) * r * w.array() + b.array()).matrix();
            mean(t) = m;
            rstd(t) = r;
        }
    });
}

namespace {
constexpr int k_vocab_chunk = 1024;
// The forward pass's GEMMs, in the page and natively: out's columns in fixed blocks (gemm_column_block()), one task
// each on the threads of parallel.hpp (the page's, or OpenMP's), each block a gemm_f32 (util/gemm.hpp: WebAssembly SIMD
// in the page, AVX-512 or AVX2 natively). The same blocks on one thread or many give the same bits.

// out = x * B for B (x.cols(), n) given as `layout` says, at b with row stride ldb; out: n columns at o.
void block_gemm(const RefRM& x, const float* b, int ldb, BLayout layout, int n, float* o, int ldo, bool accumulate = false) {
    gemm_f32(static_cast<int>(x.rows()), n, static_cast<int>(x.cols()), x.data(), static_cast<int>(x.outerStride()),
             b, ldb, layout, o, ldo, accumulate);
}

// a, or a copy of it in `storage` with the row stride the running GEMM kernel reads fastest (gemm_a_stride): made once
// per product, before its column blocks go to the threads.
RefRM gemm_friendly(const RefRM& a, MatRM& storage) {
    const int stride = gemm_a_stride(static_cast<int>(a.outerStride()));
    if (stride == a.outerStride() || a.rows() < 2) return a;
    storage.resize(a.rows(), stride);
    storage.leftCols(a.cols()) = a;
    return storage.leftCols(a.cols());
}

// a * B in blocks of out's columns (gemm_column_block()) on parallel.hpp's threads, plus the bias: product(a, c0, m)
// writes columns [c0, c0 + m) of out for a as the GEMM kernel reads it fastest (gemm_friendly).
template <class Product>
void column_blocks(const RefRM& a_in, int n, float* out, int ldo, const float* bias, Product&& product) {
    MatRM storage;
    const RefRM a = gemm_friendly(a_in, storage);
    parallel_blocks(n, gemm_column_block(), [&](int c0, int m) {
        product(a, c0, m);
        if (bias) {
            const Eigen::Map<const RowVecF> add(bias + c0, m);
            for (Eigen::Index t = 0; t < a.rows(); ++t) Eigen::Map<RowVecF>(out + t * ldo + c0, m) += add;
        }
    });
}
}  // namespace

void matmul(const RefRM& a_in, const float* b, int ldb, BLayout layout, int n, float* out, int ldo, bool accumulate,
            const float* bias) {
    column_blocks(a_in, n, out, ldo, bias, [&](const RefRM& a, int c0, int m) {
        const float* block = layout == BLayout::KxN ? b + c0 : b + static_cast<std::ptrdiff_t>(c0) * ldb;
        block_gemm(a, block, ldb, layout, m, out + c0, ldo, accumulate);
    });
}

namespace {
// a^T into storage, in 16 x 16 tiles (a plain copy reads or writes one float per cache line, which cost the output
// layer's gradient a fifth of a training step), with the row stride the GEMM kernel reads fastest (gemm_a_stride), so
// that matmul uses it as it is instead of copying it again
RefRM transposed(const RefRM& a, MatRM& storage) {
    const Eigen::Index R = a.rows(), C = a.cols();
    constexpr Eigen::Index tile = 16;
    storage.resize(C, gemm_a_stride(static_cast<int>(R)));
    for (Eigen::Index i0 = 0; i0 < R; i0 += tile)
        for (Eigen::Index j0 = 0; j0 < C; j0 += tile) {
            const Eigen::Index ni = std::min(tile, R - i0), nj = std::min(tile, C - j0);
            storage.block(j0, i0, nj, ni) = a.block(i0, j0, ni, nj).transpose();
        }
    return storage.leftCols(R);
}
}  // namespace

void add_transposed_product(const RefRM& a, const RefRM& b, Eigen::Ref<MatRM> out) {
    MatRM storage;
    const RefRM at = transposed(a, storage);
    matmul(at, b.data(), static_cast<int>(b.outerStride()), BLayout::KxN, static_cast<int>(b.cols()), out.data(),
           static_cast<int>(out.outerStride()), true);
}

bool residual_add(MatRM& x, const MatRM& y) {
    const int T = static_cast<int>(x.rows());
    std::vector<char> finite(static_cast<std::size_t>((T + k_row_block - 1) / k_row_block));
    parallel_blocks(T, k_row_block, [&](int t0, int n) {
        auto rows = x.middleRows(t0, n);
        rows += y.middleRows(t0, n);
        finite[static_cast<std::size_t>(t0 / k_row_block)] = all_finite(rows);
    });
    return std::all_of(finite.begin(), finite.end(), [](char f) { return f != 0; });
}

void linear_forward(const RefRM& x, const RefRM& w, const Eigen::Ref<const RowVecF>& b, MatRM& out) {
    out.resize(x.rows(), w.cols());
    matmul(x, w.data(), static_cast<int>(w.outerStride()), BLayout::KxN, static_cast<int>(w.cols()), out.data(),
           static_cast<int>(out.cols()), false, b.data());
}

namespace {
// The panels of B's columns from c0 on (a multiple of the panel width), B packed with depth K (model/packed_weights.hpp).
const float* panels_from(const float* panels, int c0, int K) {
    const int width = gemm_packed_width();
    return panels + static_cast<std::ptrdiff_t>(c0 / width) * width * K;
}
}  // namespace

void linear_forward(const RefRM& x, const Tensor2& w, const Tensor1& b, MatRM& out, MatRM& scratch) {
    if (w.panels) {
        out.resize(x.rows(), w.out_in ? w.rows : w.cols);
        const int n = static_cast<int>(out.cols());
        const int K = static_cast<int>(x.cols());
        column_blocks(x, n, out.data(), n, b.empty() ? nullptr : b.data, [&](const RefRM& a, int c0, int m) {  // whole panels
            gemm_f32_packed(static_cast<int>(a.rows()), m, K, a.data(), static_cast<int>(a.outerStride()),
                            panels_from(w.panels, c0, K), out.data() + c0, n);
        });
        return;
    }
    const MapRM W = w.f32(scratch);
    out.resize(x.rows(), w.out_in ? W.rows() : W.cols());
    const int n = static_cast<int>(out.cols());
    matmul(x, W.data(), static_cast<int>(W.outerStride()), w.out_in ? BLayout::NxK : BLayout::KxN, n, out.data(), n, false,
           b.empty() ? nullptr : b.data);
}

void rmsnorm_forward(const RefRM& x, const Eigen::Ref<const RowVecF>& w, float eps, MatRM& out, VecF& rstd) {
    const Eigen::Index T = x.rows();
    out.resize(T, x.cols());
    rstd.resize(T);
    parallel_blocks(static_cast<int>(T), k_row_block, [&](int t0, int n) {
        for (Eigen::Index t = t0; t < t0 + n; ++t) {
            const float r = 1.0f / std::sqrt(x.row(t).squaredNorm() / static_cast<float>(x.cols()) + eps);
            out.row(t) = (x.row(t).array() * r * w.array()).matrix();
            rstd(t) = r;
        }
    });
}

void norm_forward(const Config& c, const RefRM& x, const Tensor1& w, const Tensor1& b, MatRM& out, VecF& mean, VecF& rstd) {
    if (c.norm == Norm::Rms) {
        mean.setZero(x.rows());
        rmsnorm_forward(x, w.map(), c.layer_norm_epsilon, out, rstd);
    } else
        layernorm_forward(x, w.map(), b.map(), c.layer_norm_epsilon, out, mean, rstd);
}

namespace {

// Calls f(column, is_key) for each query head's q and each key/value head's k in a row of qkv (a key/value head
// that several query heads share, once).
template <class F>
void each_q_and_k(const Config& c, F f) {
    const int group = c.n_head / c.kv_heads();
    for (int h = 0; h < c.n_head; ++h) f(c.q_column(h), false);
    for (int h = 0; h < c.n_head; h += group) f(c.k_column(h), true);
}

}  // namespace

void head_norm_forward(const Config& c, const Tensor1& q_norm, const Tensor1& k_norm, MatRM& qkv) {
    const int hd = c.head_dim();
    MatRM normed;
    VecF rstd;
    each_q_and_k(c, [&](int col, bool key) {
        rmsnorm_forward(qkv.middleCols(col, hd), (key ? k_norm : q_norm).map(), c.layer_norm_epsilon, normed, rstd);
        qkv.middleCols(col, hd) = normed;
    });
}

namespace {

// Turns each rotary pair of every head's q and k by sign * the position's angle.
void rotate(const Config& c, int first_position, MatRM& qkv, float sign) {
    const int r = c.rotary_dim, half = r / 2, T = static_cast<int>(qkv.rows());
    if (r == 0) return;
    std::vector<float> cos_(static_cast<std::size_t>(half)), sin_(static_cast<std::size_t>(half));
    std::vector<int> columns;
    each_q_and_k(c, [&](int col, bool) { columns.push_back(col); });
    for (int t = 0; t < T; ++t) {
        const double p = first_position + t;
        for (int m = 0; m < half; ++m) {  // angles in double: exact for any position a context holds
            const double angle = p * std::pow(c.rope_theta, -2.0 * m / r);
            cos_[static_cast<std::size_t>(m)] = static_cast<float>(std::cos(angle));
            sin_[static_cast<std::size_t>(m)] = sign * static_cast<float>(std::sin(angle));
        }
        float* row = &qkv(t, 0);
        for (int col : columns)
            for (int m = 0; m < half; ++m) {
                const float a = row[col + m], b = row[col + m + half];
                row[col + m] = a * cos_[static_cast<std::size_t>(m)] - b * sin_[static_cast<std::size_t>(m)];
                row[col + m + half] = b * cos_[static_cast<std::size_t>(m)] + a * sin_[static_cast<std::size_t>(m)];
            }
    }
}

}  // namespace

void rotary_forward(const Config& c, int first_position, MatRM& qkv) { rotate(c, first_position, qkv, 1.0f); }

void gated_forward(Activation activation, const MatRM& gate_up, MatRM& out) {
    const Eigen::Index I = gate_up.cols() / 2;
    out = gate_up.leftCols(I);
    activation_forward(activation, out);
    out.array() *= gate_up.rightCols(I).array();
}

namespace {
// sum of n floats in double, in eight interleaved partial sums (which the compiler keeps in vectors; Eigen's
// cast<double>().sum() added one entry at a time)
double sum_in_double(const float* e, Eigen::Index n) {
    double part[8] = {};
    Eigen::Index j = 0;
    for (; j + 8 <= n; j += 8)
        for (int l = 0; l < 8; ++l) part[l] += static_cast<double>(e[j + l]);
    double sum = 0.0;
    for (; j < n; ++j) sum += static_cast<double>(e[j]);
    for (double p : part) sum += p;
    return sum;
}
}  // namespace

double log_sum_exp(const Eigen::Ref<const RowVecF>& row) {
    const float m = row.maxCoeff();
    // exp in float in SIMD (an expression that casts inside would run exp one entry at a time), summed in double, a
    // block of the row at a time on the stack (together 8 ms of a 220 ms forward pass of GPT-2 on 128 tokens before)
    constexpr Eigen::Index block = 1024;
    Eigen::Array<float, 1, block> e;
    double sum = 0.0;
    for (Eigen::Index j = 0; j < row.size(); j += block) {
        const Eigen::Index n = std::min(block, row.size() - j);
        e.head(n) = (row.segment(j, n).array() - m).exp();
        sum += sum_in_double(e.data(), n);
    }
    return m + std::log(sum);
}

void logits_forward(const RefRM& x_in, const Tensor2& lm_head, MatRM& logits) {
    MatRM storage;
    const RefRM x = gemm_friendly(x_in, storage);
    const int V = lm_head.rows;
    logits.resize(x.rows(), V);
    if (lm_head.panels) {  // chunks of 1,024 rows: whole panels
        parallel_blocks(V, k_vocab_chunk, [&](int v, int n) {
            gemm_f32_packed(static_cast<int>(x.rows()), n, lm_head.cols, x.data(), static_cast<int>(x.outerStride()),
                            panels_from(lm_head.panels, v, lm_head.cols), logits.data() + v, static_cast<int>(logits.cols()));
        });
        return;
    }
    const auto chunk = [&](int v, int n, MatRM& scratch) {  // scratch: one chunk of F16 rows as F32
        const MapRM rows = lm_head.rows_f32(v, n, scratch);
        block_gemm(x, rows.data(), static_cast<int>(rows.outerStride()), BLayout::NxK, n, logits.data() + v,
                   static_cast<int>(logits.cols()));
    };
    parallel_blocks(V, k_vocab_chunk, [&](int v, int n) {
        MatRM scratch;
        chunk(v, n, scratch);
    });
}

void logits_backward(const RefRM& x, const Tensor2& lm_head, const RefRM& dlogits, Eigen::Ref<MatRM> dx,
                     Eigen::Ref<MatRM> dlm_head, bool weight_grad) {
    const int V = lm_head.rows, C = static_cast<int>(dx.cols());
    // the output layer's gradient: vocabulary chunks in parallel, each its own rows
    if (weight_grad)
        parallel_blocks(V, k_vocab_chunk, [&](int v, int n) {
            add_transposed_product(dlogits.middleCols(v, n), x, dlm_head.middleRows(v, n));
        });
    // dx: the chunks' products added in vocabulary order, each chunk's columns in parallel
    MatRM scratch;
    for (int v = 0; v < V; v += k_vocab_chunk) {
        const int n = std::min<int>(k_vocab_chunk, V - v);
        const MapRM rows = lm_head.rows_f32(v, n, scratch);
        matmul(dlogits.middleCols(v, n), rows.data(), static_cast<int>(rows.outerStride()), BLayout::KxN, C, dx.data(),
               static_cast<int>(dx.outerStride()), true);
    }
}

namespace {

// activation_forward on a block of rows, on the calling thread.
void activation_rows(Activation activation, Eigen::Ref<MatRM> x) {
    auto a = x.array();
    switch (activation) {
        case Activation::GeluNew: {
            const float k = std::sqrt(2.0f / static_cast<float>(M_PI));
            a = 0.5f * a * (1.0f + (k * (a + 0.044715f * a.cube())).tanh());
            break;
        }
        case Activation::GeluExact:
            a = a.unaryExpr([](float v) { return 0.5f * v * (1.0f + std::erf(v * static_cast<float>(M_SQRT1_2))); });
            break;
        case Activation::Relu:
            a = a.max(0.0f);
            break;
        case Activation::Silu:
            a = a / (1.0f + (-a).exp());
            break;
    }
}

}  // namespace

void activation_forward(Activation activation, MatRM& x) {
    parallel_blocks(static_cast<int>(x.rows()), k_row_block, [&](int t0, int n) { activation_rows(activation, x.middleRows(t0, n)); });
}

}  // namespace attnlab

namespace attnlab {

namespace {

// A row-wise backward step in fixed blocks of k_row_block rows on parallel.hpp's threads: row(first, count, dw, db) writes
// its rows of dx and adds the block's sums to its own dw and db, which are then added in block order, so the bits never
// depend on the thread count.
template <class Rows>
void norm_backward_blocks(Eigen::Index T, Eigen::Index C, Eigen::Ref<RowVecF> dw, Eigen::Ref<RowVecF> db, Rows rows) {
    const int blocks = static_cast<int>((T + k_row_block - 1) / k_row_block);
    std::vector<RowVecF> dws(static_cast<std::size_t>(blocks), RowVecF::Zero(C)), dbs = dws;
    parallel_for(blocks, [&](int b) {
        const Eigen::Index first = static_cast<Eigen::Index>(b) * k_row_block;
        rows(first, std::min<Eigen::Index>(k_row_block, T - first), dws[static_cast<std::size_t>(b)], dbs[static_cast<std::size_t>(b)]);
    });
    for (int b = 0; b < blocks; ++b) {
        dw += dws[static_cast<std::size_t>(b)];
        if (db.size() > 0) db += dbs[static_cast<std::size_t>(b)];
    }
}

}  // namespace

void layernorm_backward(const RefRM& x, const VecF& mean, const VecF& rstd, const Eigen::Ref<const RowVecF>& w,
                        const RefRM& dy, Eigen::Ref<RowVecF> dw, Eigen::Ref<RowVecF> db, MatRM& dx) {
    const Eigen::Index T = x.rows(), C = x.cols();
    dx.resize(T, C);
    norm_backward_blocks(T, C, dw, db, [&](Eigen::Index first, Eigen::Index n, RowVecF& bw, RowVecF& bb) {
        RowVecF xhat(C), dxhat(C);
        for (Eigen::Index t = first; t < first + n; ++t) {
            xhat = (x.row(t).array() - mean(t)) * rstd(t);
            dxhat = dy.row(t).cwiseProduct(w);
            bw += dy.row(t).cwiseProduct(xhat);
            bb += dy.row(t);
            const float mean_dxhat = dxhat.mean();
            const float mean_dxhat_xhat = dxhat.cwiseProduct(xhat).mean();
            dx.row(t) = (rstd(t) * (dxhat.array() - mean_dxhat - xhat.array() * mean_dxhat_xhat)).matrix();
        }
    });
}

void rmsnorm_backward(const RefRM& x, const VecF& rstd, const Eigen::Ref<const RowVecF>& w, const RefRM& dy,
                      Eigen::Ref<RowVecF> dw, MatRM& dx) {
    const Eigen::Index T = x.rows(), C = x.cols();
    dx.resize(T, C);
    RowVecF no_bias;
    norm_backward_blocks(T, C, dw, no_bias, [&](Eigen::Index first, Eigen::Index n, RowVecF& bw, RowVecF&) {
        RowVecF xhat(C), dxhat(C);
        for (Eigen::Index t = first; t < first + n; ++t) {
            xhat = x.row(t) * rstd(t);
            dxhat = dy.row(t).cwiseProduct(w);
            bw += dy.row(t).cwiseProduct(xhat);
            const float mean_dxhat_xhat = dxhat.cwiseProduct(xhat).mean();
            dx.row(t) = (rstd(t) * (dxhat.array() - xhat.array() * mean_dxhat_xhat)).matrix();
        }
    });
}

void rotary_backward(const Config& c, int first_position, MatRM& dqkv) { rotate(c, first_position, dqkv, -1.0f); }

void head_norm_backward(const Config& c, const MatRM& pre, const Tensor1& q_norm, const Tensor1& k_norm, MatRM& dqkv,
                        Eigen::Ref<RowVecF> dq_norm, Eigen::Ref<RowVecF> dk_norm) {
    const int hd = c.head_dim();
    MatRM normed, d_in;
    VecF rstd;
    each_q_and_k(c, [&](int col, bool key) {
        const Tensor1& gain = key ? k_norm : q_norm;
        rmsnorm_forward(pre.middleCols(col, hd), gain.map(), c.layer_norm_epsilon, normed, rstd);  // rstd (T), again
        rmsnorm_backward(pre.middleCols(col, hd), rstd, gain.map(), dqkv.middleCols(col, hd), key ? dk_norm : dq_norm, d_in);
        dqkv.middleCols(col, hd) = d_in;
    });
}

void gated_backward(Activation activation, const MatRM& gate_up, const RefRM& d_out, MatRM& d_gate_up) {
    const Eigen::Index I = gate_up.cols() / 2;
    MatRM act = gate_up.leftCols(I), d_gate;
    activation_forward(activation, act);
    d_gate_up.resize(gate_up.rows(), 2 * I);
    activation_backward(activation, gate_up.leftCols(I), (d_out.array() * gate_up.rightCols(I).array()).matrix(), d_gate);
    d_gate_up.leftCols(I) = d_gate;
    d_gate_up.rightCols(I) = (d_out.array() * act.array()).matrix();
}

namespace {

// activation_backward on a block of rows, on the calling thread.
void activation_backward_rows(Activation activation, const RefRM& pre, const RefRM& d_out, Eigen::Ref<MatRM> d_in) {
    const auto x = pre.array();
    switch (activation) {
        case Activation::GeluNew: {
            // d/dx 0.5 x (1 + tanh(u)), u = k (x + 0.044715 x^3)
            const float k = std::sqrt(2.0f / static_cast<float>(M_PI));
            const auto th = (k * (x + 0.044715f * x.cube())).tanh();
            const auto du = k * (1.0f + 3.0f * 0.044715f * x.square());
            d_in.array() = d_out.array() * (0.5f * (1.0f + th) + 0.5f * x * (1.0f - th.square()) * du);
            break;
        }
        case Activation::GeluExact: {
            const float inv_sqrt2pi = 0.3989422804014327f;
            d_in.array() = d_out.array() * x.unaryExpr([inv_sqrt2pi](float v) {
                return 0.5f * (1.0f + std::erf(v * static_cast<float>(M_SQRT1_2))) + v * inv_sqrt2pi * std::exp(-0.5f * v * v);
            });
            break;
        }
        case Activation::Relu:
            d_in.array() = d_out.array() * (x > 0.0f).cast<float>();
            break;
        case Activation::Silu: {  // d/dx x s(x) = s(x) (1 + x (1 - s(x)))
            const auto s = 1.0f / (1.0f + (-x).exp());
            d_in.array() = d_out.array() * s * (1.0f + x * (1.0f - s));
            break;
        }
    }
}

}  // namespace

void activation_backward(Activation activation, const RefRM& pre, const RefRM& d_out, MatRM& d_in) {
    d_in.resize(pre.rows(), pre.cols());
    parallel_blocks(static_cast<int>(pre.rows()), k_row_block, [&](int t0, int n) {
        activation_backward_rows(activation, pre.middleRows(t0, n), d_out.middleRows(t0, n), d_in.middleRows(t0, n));
    });
}

}  // namespace attnlab
