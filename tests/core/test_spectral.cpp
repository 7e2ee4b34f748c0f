#include <doctest/doctest.h>

#include <cmath>

#include "checkpoint_builder.hpp"
#include "error.hpp"
#include "model/backward.hpp"
#include "model/random_init.hpp"
#include "train/conditioning_probe.hpp"
#include "train/spectral.hpp"
#include "train/trainer.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// Layer l's c_attn.weight (C x 3C) in a parameter vector.
float* fused(const Config& c, std::vector<float>& params, int layer) {
    return const_cast<float*>(weights_over(c, params.data(), nullptr).layers[static_cast<std::size_t>(layer)].attn_w.data);
}

// The largest singular value of block b of layer l, by power iteration on B^T B in double (independent of the SVD).
double power_sigma_max(const Config& c, std::vector<float>& params, int layer, int b) {
    const int C = c.n_embd;
    const float* a = fused(c, params, layer);
    const auto at = [&](int r, int col) { return static_cast<double>(a[static_cast<std::size_t>(r) * 3 * C + b * C + col]); };
    std::vector<double> x(static_cast<std::size_t>(C), 1.0), y(static_cast<std::size_t>(C));
    double sigma = 0;
    for (int it = 0; it < 2000; ++it) {
        for (int r = 0; r < C; ++r) {  // y = B x
            y[static_cast<std::size_t>(r)] = 0;
            for (int k = 0; k < C; ++k) y[static_cast<std::size_t>(r)] += at(r, k) * x[static_cast<std::size_t>(k)];
        }
        double norm = 0;
        for (int k = 0; k < C; ++k) {  // x = B^T y, normalised
            double s = 0;
            for (int r = 0; r < C; ++r) s += at(r, k) * y[static_cast<std::size_t>(r)];
            x[static_cast<std::size_t>(k)] = s;
            norm += s * s;
        }
        norm = std::sqrt(norm);
        for (auto& v : x) v /= norm;
        sigma = std::sqrt(norm);  // ||B^T B x|| for the previous unit x -> sigma_max^2
    }
    return sigma;
}

std::vector<int> cyclic(int n) {
    const int cycle[] = {46, 37, 33, 31, 26, 60, 13, 19, 11, 29};  // ids below 64: the tests' models have a small vocabulary
    std::vector<int> t;
    for (int i = 0; i < n; ++i) t.push_back(cycle[i * 7 % 10]);
    return t;
}

}  // namespace

TEST_SUITE("spectral conditioning") {

TEST_CASE("lambda is L times each initial block's largest singular value (against power iteration)") {
    const Config c = tiny_config(2, 2, 12, 16, 64);
    RandomInit init;
    init.seed = 3;
    std::vector<float> params = random_params(c, init);
    const std::vector<double> lambdas = spectral_lambdas(c, params, 0.5);
    REQUIRE(lambdas.size() == 6);
    for (int l = 0; l < 2; ++l)
        for (int b = 0; b < 3; ++b) {
            CAPTURE(l);
            CAPTURE(b);
            CHECK(lambdas[static_cast<std::size_t>(3 * l + b)] == doctest::Approx(0.5 * power_sigma_max(c, params, l, b)).epsilon(1e-6));
        }
}

TEST_CASE("add_identity adds each block's lambda to its diagonal and changes nothing else") {
    const Config c = tiny_config(2, 2, 12, 16, 64);
    RandomInit init;
    init.seed = 4;
    std::vector<float> params = random_params(c, init), effective;
    const std::vector<double> lambdas = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    add_identity(c, params, lambdas, effective);
    const int C = c.n_embd;
    std::size_t changed = 0;
    for (int l = 0; l < 2; ++l) {
        const float* before = fused(c, params, l);
        const float* after = fused(c, effective, l);
        for (int r = 0; r < C; ++r)
            for (int col = 0; col < 3 * C; ++col) {
                const std::size_t i = static_cast<std::size_t>(r) * 3 * C + col;
                const bool diagonal = col % C == r;
                const float want = diagonal ? before[i] + static_cast<float>(lambdas[static_cast<std::size_t>(3 * l + col / C)]) : before[i];
                CHECK(after[i] == want);
            }
    }
    for (std::size_t i = 0; i < params.size(); ++i) changed += params[i] != effective[i];
    CHECK(changed == static_cast<std::size_t>(2 * 3 * C));
    CHECK_THROWS_AS(add_identity(c, params, {0.1}, effective), Error);
}

TEST_CASE("kappa_2 of a block is sigma_max / sigma_min: a diagonal block diag(1 .. C) has kappa C") {
    const Config c = tiny_config(1, 2, 12, 16, 64);
    std::vector<float> params(static_cast<std::size_t>(param_count(c)), 0.0f);
    float* a = fused(c, params, 0);
    const int C = c.n_embd;
    for (int r = 0; r < C; ++r) {
        a[static_cast<std::size_t>(r) * 3 * C + r] = static_cast<float>(r + 1);          // W_Q = diag(1 .. C)
        a[static_cast<std::size_t>(r) * 3 * C + C + r] = 2.0f;                           // W_K = 2 I
        a[static_cast<std::size_t>(r) * 3 * C + 2 * C + (r + 1) % C] = r == 0 ? 4.0f : 1.0f;  // W_V: a permutation, scaled
    }
    const std::vector<double> k = projection_kappas(c, params);
    CHECK(k[0] == doctest::Approx(C));
    CHECK(k[1] == doctest::Approx(1.0));
    CHECK(k[2] == doctest::Approx(4.0));
    CHECK(std::isinf(projection_kappas(c, std::vector<float>(params.size(), 0.0f))[0]));  // singular: +inf
}

TEST_CASE("with lambda = 0, spectral conditioning trains bit for bit like plain attention") {
    const Config c = tiny_config(2, 2, 16, 16, 64);
    TrainOptions o;
    o.steps = 4;
    o.batch = 3;
    o.seq_len = 12;
    o.warmup = 1;
    o.threads = 2;
    TrainOptions s = o;
    s.spectral = true;
    s.spectral_lambda = 0.0f;
    Trainer plain(c, o), conditioned(c, s);
    const auto tokens = cyclic(200);
    for (int i = 0; i < 4; ++i) {
        const StepStats a = plain.step(tokens), b = conditioned.step(tokens);
        CHECK(a.loss == b.loss);
        CHECK(a.grad_norm == b.grad_norm);
    }
    CHECK(plain.params() == conditioned.params());
    CHECK(conditioned.effective_params() == conditioned.params());
    // and a lambda above 0 does change the run, so the comparison can fail
    s.spectral_lambda = 0.5f;
    Trainer other(c, s);
    for (int i = 0; i < 4; ++i) other.step(tokens);
    CHECK(other.params() != plain.params());
}

TEST_CASE("the conditioned model's gradient with respect to W matches finite differences of the loss through W + lambda I") {
    const Config c = tiny_config(2, 2, 8, 16, 64);
    TrainOptions o;
    o.spectral = true;
    o.spectral_lambda = 0.8f;
    o.init_std = 0.3f;
    o.seq_len = 10;
    const Trainer trainer(c, o);
    std::vector<float> w = trainer.params();
    const std::vector<double>& lambdas = trainer.spectral_lambdas();
    const std::vector<int> ids = cyclic(10);
    const auto loss = [&](const std::vector<float>& params) {
        std::vector<float> effective;
        add_identity(c, params, lambdas, effective);
        ForwardOptions fo;
        fo.keep_logits = KeepLogits::None;
        return forward(Model{c, weights_over(c, effective.data(), nullptr)}, ids, fo).loss;
    };
    // the trainer's model is W + lambda I: its loss is the loss through add_identity
    CHECK(forward(trainer.model(), ids, ForwardOptions{}).loss == loss(w));
    Activations acts;
    ForwardOptions fo = attention_only();
    fo.activations = &acts;
    forward(trainer.model(), ids, fo);
    const Gradients g = backward(trainer.model(), acts);
    const int C = c.n_embd;
    const auto base = static_cast<std::size_t>(fused(c, w, 1) - w.data());
    // diagonal and off-diagonal entries of each block of layer 1's c_attn.weight
    for (int b = 0; b < 3; ++b)
        for (const auto& entry : {std::pair{2, 2}, std::pair{5, 1}, std::pair{7, 7}}) {
            const int r = entry.first, col = entry.second;  // not a structured binding: clang's INFO cannot capture one
            const std::size_t i = base + static_cast<std::size_t>(r) * 3 * C + b * C + col;
            const float saved = w[i], h = 1e-2f;
            w[i] = saved + h;
            const double up = loss(w);
            w[i] = saved - h;
            const double down = loss(w);
            w[i] = saved;
            const double fd = (up - down) / (2.0 * h);
            INFO("block " << b << " entry (" << r << ", " << col << "): backward " << g.params[i] << ", finite difference " << fd);
            CHECK(std::abs(fd - g.params[i]) / std::max(std::abs(fd), 1e-3) < 1e-2);
        }
}

TEST_CASE("the conditioning probe: median log10 kappa over heads and windows, a uniform-attention head's known kappa") {
    // all weights 0: every head attends uniformly, A_ij = 1 / (i + 1) for j <= i, in every layer and window
    const Config c = tiny_config(2, 2, 8, 16, 64);
    std::vector<float> params(static_cast<std::size_t>(param_count(c)), 0.0f);
    const Model m{c, weights_over(c, params.data(), nullptr)};
    const int T = 6;
    Eigen::MatrixXd uniform = Eigen::MatrixXd::Zero(T, T);
    for (int i = 0; i < T; ++i) uniform.row(i).head(i + 1).setConstant(1.0 / (i + 1));
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(uniform);
    const double want = std::log10(svd.singularValues()(0) / svd.singularValues()(T - 1));
    const ConditioningProbe p = probe_conditioning(m, params, {cyclic(T), std::vector<int>(T, 13)});
    REQUIRE(p.attention_log10_kappa.size() == 2);
    CHECK(p.attention_log10_kappa[0] == doctest::Approx(want));
    CHECK(p.attention_log10_kappa_median == doctest::Approx(want));
    CHECK(p.projection_kappa.size() == 6);
    CHECK_THROWS_AS(probe_conditioning(m, params, {}), Error);
}

TEST_CASE("spectral conditioning trains GPT-2 only: another attention layout is refused") {
    const Config llama = family_config(Family::Llama);
    const std::vector<float> params = random_params(llama, RandomInit{});
    CHECK_THROWS_WITH_AS(spectral_lambdas(llama, params, 1.0), doctest::Contains("only GPT-2 trains"), Error);
    CHECK_THROWS_WITH_AS(projection_kappas(llama, params), doctest::Contains("only GPT-2 trains"), Error);
}

}
