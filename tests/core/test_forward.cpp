#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "checkpoint_builder.hpp"
#include "error.hpp"
#include "model/gpt2.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// A model over an owned parameter vector.
// Writes `values` into the parameter called `name` (row-major).
void set_param(const Config& c, std::vector<float>& params, const std::string& name, std::vector<float> values) {
    std::size_t offset = 0;
    for (const auto& spec : param_specs(c)) {
        if (spec.name == name) {
            REQUIRE(values.size() == static_cast<std::size_t>(spec.count()));
            std::copy(values.begin(), values.end(), params.begin() + static_cast<long>(offset));
            return;
        }
        offset += static_cast<std::size_t>(spec.count());
    }
    FAIL("no parameter " << name);
}

// The hand-worked model: C = 2, one head, vocab {0, 1} with wte[0] = [1,-1], wte[1] = [-1,1], wpe = 0.
// ln_1 maps token t to r * s_t * [1,-1] (s = +1 for id 0, -1 for id 1, r = 1/sqrt(1 + eps)), and
// q = [a r s, 0], k = [b r s, 0], v = [r s, 0], so score(i, j) = a b r^2 s_i s_j / sqrt(2).
Config hand_config() { return tiny_config(1, 1, 2, 4, 2); }

std::vector<float> hand_params(float a, float b) {
    const Config c = hand_config();
    std::vector<float> p(static_cast<std::size_t>(param_count(c)), 0.0f);
    set_param(c, p, "wte.weight", {1, -1, -1, 1});
    set_param(c, p, "h.0.ln_1.weight", {1, 1});
    set_param(c, p, "h.0.ln_2.weight", {1, 1});
    set_param(c, p, "ln_f.weight", {1, 1});
    //                          q: a 0   k: b 0   v: 1 0
    set_param(c, p, "h.0.attn.c_attn.weight", {a, 0, b, 0, 1, 0,   //
                                               0, 0, 0, 0, 0, 0});
    return p;
}

}  // namespace

TEST_SUITE("forward") {

TEST_CASE("hand-worked attention: scores are a b r^2 s_i s_j / sqrt(2) and rows are their softmax") {
    const float a = 2.0f, b = 1.5f;
    const Model m = model_of(hand_config(), hand_params(a, b));
    const std::vector<int> ids = {0, 1, 0, 0};
    const double s[] = {1, -1, 1, 1};
    const double r2 = 1.0 / (1.0 + 1e-5);
    for (double temperature : {1.0, 0.5}) {
        ForwardOptions o;
        o.normaliser = softmax_normaliser(static_cast<float>(temperature));
        o.capture = {{0, 0}};
        const Trace tr = forward(m, ids, o);
        REQUIRE(tr.heads.size() == 1);
        const MatRM& scores = tr.heads[0].scores;
        const MatRM& probs = tr.heads[0].probs;
        for (int i = 0; i < 4; ++i) {
            double z = 0;
            for (int j = 0; j <= i; ++j) z += std::exp(a * b * r2 * s[i] * s[j] / std::sqrt(2.0) / temperature);
            for (int j = 0; j < 4; ++j) {
                const double score = j <= i ? a * b * r2 * s[i] * s[j] / std::sqrt(2.0) : 0.0;
                const double p = j <= i ? std::exp(score / temperature) / z : 0.0;
                CHECK(scores(i, j) == doctest::Approx(score).epsilon(1e-5));
                CHECK(probs(i, j) == doctest::Approx(p).epsilon(1e-5));
            }
        }
    }
}

TEST_CASE("hand-worked logits and loss when the blocks add nothing: ln_f then the tied embedding") {
    // attention and MLP projections are zero, so x_t = wte[id_t] + wpe[t], and for C = 2
    // ln_f(x) = [d, -d] / sqrt(d^2 + eps) with d = (x0 - x1) / 2; logits = ln_f(x) . wte[k]
    const Config c = hand_config();
    auto p = hand_params(1.0f, 1.0f);
    set_param(c, p, "wpe.weight", {0.0f, 0.0f, 0.3f, 0.0f, 0.6f, 0.0f, 2.5f, 0.0f});
    const Model m = model_of(c, p);
    const std::vector<int> ids = {0, 1, 1, 0};
    ForwardOptions o;
    o.keep_logits = KeepLogits::All;
    const Trace tr = forward(m, ids, o);
    const double wte[2][2] = {{1, -1}, {-1, 1}};
    const double wpe0[] = {0.0, 0.3, 0.6, 2.5};
    double loss = 0;
    for (int t = 0; t < 4; ++t) {
        const double x0 = wte[ids[t]][0] + wpe0[t], x1 = wte[ids[t]][1];
        const double d = (x0 - x1) / 2, n = std::sqrt(d * d + 1e-5);
        const double l0 = (d * wte[0][0] - d * wte[0][1]) / n, l1 = (d * wte[1][0] - d * wte[1][1]) / n;
        CHECK(tr.logits(t, 0) == doctest::Approx(l0).epsilon(1e-5));
        CHECK(tr.logits(t, 1) == doctest::Approx(l1).epsilon(1e-5));
        if (t < 3) {
            const double target = ids[t + 1] == 0 ? l0 : l1;
            loss += std::log(std::exp(l0) + std::exp(l1)) - target;
        }
    }
    CHECK(tr.loss == doctest::Approx(loss / 3).epsilon(1e-5));
}

TEST_CASE("every captured row is a distribution over the visible tokens only") {
    const Config c = tiny_config(2, 4, 16, 32, 50257);
    const Model m = model_of(c, exact_params(c));
    ForwardOptions o;
    o.capture_all = true;
    const Trace tr = forward(m, {10, 200, 3000, 40000, 5, 6, 7, 8, 9, 11}, o);
    REQUIRE(tr.heads.size() == 8);
    for (const auto& h : tr.heads) {
        for (Eigen::Index i = 0; i < h.probs.rows(); ++i) {
            CHECK(h.probs.row(i).sum() == doctest::Approx(1.0).epsilon(1e-6));
            CHECK(h.probs.row(i).minCoeff() >= 0.0f);
            for (Eigen::Index j = i + 1; j < h.probs.cols(); ++j) CHECK(h.probs(i, j) == 0.0f);
        }
    }
}

TEST_CASE("probabilities are softmax(scores / T) of the captured scores, for any temperature") {
    const Config c = tiny_config(2, 2, 8, 16, 50257);
    const Model m = model_of(c, exact_params(c));
    for (float temperature : {0.2f, 1.0f, 4.0f}) {
        ForwardOptions o;
        o.normaliser = softmax_normaliser(temperature);
        o.capture = {{1, 1}};
        const auto h = forward(m, {1, 2, 3, 4, 5, 6}, o).heads.at(0);
        for (int i = 0; i < 6; ++i) {
            double z = 0;
            for (int j = 0; j <= i; ++j) z += std::exp(double(h.scores(i, j)) / temperature);
            for (int j = 0; j <= i; ++j)
                CHECK(h.probs(i, j) == doctest::Approx(std::exp(double(h.scores(i, j)) / temperature) / z).epsilon(1e-5));
        }
    }
}

TEST_CASE("the model is causal: a prefix gives the same logits as the first rows of the whole") {
    const Config c = tiny_config(2, 2, 8, 16, 50257);
    const Model m = model_of(c, exact_params(c));
    ForwardOptions o;
    o.keep_logits = KeepLogits::All;
    const std::vector<int> ids = {7, 8, 9, 10, 11, 12, 13};
    const MatRM whole = forward(m, ids, o).logits;
    const MatRM prefix = forward(m, {7, 8, 9, 10}, o).logits;
    check_close(prefix, whole.topRows(4), 1e-5, 1e-3);
}

TEST_CASE("the loss is the mean of -log softmax(logits)[next token]") {
    const Config c = tiny_config(2, 2, 8, 16, 50257);
    const Model m = model_of(c, exact_params(c));
    ForwardOptions o;
    o.keep_logits = KeepLogits::All;
    const std::vector<int> ids = {100, 200, 300, 400, 500};
    const Trace tr = forward(m, ids, o);
    double loss = 0;
    for (int t = 0; t + 1 < 5; ++t) {
        double z = 0;
        for (Eigen::Index v = 0; v < tr.logits.cols(); ++v) z += std::exp(double(tr.logits(t, v)));
        loss += std::log(z) - tr.logits(t, ids[t + 1]);
    }
    CHECK(tr.loss == doctest::Approx(loss / 4).epsilon(1e-6));
    ForwardOptions last;
    const Trace tl = forward(m, ids, last);
    CHECK(tl.logits.rows() == 1);
    CHECK(tl.logits_first_row == 4);
    CHECK((tl.logits.row(0) - tr.logits.row(4)).cwiseAbs().maxCoeff() == 0.0f);
    CHECK(std::isnan(forward(m, {1}, last).loss));
}

TEST_CASE("the observer sees every head once, in layer then head order, with the captured numbers") {
    const Config c = tiny_config(2, 3, 12, 16, 50257);
    const Model m = model_of(c, exact_params(c));
    ForwardOptions o;
    o.capture = {{1, 2}};
    std::vector<std::pair<int, int>> seen;
    MatRM observed;
    o.observer = [&](const HeadView& h) {
        seen.emplace_back(h.layer, h.head);
        CHECK(h.q.cols() == 4);
        if (h.layer == 1 && h.head == 2) observed = h.probs;
    };
    const Trace tr = forward(m, {1, 2, 3, 4}, o);
    CHECK(seen == std::vector<std::pair<int, int>>{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}});
    CHECK((observed - tr.heads.at(0).probs).cwiseAbs().maxCoeff() == 0.0f);
}

TEST_CASE("scale_attn_by_inverse_layer_idx divides layer l's scores by l + 1") {
    Config c = tiny_config(2, 2, 8, 16, 50257);
    const auto params = exact_params(c);
    ForwardOptions o;
    o.capture = {{1, 0}};
    const MatRM plain = forward(model_of(c, params), {5, 6, 7}, o).heads.at(0).scores;
    c.scale_attn_by_inverse_layer_idx = true;
    const MatRM scaled = forward(model_of(c, params), {5, 6, 7}, o).heads.at(0).scores;
    check_close(scaled, MatRM(plain / 2.0f), 1e-6, 1e-4);
}

TEST_CASE("bad ids are refused with advice, never cut silently") {
    const Config c = tiny_config(1, 1, 4, 8, 50257);
    const Model m = model_of(c, exact_params(c));
    ForwardOptions o;
    CHECK_THROWS_WITH_AS(forward(m, {}, o), "no tokens to run: the text is empty", Error);
    CHECK_THROWS_WITH_AS(forward(m, std::vector<int>(9, 1), o), doctest::Contains("the text is 9 tokens but this model's context (n_positions) is 8 tokens"), Error);
    CHECK_THROWS_WITH_AS(forward(m, {1, 50257}, o), doctest::Contains("token id 50257 at position 1"), Error);
}

TEST_CASE("a temperature that is not a positive number is refused") {
    CHECK_THROWS_AS(softmax_normaliser(0.0f), Error);
    CHECK_THROWS_AS(softmax_normaliser(-1.0f), Error);
    CHECK_THROWS_AS(softmax_normaliser(std::nanf("")), Error);
}

}

namespace {

// A random model with `value` written into the first entry of parameter `name`.
Model model_with(const Config& c, const std::string& name, float value) {
    RandomInit init;
    init.std = 0.4f;
    std::vector<float> params = random_params(c, init);
    std::int64_t offset = 0;
    for (const auto& spec : param_specs(c)) {
        if (spec.name == name) {
            params[static_cast<std::size_t>(offset)] = value;
            return model_of(c, std::move(params));
        }
        offset += spec.count();
    }
    FAIL("no parameter " << name);
    return model_of(c, std::move(params));
}

std::string forward_error(const Model& m) {
    try {
        forward(m, spread_ids(8), ForwardOptions{});
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a NaN or infinite weight gives one typed error naming where the forward pass first went non-finite") {
    const Config c = tiny_config(2, 2, 8, 16, 50257);
    // a query weight of layer 1: the first non-finite values are that layer's head-0 scores
    const std::string in_scores = forward_error(model_with(c, "h.1.attn.c_attn.weight", std::nanf("")));
    CHECK(in_scores.find("non-finite values (NaN or infinity) in layer 1 head 0's attention scores") != std::string::npos);
    // an MLP weight: the attention of layer 0 is finite, its output is not
    const std::string in_mlp = forward_error(model_with(c, "h.0.mlp.c_proj.weight", INFINITY));
    CHECK(in_mlp.find("in layer 0's output (the residual stream)") != std::string::npos);
    // the final layer norm: only the logits (and so the loss) see it
    const std::string in_logits = forward_error(model_with(c, "ln_f.weight", std::nanf("")));
    CHECK(in_logits.find("in the output layer's logits") != std::string::npos);
    CHECK(forward_error(model_with(c, "ln_f.weight", 1.0f)).empty());
}

TEST_CASE("all_finite, the forward pass's check, agrees with std::isfinite wherever a NaN or an infinity sits in a strided block") {
    MatRM m = MatRM::Random(37, 53) * 1e30f;
    m(0, 1) = m(1, 2) = std::numeric_limits<float>::max();  // finite: their sum overflows, x * 0 does not
    const auto block = [&] { return RefRM(m.block(0, 1, 30, 47)); };  // rows 30 long in a row of 53: strided
    const auto reference = [](const RefRM& b) {
        for (Eigen::Index i = 0; i < b.rows(); ++i)
            for (Eigen::Index j = 0; j < b.cols(); ++j)
                if (!std::isfinite(b(i, j))) return false;
        return true;
    };
    CHECK(all_finite(block()));
    int checked = 0;
    for (const float bad : {std::nanf(""), std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()})
        for (Eigen::Index i = 0; i < m.rows(); i += 3)
            for (Eigen::Index j = 0; j < m.cols(); j += 2) {
                const float kept = m(i, j);
                m(i, j) = bad;
                CHECK(all_finite(block()) == reference(block()));
                checked += !reference(block());
                m(i, j) = kept;
            }
    CHECK(checked > 600);  // most of the planted values fall inside the block; those outside must not be seen
    CHECK(all_finite(RefRM(MatRM(0, 5))));
}
