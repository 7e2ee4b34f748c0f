// The families beyond GPT-2 in the core: their building blocks against formulas written out here, their checkpoints
// loaded from the Hugging Face names, and their attention's shape (grouped-query heads, GPT-Neo's local window).
// Whole-model numbers are checked against independent PyTorch implementations in tests/reference/forward_vs_torch.py.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <random>

#include "checkpoint_builder.hpp"
#include "error.hpp"
#include "model/gpt2.hpp"
#include "model/layers.hpp"
#include "analysis/hardmax.hpp"
#include "analysis/paper.hpp"
#include "analysis/selectivity.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

std::vector<float> params_of(const Config& c) {
    RandomInit init;
    init.std = 0.3f;
    init.jitter = 0.1f;
    return random_params(c, init);
}

}  // namespace

TEST_SUITE("families") {

TEST_CASE("rotary positions turn each pair (m, m + d/2) by the position times rope_theta^(-2m/d), as a complex product") {
    Config c = family_config(Family::Llama, 4);
    c.rope_theta = 500.0;
    MatRM qkv = MatRM::Random(3, c.qkv_width());
    const MatRM before = qkv;
    const int first = 7, hd = c.head_dim(), half = hd / 2;
    rotary_forward(c, first, qkv);
    double worst = 0;
    for (int t = 0; t < 3; ++t)
        for (int h = 0; h < c.n_head; ++h)
            for (const int col : {c.q_column(h), c.k_column(h)})
                for (int m = 0; m < half; ++m) {
                    const std::complex<double> x(before(t, col + m), before(t, col + m + half));
                    const std::complex<double> turned = x * std::polar(1.0, (first + t) * std::pow(500.0, -2.0 * m / hd));
                    worst = std::max({worst, std::abs(turned.real() - qkv(t, col + m)), std::abs(turned.imag() - qkv(t, col + m + half))});
                }
    CHECK(worst < 1e-6);
    // values are not turned
    CHECK(qkv.middleCols(c.v_column(0), c.kv_width()) == before.middleCols(c.v_column(0), c.kv_width()));
}

TEST_CASE("after the rotation q . k depends on the distance between the tokens only") {
    Config c = family_config(Family::Llama, 4);
    MatRM a = MatRM::Random(1, c.qkv_width()), b = MatRM::Random(1, c.qkv_width());
    const auto score = [&](int pq, int pk) {
        MatRM q = a, k = b;
        rotary_forward(c, pq, q);
        rotary_forward(c, pk, k);
        return q.row(0).segment(c.q_column(1), c.head_dim()).dot(k.row(0).segment(c.k_column(1), c.head_dim()));
    };
    CHECK(score(9, 4) == doctest::Approx(score(105, 100)).epsilon(1e-4));
    CHECK(score(9, 4) != doctest::Approx(score(9, 5)).epsilon(1e-4));
}

TEST_CASE("GPT-NeoX's partial rotary leaves the dimensions past rotary_dim as they are") {
    const Config c = family_config(Family::GptNeoX);
    MatRM qkv = MatRM::Random(4, c.qkv_width());
    const MatRM before = qkv;
    rotary_forward(c, 3, qkv);
    const int r = c.rotary_dim, hd = c.head_dim();
    CHECK(qkv.middleCols(c.q_column(2) + r, hd - r) == before.middleCols(c.q_column(2) + r, hd - r));
    CHECK(qkv.middleCols(c.q_column(2), r) != before.middleCols(c.q_column(2), r));
}

TEST_CASE("RMSNorm divides each row by its root mean square and multiplies by the gain") {
    MatRM x(2, 4);
    x << 1, 2, 3, 4, -2, 0, 0, 2;
    RowVecF gain(4);
    gain << 1, 0.5f, 2, 1;
    MatRM out;
    VecF rstd;
    rmsnorm_forward(x, gain, 1e-6f, out, rstd);
    const double rms0 = std::sqrt((1 + 4 + 9 + 16) / 4.0), rms1 = std::sqrt(8 / 4.0);
    CHECK(out(0, 2) == doctest::Approx(3 / rms0 * 2).epsilon(1e-5));
    CHECK(out(1, 0) == doctest::Approx(-2 / rms1).epsilon(1e-5));
    CHECK(out(0, 1) == doctest::Approx(2 / rms0 * 0.5).epsilon(1e-5));
}

TEST_CASE("a Llama checkpoint's separate q, k, v and gate, up tensors load stacked: the same logits as the parameter block") {
    for (const Family f : {Family::Llama, Family::Qwen2, Family::Qwen3, Family::GptNeoX, Family::GptNeo}) {
        CAPTURE(family_name(f));
        const Config c = family_config(f);
        const auto params = params_of(c);
        std::vector<float> head;
        BuildOptions o;
        if (!c.tied_head) {
            head.assign(static_cast<std::size_t>(c.vocab_size) * c.n_embd, 0.01f);
            for (std::size_t i = 0; i < head.size(); i += 7) head[i] = -0.02f;
            o.lm_head = &head;
        }
        const Checkpoint ck = load_checkpoint(checkpoint_files(c, params, o));
        CHECK(ck.model.config.family == f);
        CHECK(ck.model.weights.tied_lm_head == c.tied_head);
        Model direct = model_of(c, params);
        if (!c.tied_head) direct.weights.lm_head = Tensor2{head.data(), c.vocab_size, c.n_embd};
        const std::vector<int> ids = spread_ids(12);
        ForwardOptions fo;
        fo.keep_logits = KeepLogits::All;
        const Trace a = forward(ck.model, ids, fo), b = forward(direct, ids, fo);
        CHECK(a.logits == b.logits);
        CHECK(std::isfinite(a.loss));
    }
}

TEST_CASE("a missing part of a stacked projection, or a missing untied output layer, is named with its shape") {
    const Config c = family_config(Family::Llama);
    const auto params = params_of(c);
    BuildOptions o;
    o.tamper = [](std::vector<TensorToWrite>& ts) {
        ts.erase(std::remove_if(ts.begin(), ts.end(), [](const TensorToWrite& t) { return t.name == "model.layers.1.self_attn.k_proj.weight"; }), ts.end());
    };
    CHECK_THROWS_WITH_AS(load_checkpoint(checkpoint_files(c, params, o)),
                         "model.safetensors: missing tensor model.layers.1.self_attn.k_proj.weight (expected shape [16,32])", Error);
    const Config neox = family_config(Family::GptNeoX);
    CHECK_THROWS_WITH_AS(load_checkpoint(checkpoint_files(neox, params_of(neox))),
                         doctest::Contains("missing tensor embed_out.weight (expected shape [50257,32])"), Error);
}

TEST_CASE("query heads that share a key/value head see the same keys and values") {
    const Config c = family_config(Family::Llama, 2);
    const Model m = model_of(c, params_of(c));
    std::vector<MatRM> keys, values;
    forward(m, spread_ids(10), attention_only([&](const HeadView& v) {
        if (v.layer == 1) { keys.emplace_back(v.k); values.emplace_back(v.v); }
    }));
    REQUIRE(keys.size() == 4);
    CHECK(keys[0] == keys[1]);
    CHECK(keys[2] == keys[3]);
    CHECK(keys[1] != keys[2]);
    CHECK(values[0] == values[1]);
    CHECK(values[1] != values[2]);
}

TEST_CASE("in GPT-Neo's local layers a row's weights lie on its last `window` keys and sum to 1") {
    const Config c = family_config(Family::GptNeo);
    const Model m = model_of(c, params_of(c));
    std::vector<MatRM> probs(2);
    forward(m, spread_ids(9), attention_only([&](const HeadView& v) { if (v.head == 0) probs[v.layer] = v.probs; }));
    for (int i = 0; i < 9; ++i) {
        const int first = std::max(0, i + 1 - 3);
        CHECK(probs[1].row(i).head(first).isZero());
        CHECK(probs[1].row(i).segment(first, i + 1 - first).sum() == doctest::Approx(1.0).epsilon(1e-6));
        CHECK(probs[1].row(i).segment(first, i + 1 - first).minCoeff() > 0.0f);
        CHECK(probs[0].row(i).head(i + 1).minCoeff() > 0.0f);  // the global layer sees every earlier key
    }
}

TEST_CASE("selectivity's N in a local layer is the keys a row may attend to: min(i + 1, window)") {
    const Config c = family_config(Family::GptNeo);
    const Model m = model_of(c, params_of(c));
    std::vector<HeadRows> heads;
    forward(m, spread_ids(9), attention_only([&](const HeadView& v) { if (v.head == 0) heads.push_back(head_selectivity(v, {})); }));
    REQUIRE(heads.size() == 2);
    for (int i = 0; i < 9; ++i) {
        CHECK(heads[0].rows[static_cast<std::size_t>(i)].n == i + 1);
        CHECK(heads[1].rows[static_cast<std::size_t>(i)].n == std::min(i + 1, 3));
        // the weights over those keys are a distribution: the largest is at least 1/N
        CHECK(heads[1].rows[static_cast<std::size_t>(i)].p_max >= 1.0 / std::min(i + 1, 3) - 1e-6);
    }
}

TEST_CASE("hard-max in a local layer answers each row among its window's keys only") {
    // 2-D heads lose nothing in the projection, so the hull's answer must be the exact argmax over keys i-4..i
    std::mt19937 rng(7);
    std::normal_distribution<double> g;
    Eigen::MatrixXd q(40, 2), k(40, 2);
    for (int i = 0; i < 40; ++i) {
        q.row(i) << g(rng), g(rng);
        k.row(i) << g(rng), g(rng);
    }
    const int window = 5;
    const std::vector<int> local = causal_hull_argmax(q, k, window), global = causal_hull_argmax(q, k);
    int differ = 0;
    for (int i = 0; i < 40; ++i) {
        int best = first_key_in(window, i);
        for (int j = best; j <= i; ++j)
            if (q.row(i).dot(k.row(j)) >= q.row(i).dot(k.row(best))) best = j;
        CHECK(local[static_cast<std::size_t>(i)] == best);
        differ += local[static_cast<std::size_t>(i)] != global[static_cast<std::size_t>(i)];
    }
    CHECK(differ > 0);  // the window matters on these rows: some global answers lie before it
}

TEST_CASE("the paper figures leave out a local layer's rows longer than its window, where fewer than L tokens compete") {
    const Config c = family_config(Family::GptNeo);  // layer 1 local, window 3
    const Model m = model_of(c, params_of(c));
    PaperRequest r;
    r.top_ns = {2};
    r.lengths = {3, 8};
    const Json rep = paper_report(m, {spread_ids(16)}, r);
    CHECK(rep["distance"][0]["rows"] == std::vector<long>{4, 4});  // the global layer: 4 heads x 1 window at each L
    CHECK(rep["distance"][1]["rows"] == std::vector<long>{4, 0});  // the local layer: L = 8 > 3 left out
}

}
