#include "model/backward.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "error.hpp"
#include "model/layers.hpp"
#include "util/parallel.hpp"

namespace attnlab {
namespace {

// Writable views into the gradient buffer that backward() owns; weights_over lays out its offsets.
Eigen::Map<MatRM> writable(const Tensor2& t) { return {const_cast<float*>(t.data), t.rows, t.cols}; }
Eigen::Map<RowVecF> writable(const Tensor1& t) { return {const_cast<float*>(t.data), t.size}; }

// y = x W + b (or x W^T + b for an nn.Linear matrix W (out, in)), backwards: adds x^T dy (dy^T x) to dW and dy's
// column sums to db (when the layer has a bias); dx = dy W^T (dy W).
//   x (T, in), dy (T, out) -> dx (T, in); scratch holds W as F32 when it is stored in F16
void linear_backward(const MatRM& x, const MatRM& dy, const Tensor2& W, const Tensor2& dW, const Tensor1& db, MatRM& dx,
                     MatRM& scratch) {
    if (W.out_in) add_transposed_product(dy, x, writable(dW));
    else add_transposed_product(x, dy, writable(dW));
    if (!db.empty()) writable(db) += dy.colwise().sum();
    const MapRM w = W.f32(scratch);
    // dx = dy W for an (out, in) matrix, dy W^T for an (in, out) one: W read as N x K
    dx.resize(dy.rows(), W.out_in ? w.cols() : w.rows());
    matmul(dy, w.data(), static_cast<int>(w.outerStride()), W.out_in ? BLayout::KxN : BLayout::NxK, static_cast<int>(dx.cols()),
           dx.data(), static_cast<int>(dx.cols()));
}

// The config's norm, backwards: adds to dw (and db, for a layer norm) and writes dx.
void norm_backward(const Config& c, const MatRM& x, const VecF& mean, const VecF& rstd, const Tensor1& w, const MatRM& dy,
                   const Tensor1& dw, const Tensor1& db, MatRM& dx) {
    if (c.norm == Norm::Rms) rmsnorm_backward(x, rstd, w.map(), dy, writable(dw), dx);
    else layernorm_backward(x, mean, rstd, w.map(), dy, writable(dw), writable(db), dx);
}

// Causal attention of one layer, backwards: the heads that share a key/value head (grouped-query attention) in order, one
// group per task on parallel.hpp's threads (each group writes its own columns of dqkv); then each head's ||dL/ds||^2 is
// added to scores_norm_sq, and the observer sees its dL/ds, in head order, so nothing depends on the thread count.
//   datty (T, C) -> dqkv (T, 3C)
void attention_backward(const Config& c, int layer, const LayerActivations& a, const Normaliser& normaliser,
                        const MatRM& datty, MatRM& dqkv, double& scores_norm_sq, const ScoreGradObserver& observer) {
    const int T = static_cast<int>(a.qkv.rows()), hs = c.head_dim();
    const float scale = c.attention_scale(layer);
    const float inv_t = 1.0f / normaliser.temperature;
    // query heads that share a key/value head add their dk and dv to its columns
    const int group = c.n_head / c.kv_heads();
    dqkv.setZero(T, c.qkv_width());
    std::vector<double> head_sq(static_cast<std::size_t>(c.n_head), 0.0);
    std::vector<MatRM> kept(observer ? static_cast<std::size_t>(c.n_head) : 0);  // each head's dL/ds, for the observer
    parallel_for(c.kv_heads(), [&](int g) {
        MatRM dp(T, T), ds(T, T);
        for (int h = g * group; h < (g + 1) * group; ++h) {
            const bool first = h % group == 0;
            const MatRM& p = a.probs[h];                              // (T, T)
            const auto q = a.qkv.middleCols(c.q_column(h), hs);       // (T, hs)
            const auto k = a.qkv.middleCols(c.k_column(h), hs);       // (T, hs)
            const auto v = a.qkv.middleCols(c.v_column(h), hs);       // (T, hs)
            const auto dy = datty.middleCols(h * hs, hs);             // (T, hs)
            // y = p v: dp = dy v^T, dv = p^T dy
            dp.noalias() = dy * v.transpose();
            if (first) dqkv.middleCols(c.v_column(h), hs).noalias() = p.transpose() * dy;
            else dqkv.middleCols(c.v_column(h), hs).noalias() += p.transpose() * dy;
            // p = softmax(s / T) over j <= i: ds_ij = p_ij (dp_ij - sum_k p_ik dp_ik) / T
            for (int i = 0; i < T; ++i) {
                const float dot = p.row(i).head(i + 1).dot(dp.row(i).head(i + 1));
                ds.row(i).head(i + 1) = (p.row(i).head(i + 1).array() * (dp.row(i).head(i + 1).array() - dot) * inv_t).matrix();
                ds.row(i).tail(T - i - 1).setZero();
            }
            head_sq[static_cast<std::size_t>(h)] = static_cast<double>(ds.squaredNorm());
            if (observer) kept[static_cast<std::size_t>(h)] = ds;
            // s = q k^T * scale: dq = ds k * scale, dk = ds^T q * scale
            dqkv.middleCols(c.q_column(h), hs).noalias() = (ds * k) * scale;
            if (first) dqkv.middleCols(c.k_column(h), hs).noalias() = (ds.transpose() * q) * scale;
            else dqkv.middleCols(c.k_column(h), hs).noalias() += (ds.transpose() * q) * scale;
        }
    });
    for (int h = 0; h < c.n_head; ++h) {
        scores_norm_sq += head_sq[static_cast<std::size_t>(h)];
        if (observer) observer(layer, h, kept[static_cast<std::size_t>(h)]);
    }
}

}  // namespace

Gradients backward(const Model& model, const Activations& acts, const ScoreGradObserver& observer, AlignedFloats into,
                   bool embedding_grads) {
    const Config& c = model.config;
    const Weights& w = model.weights;
    const std::vector<int>& ids = acts.ids;
    const int T = static_cast<int>(ids.size()), C = c.n_embd, V = c.vocab_size;
    if (T < 2) throw Error("backward: the loss needs at least 2 tokens");
    if (static_cast<int>(acts.layers.size()) != c.n_layer) throw Error("backward: activations do not match the model");
    if (acts.normaliser.kind != NormaliserKind::Softmax)
        throw Error("backward: gradients are implemented for softmax attention only");

    const auto n_params = static_cast<std::size_t>(param_count(c));
    if (!into.empty() && into.size() != n_params)
        throw Error("backward: the buffer to add gradients to holds " + std::to_string(into.size()) + " values; the model has " +
                    std::to_string(n_params) + " parameters");
    Gradients g;
    if (into.empty()) g.params.assign(n_params, 0.0f);
    else g.params = std::move(into);
    g.scores_norm_sq.assign(static_cast<std::size_t>(c.n_layer), 0.0);
    const Weights gw = weights_over(c, g.params.data(), nullptr);  // gradient views, same layout as the weights
    if (!w.tied_lm_head) g.lm_head.setZero(V, C);
    auto dlm_head = w.tied_lm_head ? writable(gw.wte) : Eigen::Map<MatRM>(g.lm_head.data(), V, C);

    // logits = lnf lm_head^T; dlogits = (softmax(logits) - onehot(next)) / (T - 1), in row blocks
    MatRM dlnf = MatRM::Zero(T, C);
    const int block = 256;
    MatRM dlogits;
    double loss_sum = 0;
    for (int r = 0; r < T; r += block) {
        const int n = std::min(block, T - r);
        logits_forward(acts.lnf.middleRows(r, n), w.lm_head, dlogits);  // (n, V)
        for (int i = 0; i < n; ++i) {
            const int t = r + i;
            auto row = dlogits.row(i);
            if (t + 1 >= T) {
                row.setZero();
                continue;
            }
            const float m = row.maxCoeff();
            const float target_logit = row(ids[t + 1]);
            row = (row.array() - m).exp().matrix();
            const double sum = row.cast<double>().sum();  // in double: V terms, any summation order
            loss_sum += std::log(sum) + m - target_logit;
            row /= static_cast<float>(sum);
            row(ids[t + 1]) -= 1.0f;
            row /= static_cast<float>(T - 1);
        }
        logits_backward(acts.lnf.middleRows(r, n), w.lm_head, dlogits, dlnf.middleRows(r, n), dlm_head, embedding_grads);
    }
    g.loss = loss_sum / (T - 1);

    MatRM dx, dtmp, dfc, dfc_pre, dln, datty, dqkv, scratch;  // scratch: F16-stored weights as F32
    norm_backward(c, acts.x_out, acts.lnf_mean, acts.lnf_rstd, w.ln_f_w, dlnf, gw.ln_f_w, gw.ln_f_b, dx);
    // the MLP, from dy = dL/d(its output) to dL/d(its input x_norm) added into dx_norm's norm: dx_in += ...
    const auto mlp_backward = [&](const LayerWeights& L, const LayerWeights& G, const LayerActivations& a, const MatRM& dy,
                                  const MatRM& x_norm_in, MatRM& d_in) {
        linear_backward(a.fc_act, dy, L.mlp_proj_w, G.mlp_proj_w, G.mlp_proj_b, dfc, scratch);   // dfc (T, I)
        if (c.gated_mlp) gated_backward(c.activation, a.fc_pre, dfc, dfc_pre);                 // (T, 2I)
        else activation_backward(c.activation, a.fc_pre, dfc, dfc_pre);
        linear_backward(a.ln2, dfc_pre, L.fc_w, G.fc_w, G.fc_b, dln, scratch);                  // dln (T, C)
        norm_backward(c, x_norm_in, a.ln2_mean, a.ln2_rstd, L.ln_2_w, dln, G.ln_2_w, G.ln_2_b, d_in);
    };
    // attention, from dy = dL/d(its output) to dL/d(x_in) through ln_1
    const auto attention_part = [&](int l, const LayerWeights& L, const LayerWeights& G, const LayerActivations& a,
                                    const MatRM& dy, MatRM& d_in) {
        linear_backward(a.atty, dy, L.attn_proj_w, G.attn_proj_w, G.attn_proj_b, datty, scratch);  // datty (T, NH hs)
        attention_backward(c, l, a, acts.normaliser, datty, dqkv, g.scores_norm_sq[l], observer);
        rotary_backward(c, acts.first_position, dqkv);
        if (c.qk_norm) head_norm_backward(c, a.qkv_pre, L.q_norm_w, L.k_norm_w, dqkv, writable(G.q_norm_w), writable(G.k_norm_w));
        linear_backward(a.ln1, dqkv, L.attn_w, G.attn_w, G.attn_b, dln, scratch);              // dln (T, C)
        norm_backward(c, a.x_in, a.ln1_mean, a.ln1_rstd, L.ln_1_w, dln, G.ln_1_w, G.ln_1_b, d_in);
    };
    for (int l = c.n_layer - 1; l >= 0; --l) {
        const LayerWeights& L = w.layers[l];
        const LayerWeights& G = gw.layers[l];
        const LayerActivations& a = acts.layers[l];
        if (c.parallel_residual) {
            // x_out = x_in + attn(ln_1 x_in) + mlp(ln_2 x_in): dx flows into both branches and straight through
            MatRM d_attn;
            mlp_backward(L, G, a, dx, a.x_in, dtmp);
            attention_part(l, L, G, a, dx, d_attn);
            dx += dtmp;
            dx += d_attn;
        } else {
            // MLP: x_out = x_mid + mlp(ln_2 x_mid)
            mlp_backward(L, G, a, dx, a.x_mid, dtmp);
            dx += dtmp;                                                                    // now dL/dx_mid
            // attention: x_mid = x_in + attn(ln_1 x_in)
            attention_part(l, L, G, a, dx, dtmp);
            dx += dtmp;                                                                    // now dL/dx_in
        }
    }
    if (!embedding_grads) return g;
    // x_0 = wte[ids] + wpe[p..p+T)
    auto dwte = writable(gw.wte);
    for (int t = 0; t < T; ++t) dwte.row(ids[t]) += dx.row(t);
    if (c.learned_positions) {
        auto dwpe = writable(gw.wpe);
        for (int t = 0; t < T; ++t) dwpe.row(acts.first_position + t) += dx.row(t);
    }
    return g;
}

std::vector<double> layer_param_grad_norms(const Config& config, const Gradients& grads) {
    std::vector<double> sq(static_cast<std::size_t>(config.n_layer), 0.0);
    std::size_t offset = 0;
    for (const auto& spec : param_specs(config)) {
        const std::size_t n = static_cast<std::size_t>(spec.count());
        if (spec.layer >= 0) {
            const int layer = spec.layer;
            // float sums of 4,096 squares at a time (vectorised), added up in double
            for (std::size_t i = 0; i < n; i += 4096)
                sq[layer] += Eigen::Map<const Eigen::VectorXf>(grads.params.data() + offset + i,
                                                               static_cast<Eigen::Index>(std::min<std::size_t>(4096, n - i)))
                                 .squaredNorm();
        }
        offset += n;
    }
    for (auto& v : sq) v = std::sqrt(v);
    return sq;
}

}  // namespace attnlab
