#include "train/trainer.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

#include "error.hpp"
#include "model/backward.hpp"
#include "model/random_init.hpp"
#include "train/spectral.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace attnlab {
namespace {

// Weight decay on matrices only (not biases or layer-norm gains), in param_specs order.
std::vector<std::uint8_t> decay_mask(const Config& c) {
    std::vector<std::uint8_t> mask;
    for (const auto& spec : param_specs(c)) mask.insert(mask.end(), static_cast<std::size_t>(spec.count()), spec.shape.size() == 2);
    return mask;
}

std::vector<float> initial_params(const Config& c, const TrainOptions& o) {
    RandomInit init;
    init.seed = o.seed;
    init.std = o.init_std;
    init.sinusoidal_positions = o.sinusoidal_positions;
    init.sinusoid_top_frequency = o.sinusoid_top_frequency;
    init.mimetic_qk = o.mimetic_qk;
    init.offset_heads = o.offset_heads;
    return random_params(c, init);
}

}  // namespace

std::vector<int> sample_window(const std::vector<int>& tokens, int length, float repeat_fraction, Rng& rng) {
    const auto T = static_cast<std::size_t>(length);
    assert(tokens.size() > T && length >= 2 && "the caller checks that a window fits");
    const std::size_t start = static_cast<std::size_t>(rng.below(tokens.size() - T));
    std::vector<int> ids(tokens.begin() + static_cast<long>(start), tokens.begin() + static_cast<long>(start + T));
    if (repeat_fraction > 0 && length >= 4 && rng.uniform() < repeat_fraction) {
        const std::size_t m = 2 + static_cast<std::size_t>(rng.below(T / 2 - 1));    // 2 .. T/2
        const std::size_t from = static_cast<std::size_t>(rng.below(T - 2 * m + 1));  // span ends by T - m
        std::copy(ids.begin() + static_cast<long>(from), ids.begin() + static_cast<long>(from + m),
                  ids.end() - static_cast<long>(m));
    }
    return ids;
}

std::vector<int> echo_window(const std::vector<int>& tokens, int length, Rng& rng) {
    assert(!tokens.empty() && length >= 0);
    const auto draw = [&] { return tokens[static_cast<std::size_t>(rng.below(tokens.size()))]; };
    const auto phase = static_cast<int>(rng.below(3));
    std::vector<int> ids(static_cast<std::size_t>(length));
    int x = draw();  // the first triple's x, when the phase cuts it off
    for (int p = 0; p < length; ++p) {
        const int k = (p + phase) % 3;
        if (k == 0) x = draw();
        ids[static_cast<std::size_t>(p)] = k == 1 ? draw() : x;
    }
    return ids;
}

Trainer::Trainer(const Config& config, const TrainOptions& options)
    : config_(config),
      options_(options),
      params_(initial_params(config, options)),
      optimizer_(params_.size(), decay_mask(config), options.adamw),
      rng_(options.seed ^ 0x7261696eull) {
    config_.validate("train");
    if (options.seq_len < 2 || options.seq_len > config.n_positions)
        throw Error("train: the window length must be in 2..n_positions (" + std::to_string(config.n_positions) + ")");
    if (options.short_seq_len != 0 && (options.short_seq_len < 2 || options.short_seq_len > options.seq_len))
        throw Error("train: the short windows' length must be in 2..the window length (" + std::to_string(options.seq_len) + ")");
    if (options.short_seq_len != 0 && options.batch * options.seq_len % options.short_seq_len != 0)
        throw Error("train: the short windows' length must divide the tokens per step (" +
                    std::to_string(options.batch * options.seq_len) + "), so every step takes as many tokens");
    if (options.short_steps < 0 || (options.short_steps > 0 && options.short_seq_len == 0))
        throw Error("train: short steps need a short window length");
    for (const auto& [share, name] : {std::pair{options.repeat_fraction, "repeat"}, std::pair{options.echo_fraction, "echo"}})
        if (!(share >= 0 && share <= 1)) throw Error(std::string("train: the ") + name + " fraction must be in [0, 1]");
    if (options.batch < 1 || options.steps < 1 || options.threads < 1)
        throw Error("train: steps, batch and threads must be at least 1");
    if (!(options.spectral_lambda >= 0)) throw Error("train: the spectral conditioning lambda must be >= 0");
    if (options.spectral) {
        lambdas_ = attnlab::spectral_lambdas(config_, params_, options.spectral_lambda);
        add_identity(config_, params_, lambdas_, effective_);
    }
}

TrainerState Trainer::state() const {
    return TrainerState{params_, optimizer_.first_moment(), optimizer_.second_moment(), step_, rng_.state()};
}

void Trainer::restore(TrainerState s) {
    if (s.params.size() != params_.size())
        throw Error("train: the saved state holds " + std::to_string(s.params.size()) + " parameters; this config has " +
                    std::to_string(params_.size()));
    if (s.step < 0 || s.step > options_.steps)
        throw Error("train: the saved state is at step " + std::to_string(s.step) + " of a run of " + std::to_string(options_.steps));
    optimizer_.restore(std::move(s.adam_m), std::move(s.adam_v), s.step);
    params_ = std::move(s.params);
    step_ = s.step;
    rng_ = Rng(s.rng);
    if (options_.spectral) add_identity(config_, params_, lambdas_, effective_);
}

Model Trainer::model() const { return Model{config_, weights_over(config_, effective_params().data(), nullptr)}; }

StepStats Trainer::step(const std::vector<int>& tokens) {
    const bool short_step = options_.short_seq_len > 0 && step_ < options_.short_steps;
    const int T = short_step ? options_.short_seq_len : options_.seq_len;
    const int B = short_step ? options_.batch * options_.seq_len / T : options_.batch;
    if (static_cast<int>(tokens.size()) <= T) throw Error("train: the training text has fewer tokens than one window");
    std::vector<std::vector<int>> windows(static_cast<std::size_t>(B));
    std::vector<int> first_positions(static_cast<std::size_t>(B), 0);
    for (int b = 0; b < B; ++b) {
        const bool echo = options_.echo_fraction > 0 && rng_.uniform() < options_.echo_fraction;
        windows[static_cast<std::size_t>(b)] =
            echo ? echo_window(tokens, T, rng_) : sample_window(tokens, T, options_.repeat_fraction, rng_);
        if (short_step)
            first_positions[static_cast<std::size_t>(b)] =
                static_cast<int>(rng_.below(static_cast<std::uint64_t>(config_.n_positions - T + 1)));
    }

    const int threads = options_.threads;
    // the threads' gradient sums, kept from step to step: a fresh 4 x parameters bytes each step cost a quarter of a
    // small model's step in page faults and copies
    std::vector<AlignedFloats>& partial = grad_sums_;
    partial.resize(static_cast<std::size_t>(threads));
    for (auto& p : partial) {
        if (p.size() != params_.size()) p.assign(params_.size(), 0.0f);
        else std::fill(p.begin(), p.end(), 0.0f);
    }
    std::vector<double> losses(static_cast<std::size_t>(B), 0.0);
    const Model m = model();
    // window b goes to thread b % threads, which takes its windows in order: a fixed summation order
#pragma omp parallel for schedule(static, 1) num_threads(threads)
    for (int b = 0; b < B; ++b) {
#ifdef _OPENMP
        const int tid = omp_get_thread_num();
#else
        const int tid = 0;
#endif
        const std::vector<int>& ids = windows[static_cast<std::size_t>(b)];
        Activations acts;
        ForwardOptions fo = attention_only();  // backward computes the output layer's softmax, and the loss with it
        fo.activations = &acts;
        fo.first_position = first_positions[static_cast<std::size_t>(b)];
        forward(m, ids, fo);
        auto& acc = partial[static_cast<std::size_t>(tid)];
        Gradients g = backward(m, acts, {}, std::move(acc));  // adds this window's gradients to the thread's sum
        acc = std::move(g.params);
        losses[static_cast<std::size_t>(b)] = g.loss;
    }
    AlignedFloats& grads = partial[0];
    for (int t = 1; t < threads; ++t)
        for (std::size_t i = 0; i < grads.size(); ++i) grads[i] += partial[static_cast<std::size_t>(t)][i];
    double sq = 0;
    for (auto& g : grads) {
        g /= static_cast<float>(B);
        sq += double(g) * g;
    }
    StepStats st;
    st.step = step_;
    st.grad_norm = std::sqrt(sq);
    for (double l : losses) st.loss += l / B;
    if (options_.clip > 0 && st.grad_norm > options_.clip) {
        const float s = static_cast<float>(options_.clip / st.grad_norm);
        for (auto& g : grads) g *= s;
    }
    st.lr = learning_rate(step_, options_.steps, options_.warmup, options_.lr, options_.min_lr);
    // the gradient with respect to W is the one with respect to W + lambda I
    optimizer_.step(params_, grads.data(), st.lr);
    if (options_.spectral) add_identity(config_, params_, lambdas_, effective_);
    ++step_;
    return st;
}

double Trainer::evaluate(const std::vector<int>& tokens, int max_windows) const {
    return windowed_loss(model(), tokens, options_.seq_len, max_windows);
}

}  // namespace attnlab
