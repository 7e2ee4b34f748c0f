// GPT-2 forward pass with attention capture.
//   T = tokens, C = n_embd, NH = n_head, hs = C / NH (head size), V = vocab_size
// forward() runs the model on token ids and returns a Trace: the kept logits, the mean next-token loss,
// and for the chosen heads the pre-normaliser scores and the attention probabilities (causal rows).
// Every head's scores go through AttentionOptions::normaliser; an observer sees each head's q, k, v,
// scores and probabilities as they are made, so analyses need not store (L x NH x T x T) floats.
#pragma once
#include <functional>
#include <limits>
#include <vector>

#include "attention/normaliser.hpp"
#include "model/model.hpp"
#include "tensor.hpp"

namespace attnlab {

struct HeadId {
    int layer = 0;
    int head = 0;
    bool operator==(const HeadId& o) const { return layer == o.layer && head == o.head; }
};

// One head of one layer, as seen during the forward pass. Only the lower triangle (j <= i) of scores
// is meaningful; probs is zero above the diagonal.
struct HeadView {
    int layer, head;
    RefRM q, k, v;       // (T, hs) each
    RefRM scores;        // (T, T): q k^T * scale (scale = 1/sqrt(hs), and 1/(layer+1) if the config says so)
    RefRM probs;         // (T, T)
    const Normaliser& normaliser;
    float scale;         // the factor in scores = q k^T * scale
    int window = 0;      // a local layer's (GPT-Neo): row i sees keys first_key(i)..i only; 0: every j <= i

    int first_key(int i) const { return first_key_in(window, i); }
};

enum class KeepLogits { None, Last, All };

// What the backward pass needs from the forward pass (llm.c's activations), per layer.
struct LayerActivations {
    MatRM x_in;                 // (T, C) residual stream entering the layer
    MatRM ln1;                  // (T, C)
    VecF ln1_mean, ln1_rstd;    // (T)
    MatRM qkv_pre;              // (T, Q) before the heads' q/k norm (Qwen3 only)
    MatRM qkv;                  // (T, Q) as the heads used it: after the q/k norm and the rotary positions
    std::vector<MatRM> probs;   // NH x (T, T)
    MatRM atty;                 // (T, C) concatenated head outputs
    MatRM x_mid;                // (T, C) residual after attention (empty with a parallel residual)
    MatRM ln2;                  // (T, C): of x_mid, or of x_in with a parallel residual
    VecF ln2_mean, ln2_rstd;    // (T)
    MatRM fc_pre, fc_act;       // (T, I) before and after the activation; gated: (T, 2I) [gate | up] and (T, I)
};

struct Activations {
    std::vector<int> ids;
    int first_position = 0;     // ForwardOptions::first_position
    std::vector<LayerActivations> layers;
    MatRM x_out, lnf;           // (T, C)
    VecF lnf_mean, lnf_rstd;    // (T)
    Normaliser normaliser;
};

struct HeadNormaliser {
    HeadId head;
    Normaliser normaliser;
};

struct ForwardOptions {
    Normaliser normaliser;                    // applied to every head not listed in head_normalisers
    std::vector<HeadNormaliser> head_normalisers;  // per-head replacements (inference only: backward refuses them)
    std::vector<HeadId> capture;              // heads whose scores and probs go into Trace::heads
    bool capture_all = false;                 // or every head
    std::function<void(const HeadView&)> observer;  // called once per layer and head, in order
    KeepLogits keep_logits = KeepLogits::Last;
    bool compute_loss = true;                 // false: Trace::loss stays NaN; with KeepLogits::None the output layer is skipped (unless on_logits)
    // Called with each position's logits (V values) as the output layer computes them, in order: predictions of
    // every position without holding (T, V).
    std::function<void(int position, const float* logits)> on_logits;
    // With on_logits and neither the loss nor kept logits: only these positions' logits are computed and passed, in
    // this order (the page's predictions at one query token); empty: every position's.
    std::vector<int> logit_rows;
    // The first token's position: wpe rows first_position .. first_position + T - 1. Text always starts at 0;
    // training on short windows taken from anywhere in the context trains every row of wpe.
    int first_position = 0;
    Activations* activations = nullptr;       // filled for the backward pass when set
    // Changes a head's scores (T, T) before they are normalised (finite-difference checks).
    std::function<void(int layer, int head, MatRM& scores)> perturb_scores;
    // A fixed attention matrix for a head (at least (T, T), rows distributions over j <= i), or null to keep
    // the head's own: constant (averaged) attention. Inference only.
    std::function<const MatRM*(int layer, int head)> constant_probs;

    const Normaliser& normaliser_of(int layer, int head) const {
        for (const auto& h : head_normalisers)
            if (h.head == HeadId{layer, head}) return h.normaliser;
        return normaliser;
    }
};

struct HeadCapture {
    HeadId id;
    MatRM scores;  // (T, T), upper triangle zero
    MatRM probs;   // (T, T), upper triangle zero
};

struct Trace {
    std::vector<int> ids;
    MatRM logits;            // kept rows: all T, the last one, or none
    int logits_first_row = 0;  // position of logits.row(0)
    double loss = std::numeric_limits<double>::quiet_NaN();  // mean -log p(ids[t+1] | ids[..t]); NaN if T < 2
    std::vector<HeadCapture> heads;
};

// Checks ids against the model (non-empty, within n_positions from first_position on, within vocab); throws
// Error with advice.
void check_ids(const Config& config, const std::vector<int>& ids, int first_position = 0);

Trace forward(const Model& model, const std::vector<int>& ids, const ForwardOptions& options);

// Forward options that compute the attention only: no logits, no loss (the output layer is skipped); the
// observer (may be null) sees every head.
ForwardOptions attention_only(std::function<void(const HeadView&)> observer = nullptr);

// Next-token loss of consecutive windows of `window` tokens (at most max_windows of them, each of at least 2
// tokens), window by window: the summed loss and the predictions made in each. A bootstrap resamples these units.
struct WindowLosses {
    std::vector<double> sums;
    std::vector<long> predictions;
    std::size_t size() const { return sums.size(); }
    double mean() const;  // over every prediction
    // over the predictions of each window taken weights[w] times (a bootstrap resample); NaN when none
    double mean(const std::vector<int>& weights) const;
};
// Throws Error if no window has 2 tokens. `base` supplies everything but the logits (observer, normalisers,
// constant attention).
WindowLosses window_losses(const Model& model, const std::vector<int>& tokens, int window, int max_windows,
                           const ForwardOptions& base = {});
// Their mean, weighted by the predictions each window makes.
double windowed_loss(const Model& model, const std::vector<int>& tokens, int window, int max_windows,
                     const ForwardOptions& base = {});

// Floating-point operations of one forward pass over T tokens (matmuls and attention, multiply-add = 2).
double forward_flops(const Config& config, int T);

}  // namespace attnlab
