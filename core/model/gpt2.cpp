#include "model/gpt2.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "error.hpp"
#include "model/layers.hpp"
#include "util/parallel.hpp"

namespace attnlab {
namespace {

// NaN or infinity in what the forward pass computed: every analysis, the CLI and the page get this one typed error
// instead of numbers that mean nothing.
Error non_finite(const std::string& where) {
    return Error("the forward pass gave non-finite values (NaN or infinity) in " + where +
                 ": the checkpoint's weights hold NaN or infinity, or values so large that float32 overflows");
}

bool wanted(const ForwardOptions& o, int layer, int head) {
    if (o.capture_all) return true;
    return std::find(o.capture.begin(), o.capture.end(), HeadId{layer, head}) != o.capture.end();
}

// Heads whose scores and weights (2 T^2 floats each) may be held at once: every head of a layer up to this many
// bytes, so that one parallel_for spreads them over the threads (one call per batch, each a wake-up and a wait for
// the slowest head); at least one per thread for long texts.
constexpr double k_attention_batch_bytes = 16.0 * (1 << 20);

// Causal self-attention of one layer, as numbered passes per head; keeps nothing but what the
// observer and the capture list ask for. Heads go in batches (all of them while their matrices fit in
// k_attention_batch_bytes, else one per thread): the passes of a batch run in parallel on parallel.hpp's threads,
// then the observer and the capture see its heads in order.
//   qkv (T, 3C) -> out (T, C)
// (Kept out of forward, as is output_layer: the browser's optimising compiler, which recompiles a function once it
// has run long enough, took 240 ms of a first plot's two cores for forward with both inlined.)
[[gnu::noinline]] void attention_forward(const Config& c, int layer, const MatRM& qkv, const ForwardOptions& o, MatRM& out,
                       std::vector<HeadCapture>& captured, std::vector<MatRM>* kept_probs) {
    const int T = static_cast<int>(qkv.rows()), NH = c.n_head, hs = c.head_dim();
    const float scale = c.attention_scale(layer);
    out.resize(T, c.q_width());
    const double head_bytes = 2.0 * T * T * sizeof(float);
    const int batch = std::min(NH, std::max(compute_threads(), static_cast<int>(k_attention_batch_bytes / head_bytes)));
    std::vector<MatRM> scores(static_cast<std::size_t>(batch)), probs(static_cast<std::size_t>(batch));
    std::vector<char> finite_scores(static_cast<std::size_t>(batch)), finite_probs(static_cast<std::size_t>(batch));
    // (T, hs) each; query heads that share a key/value head (grouped-query attention) read the same columns
    const auto q_of = [&](int h) { return qkv.middleCols(c.q_column(h), hs); };
    const auto k_of = [&](int h) { return qkv.middleCols(c.k_column(h), hs); };
    const auto v_of = [&](int h) { return qkv.middleCols(c.v_column(h), hs); };
    for (int h0 = 0; h0 < NH; h0 += batch) {
        const int n = std::min(batch, NH - h0);
        parallel_for(n, [&](int b) {
            const int h = h0 + b;
            MatRM& s = scores[static_cast<std::size_t>(b)];
            MatRM& p = probs[static_cast<std::size_t>(b)];
            // pass 1: scores = q k^T * scale   (T, T); only j <= i is used
            s.noalias() = (q_of(h) * k_of(h).transpose()) * scale;
            if (o.perturb_scores) o.perturb_scores(layer, h, s);
            // pass 2: each causal row's keys (j <= i, and the last `window` of them in a local layer) through the
            // head's normaliser; zero elsewhere
            const Normaliser& normaliser = o.normaliser_of(layer, h);
            const MatRM* fixed = o.constant_probs ? o.constant_probs(layer, h) : nullptr;
            p.resize(T, T);
            if (fixed) p = fixed->topLeftCorner(T, T).triangularView<Eigen::Lower>();
            else
                for (int i = 0; i < T; ++i) {
                    const int j0 = c.first_key(layer, i);
                    std::fill(&p(i, 0), &p(i, 0) + j0, 0.0f);
                    normaliser.apply(&s(i, j0), i + 1 - j0, &p(i, j0));
                    std::fill(&p(i, 0) + i + 1, &p(i, 0) + T, 0.0f);
                }
            // pass 3: head output = probs v   (T, hs)
            out.middleCols(h * hs, hs).noalias() = p.triangularView<Eigen::Lower>() * v_of(h);
            finite_scores[static_cast<std::size_t>(b)] = all_finite(s);
            finite_probs[static_cast<std::size_t>(b)] = all_finite(p);
        });
        for (int b = 0; b < n; ++b) {
            const int h = h0 + b;
            const MatRM& s = scores[static_cast<std::size_t>(b)];
            const MatRM& p = probs[static_cast<std::size_t>(b)];
            // reported here, in head order, so the error names the same head on any number of threads
            if (!finite_scores[static_cast<std::size_t>(b)])
                throw non_finite("layer " + std::to_string(layer) + " head " + std::to_string(h) + "'s attention scores");
            if (!finite_probs[static_cast<std::size_t>(b)])
                throw non_finite("layer " + std::to_string(layer) + " head " + std::to_string(h) + "'s attention weights");
            if (o.observer)
                o.observer(HeadView{layer, h, q_of(h), k_of(h), v_of(h), s, p, o.normaliser_of(layer, h), scale, c.window_of(layer)});
            if (wanted(o, layer, h)) {
                HeadCapture cap{{layer, h}, s.triangularView<Eigen::Lower>(), p};
                captured.push_back(std::move(cap));
            }
            if (kept_probs) kept_probs->push_back(p);
        }
    }
}

// ln_f's output (T, C) through the output layer: the logits the options keep or hand to on_logits, and the loss.
// training: activations are kept (taller GEMM blocks).
[[gnu::noinline]] void output_layer(const Model& model, const std::vector<int>& ids, const ForwardOptions& o, const MatRM& ln,
                                    bool training, Trace& trace) {
    const Weights& w = model.weights;
    const int T = static_cast<int>(ids.size()), V = model.config.vocab_size;
    if (!o.logit_rows.empty()) {  // a few positions' logits: those rows of ln_f's output alone go through lm_head
        if (o.compute_loss || o.keep_logits != KeepLogits::None || !o.on_logits)
            throw Error("internal: logit_rows is for on_logits alone (no loss, no kept logits)");
        MatRM picked(static_cast<Eigen::Index>(o.logit_rows.size()), ln.cols());
        for (std::size_t i = 0; i < o.logit_rows.size(); ++i) {
            const int t = o.logit_rows[i];
            if (t < 0 || t >= T)
                throw Error("the position " + std::to_string(t) + " whose logits were asked for is outside the " + std::to_string(T) + " tokens");
            picked.row(static_cast<Eigen::Index>(i)) = ln.row(t);
        }
        MatRM logits(picked.rows(), V);
        logits_forward(picked, w.lm_head, logits);
        for (std::size_t i = 0; i < o.logit_rows.size(); ++i) o.on_logits(o.logit_rows[i], logits.row(static_cast<Eigen::Index>(i)).data());
        return;
    }

    // logits = ln_f(x) lm_head^T, in row blocks so a long text never holds (T, V) unless asked to
    trace.logits_first_row = o.keep_logits == KeepLogits::All ? 0 : T - 1;
    trace.logits.resize(o.keep_logits == KeepLogits::None ? 0 : T - trace.logits_first_row, V);
    // Inference keeps at most 32 MiB of logits (or 64 rows): GPT-2 streams its 154 MB output matrix once for up to
    // 166 positions, where 64-row blocks read it twice for 128 (1.3x the output layer's time); training (activations
    // kept) prefers taller, faster GEMMs.
    const int block = training ? 256 : std::max(64, (8 << 20) / V);
    MatRM logits;
    double loss_sum = 0.0;
    for (int r = 0; r < T; r += block) {
        const int n = std::min(block, T - r);
        logits.resize(n, V);
        logits_forward(ln.middleRows(r, n), w.lm_head, logits);  // (n, V)
        // each row's log-sum-exp on the threads, then added in position order (the same sum on any thread count)
        std::vector<double> lse(o.compute_loss ? static_cast<std::size_t>(n) : 0);
        if (o.compute_loss)
            parallel_for(n, [&](int i) { if (r + i + 1 < T) lse[static_cast<std::size_t>(i)] = log_sum_exp(logits.row(i)); });
        for (int i = 0; i < n; ++i) {
            const int t = r + i;
            if (o.compute_loss && t + 1 < T) loss_sum += lse[static_cast<std::size_t>(i)] - logits(i, ids[t + 1]);
            if (o.keep_logits != KeepLogits::None && t >= trace.logits_first_row)
                trace.logits.row(t - trace.logits_first_row) = logits.row(i);
            if (o.on_logits) o.on_logits(t, logits.row(i).data());
        }
    }
    if (T >= 2 && o.compute_loss) trace.loss = loss_sum / (T - 1);
    if ((T >= 2 && o.compute_loss && !std::isfinite(trace.loss)) || !all_finite(trace.logits))
        throw non_finite("the output layer's logits");
}

}  // namespace

void check_ids(const Config& c, const std::vector<int>& ids, int first_position) {
    if (ids.empty()) throw Error("no tokens to run: the text is empty");
    const auto end = static_cast<long>(first_position) + static_cast<long>(ids.size());
    if (first_position < 0 || end > c.n_positions)
        throw Error(first_position == 0
                        ? "the text is " + std::to_string(ids.size()) + " tokens but this model's context (n_positions) is " +
                              std::to_string(c.n_positions) + " tokens; shorten the text (nothing is cut silently)"
                        : "positions " + std::to_string(first_position) + ".." + std::to_string(end - 1) +
                              " do not fit this model's context of " + std::to_string(c.n_positions) + " positions");
    for (std::size_t t = 0; t < ids.size(); ++t)
        if (ids[t] < 0 || ids[t] >= c.vocab_size)
            throw Error("token id " + std::to_string(ids[t]) + " at position " + std::to_string(t) +
                        " is outside the vocabulary (0.." + std::to_string(c.vocab_size - 1) + ")");
}

Trace forward(const Model& model, const std::vector<int>& ids, const ForwardOptions& o) {
    const Config& c = model.config;
    const Weights& w = model.weights;
    check_ids(c, ids, o.first_position);
    const int T = static_cast<int>(ids.size()), C = c.n_embd;
    Trace trace;
    trace.ids = ids;

    // residual stream x (T, C) = wte[ids] + wpe[p..p+T), p = first_position (0 but in training); rotary families
    // have no wpe: their positions turn q and k instead
    MatRM x(T, C), scratch, scratch_pos;  // scratch: F16-stored weights converted to F32 where they are used
    for (int t = 0; t < T; ++t) x.row(t) = w.wte.rows_f32(ids[t], 1, scratch).row(0);
    if (c.learned_positions) x += w.wpe.rows_f32(o.first_position, T, scratch_pos);

    Activations* acts = o.activations;
    if (acts) {
        if (!o.head_normalisers.empty() || o.constant_probs)
            throw Error("the backward pass needs the same softmax in every head; per-head normalisers and constant "
                        "attention are for inference");
        acts->ids = ids;
        acts->first_position = o.first_position;
        acts->normaliser = o.normaliser;
        acts->layers.assign(static_cast<std::size_t>(c.n_layer), LayerActivations{});
    }
    MatRM ln, qkv, atty, proj, fc, fc_act, mlp_out;
    VecF mean, rstd;
    // the MLP of ln (T, C) into mlp_out (T, C): act(ln W_fc + b) W_proj + b, or down(act(gate) * up)
    const auto mlp = [&](const LayerWeights& L, LayerActivations* a) {
        linear_forward(ln, L.fc_w, L.fc_b, fc, scratch);                                     // (T, I) or (T, 2I)
        if (a) a->fc_pre = fc;
        if (c.gated_mlp) gated_forward(c.activation, fc, fc_act);                          // (T, I)
        else {
            activation_forward(c.activation, fc);
            fc_act.swap(fc);
        }
        if (a) a->fc_act = fc_act;
        linear_forward(fc_act, L.mlp_proj_w, L.mlp_proj_b, mlp_out, scratch);                // (T, C)
    };
    for (int l = 0; l < c.n_layer; ++l) {
        const LayerWeights& L = w.layers[l];
        LayerActivations* a = acts ? &acts->layers[l] : nullptr;
        if (a) a->x_in = x;
        norm_forward(c, x, L.ln_1_w, L.ln_1_b, ln, mean, rstd);                               // (T, C)
        if (a) { a->ln1 = ln; a->ln1_mean = mean; a->ln1_rstd = rstd; }
        linear_forward(ln, L.attn_w, L.attn_b, qkv, scratch);                                // (T, Q)
        if (a && c.qk_norm) a->qkv_pre = qkv;
        if (c.qk_norm) head_norm_forward(c, L.q_norm_w, L.k_norm_w, qkv);
        rotary_forward(c, o.first_position, qkv);
        attention_forward(c, l, qkv, o, atty, trace.heads, a ? &a->probs : nullptr);       // (T, NH hs)
        if (a) { a->qkv = qkv; a->atty = atty; }
        linear_forward(atty, L.attn_proj_w, L.attn_proj_b, proj, scratch);                   // (T, C)
        if (c.parallel_residual) {  // x + attn(ln_1 x) + mlp(ln_2 x)
            norm_forward(c, x, L.ln_2_w, L.ln_2_b, ln, mean, rstd);
            if (a) { a->ln2 = ln; a->ln2_mean = mean; a->ln2_rstd = rstd; }
            mlp(L, a);
            residual_add(x, proj);
        } else {
            residual_add(x, proj);
            if (a) a->x_mid = x;
            norm_forward(c, x, L.ln_2_w, L.ln_2_b, ln, mean, rstd);                           // (T, C)
            if (a) { a->ln2 = ln; a->ln2_mean = mean; a->ln2_rstd = rstd; }
            mlp(L, a);
        }
        if (!residual_add(x, mlp_out)) throw non_finite("layer " + std::to_string(l) + "'s output (the residual stream)");
    }
    norm_forward(c, x, w.ln_f_w, w.ln_f_b, ln, mean, rstd);                                   // (T, C)
    if (acts) { acts->x_out = x; acts->lnf = ln; acts->lnf_mean = mean; acts->lnf_rstd = rstd; }

    if (!o.compute_loss && o.keep_logits == KeepLogits::None && !o.on_logits) return trace;
    output_layer(model, ids, o, ln, acts != nullptr, trace);
    return trace;
}

ForwardOptions attention_only(std::function<void(const HeadView&)> observer) {
    ForwardOptions fo;
    fo.keep_logits = KeepLogits::None;
    fo.compute_loss = false;
    fo.observer = std::move(observer);
    return fo;
}

WindowLosses window_losses(const Model& model, const std::vector<int>& tokens, int window, int max_windows,
                           const ForwardOptions& base) {
    ForwardOptions fo = base;
    fo.keep_logits = KeepLogits::None;
    fo.compute_loss = true;
    WindowLosses out;
    for (std::size_t start = 0; start + 2 <= tokens.size() && static_cast<int>(out.size()) < max_windows;
         start += static_cast<std::size_t>(window)) {
        const std::size_t n = std::min(static_cast<std::size_t>(window), tokens.size() - start);
        if (n < 2) break;
        const std::vector<int> ids(tokens.begin() + static_cast<long>(start), tokens.begin() + static_cast<long>(start + n));
        out.sums.push_back(forward(model, ids, fo).loss * static_cast<double>(n - 1));
        out.predictions.push_back(static_cast<long>(n - 1));
    }
    if (out.size() == 0) throw Error("loss: no windows of at least 2 tokens");
    return out;
}

double WindowLosses::mean() const { return mean(std::vector<int>(size(), 1)); }

double WindowLosses::mean(const std::vector<int>& weights) const {
    double sum = 0, predicted = 0;
    for (std::size_t w = 0; w < size(); ++w) {
        sum += weights[w] * sums[w];
        predicted += weights[w] * static_cast<double>(predictions[w]);
    }
    return predicted > 0 ? sum / predicted : std::numeric_limits<double>::quiet_NaN();
}

double windowed_loss(const Model& model, const std::vector<int>& tokens, int window, int max_windows,
                     const ForwardOptions& base) {
    return window_losses(model, tokens, window, max_windows, base).mean();
}

double forward_flops(const Config& c, int T) {
    const double C = c.n_embd, V = c.vocab_size, L = c.n_layer, I = c.mlp_width();
    // qkv C x Q, proj Q x C, the MLP C x I (twice when gated) and I x C; GPT-2: 3C^2 + C^2 + 4C^2 + 4C^2
    const double per_layer = C * c.qkv_width() + c.q_width() * C + (c.gated_mlp ? 3.0 : 2.0) * C * I;
    const double matmul = 2.0 * T * (L * per_layer + C * V);
    const double attention = L * 2.0 * 2.0 * c.q_width() * (T * (T + 1) / 2.0);  // q k^T and p v over the causal half
    return matmul + attention;
}

}  // namespace attnlab
