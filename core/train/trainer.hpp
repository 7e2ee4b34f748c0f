// Training a GPT-2 from scratch on a token stream: random batches of windows, forward and backward per
// window (windows spread over threads, gradients summed in a fixed order, so a seed and a thread count
// give the same model every time), global-norm clipping, AdamW with warm-up and cosine decay.
#pragma once
#include <cstdint>
#include <vector>

#include "io/checkpoint.hpp"
#include "train/adamw.hpp"
#include "util/rng.hpp"

namespace attnlab {

struct TrainOptions {
    int steps = 1000;
    int batch = 8;          // windows per step
    int seq_len = 128;      // tokens per window (at most n_positions)
    // The first short_steps steps take windows of short_seq_len tokens instead (0: none), each at a random place
    // in the context (ForwardOptions::first_position), batch * seq_len / short_seq_len of them: the same tokens
    // per step. A head's score gradient scales with its attention weight, about 1/i at position i, so short
    // windows learn local heads (the previous token's) several times faster; the long steps after them learn
    // the long context.
    int short_seq_len = 0;
    int short_steps = 0;
    int warmup = 100;
    float lr = 1e-3f;       // peak learning rate
    float min_lr = 1e-4f;   // at the end of the cosine
    float clip = 1.0f;      // global gradient-norm clip (0: none)
    float init_std = 0.02f;
    float sinusoidal_positions = 0.0f;  // > 0: wpe starts as sinusoids of this amplitude (RandomInit)
    float sinusoid_top_frequency = 1.0f;  // RandomInit::sinusoid_top_frequency
    float mimetic_qk = 0.0f;            // > 0: W_K starts equal to W_Q ~ N(0, mimetic_qk) (RandomInit)
    float offset_heads = 0.0f;          // > 0: layer 0's head h starts attending h + 1 tokens back (RandomInit)
    float repeat_fraction = 0.0f;       // share of windows that end by repeating an earlier span of themselves
    float echo_fraction = 0.0f;         // share of windows that are echo windows (echo_window) instead of text
    // Spectral conditioning of attention (train/spectral.hpp): W_Q, W_K, W_V used as W + lambda I, lambda = spectral_lambda
    // times each block's largest singular value at initialisation. Off: plain softmax attention on W.
    bool spectral = false;
    float spectral_lambda = 0.0f;
    AdamWOptions adamw;
    std::uint64_t seed = 1;
    int threads = 1;
};

struct StepStats {
    int step = 0;
    double loss = 0;       // mean over the batch
    double grad_norm = 0;  // before clipping
    float lr = 0;
};

// Everything a run needs to continue exactly where it stopped: a run stopped after step k and resumed gives
// the same weights as one that never stopped (same options and thread count).
struct TrainerState {
    std::vector<float> params, adam_m, adam_v;
    int step = 0;              // steps taken
    std::uint64_t rng = 0;     // the window sampler's state
};

// One training window of `length` tokens from a random place in `tokens`. With probability
// repeat_fraction it is a repeat window: its last m tokens (m uniform in [2, length / 2]) are replaced by a
// copy of the m tokens that start at a uniform place earlier in the window, ending before the copy begins.
// Text repeats within documents (names, phrases, quoted lines), which makes looking back for the token
// that followed the current one (an induction head, built on a previous-token head) worth learning; repeat
// windows make such repeats common enough to learn from early. With repeat_fraction 0 the generator draws
// exactly one number per window.
std::vector<int> sample_window(const std::vector<int>& tokens, int length, float repeat_fraction, Rng& rng);

// An echo window of `length` tokens: triples (x, y, x) of tokens drawn from uniform places in `tokens`, the
// first triple cut at a uniform phase (0, 1 or 2 tokens of it missing), so no position is the middle of a
// triple more often than another. At a triple's middle the next token is the one before the current token,
// and nothing else in the window tells which of the earlier tokens that is: only a head that attends to the
// previous token by position predicts it. Such heads (the first half of an induction circuit) form very
// slowly from text alone in a run this project can afford; a share of echo windows trains one directly.
std::vector<int> echo_window(const std::vector<int>& tokens, int length, Rng& rng);

class Trainer {
public:
    Trainer(const Config& config, const TrainOptions& options);

    TrainerState state() const;
    void restore(TrainerState state);  // throws Error when it does not fit this config
    int steps_taken() const { return step_; }

    StepStats step(const std::vector<int>& train_tokens);
    // Mean next-token loss over consecutive windows of seq_len tokens (at most max_windows of them).
    double evaluate(const std::vector<int>& tokens, int max_windows) const;

    // A view of the weights the model uses (valid while the trainer lives): the parameters, or under spectral
    // conditioning the parameters with lambda I added to W_Q, W_K and W_V.
    Model model() const;
    const std::vector<float>& params() const { return params_; }  // what the optimizer updates
    const std::vector<float>& effective_params() const { return options_.spectral ? effective_ : params_; }
    const std::vector<double>& spectral_lambdas() const { return lambdas_; }  // absolute, 3 per layer; empty when off
    const Config& config() const { return config_; }
    const TrainOptions& options() const { return options_; }

private:
    Config config_;
    TrainOptions options_;
    std::vector<float> params_;
    std::vector<double> lambdas_;   // spectral conditioning's lambda per block
    std::vector<float> effective_;  // params_ + lambda I, under spectral conditioning
    AdamW optimizer_;
    std::vector<AlignedFloats> grad_sums_;  // one per thread, reused by every step
    Rng rng_;
    int step_ = 0;
};

}  // namespace attnlab
