#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "analysis/heads.hpp"
#include "checkpoint_builder.hpp"
#include "error.hpp"
#include "model/gpt2.hpp"
#include "model/random_init.hpp"
#include "train/adamw.hpp"
#include "train/corpus.hpp"
#include "train/train_state.hpp"
#include "train/trainer.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

TrainOptions small_options() {
    TrainOptions o;
    o.steps = 40;
    o.batch = 4;
    o.seq_len = 16;
    o.warmup = 5;
    o.lr = 1e-2f;
    o.min_lr = 1e-3f;
    return o;
}

// A text with obvious structure: a short cycle of tokens, repeated.
std::vector<int> cyclic_tokens(int n) {
    const int cycle[] = {464, 3797, 3332, 319, 262, 2603, 13, 198};
    std::vector<int> t;
    for (int i = 0; i < n; ++i) t.push_back(cycle[i % 8]);
    return t;
}

}  // namespace

TEST_SUITE("train") {

TEST_CASE("the learning rate warms up linearly, then follows a cosine down to min_lr") {
    CHECK(learning_rate(0, 100, 10, 1.0f, 0.1f) == doctest::Approx(0.1));
    CHECK(learning_rate(9, 100, 10, 1.0f, 0.1f) == doctest::Approx(1.0));
    CHECK(learning_rate(10, 100, 10, 1.0f, 0.1f) == doctest::Approx(1.0));
    CHECK(learning_rate(55, 100, 10, 1.0f, 0.1f) == doctest::Approx(0.55));  // half way: (max + min) / 2
    CHECK(learning_rate(100, 100, 10, 1.0f, 0.1f) == doctest::Approx(0.1));
}

TEST_CASE("AdamW's first step moves each weight by lr against the sign of its gradient, plus decay") {
    std::vector<float> p = {1.0f, -2.0f, 0.5f};
    const std::vector<float> g = {0.3f, -4.0f, 0.0f};
    AdamWOptions o;
    o.weight_decay = 0.1f;
    AdamW opt(3, {1, 0, 1}, o);
    opt.step(p, g.data(), 0.01f);
    // bias-corrected m = g and v = g^2, so the update is g / (|g| + eps)
    CHECK(p[0] == doctest::Approx(1.0 - 0.01 * (1.0 + 0.1 * 1.0)));
    CHECK(p[1] == doctest::Approx(-2.0 + 0.01));  // no decay on this one
    CHECK(p[2] == doctest::Approx(0.5 - 0.01 * 0.1 * 0.5));
}

TEST_CASE("each document's last fraction is validation") {
    TokenSplit s;
    add_document(s, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.2);
    add_document(s, {11, 12, 13, 14, 15}, 0.2);
    CHECK(s.train == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14});
    CHECK(s.val == std::vector<int>{9, 10, 15});
    CHECK_THROWS_AS(add_document(s, {1}, 1.0), Error);
}

TEST_CASE("the unigram baseline is the cross-entropy of smoothed training frequencies on validation") {
    TokenSplit s;
    s.train = {0, 0, 0, 1};
    s.val = {0, 1};
    const auto u = unigram_baseline(s, 4);
    // best alpha is among the candidates; check the loss formula for the chosen one
    const double total = 4 + u.alpha * 4;
    const double expected = -(std::log((3 + u.alpha) / total) + std::log((1 + u.alpha) / total)) / 2;
    CHECK(u.val_loss == doctest::Approx(expected));
    CHECK(u.alpha == doctest::Approx(0.0001));  // the least smoothing fits best when val has no unseen token
}

TEST_CASE("training learns a repeated pattern: loss falls by more than 3 nats") {
    const Config c = tiny_config(1, 2, 16, 16, 50257);
    TrainOptions o = small_options();
    Trainer t(c, o);
    const auto tokens = cyclic_tokens(400);
    const double before = t.evaluate(tokens, 4);
    for (int s = 0; s < o.steps; ++s) t.step(tokens);
    const double after = t.evaluate(tokens, 4);
    MESSAGE("loss " << before << " -> " << after);
    CHECK(before - after > 3.0);
}

TEST_CASE("training is deterministic for a seed and a thread count") {
    const Config c = tiny_config(1, 2, 16, 16, 50257);
    TrainOptions o = small_options();
    o.steps = 3;
    o.threads = 2;
    const auto tokens = cyclic_tokens(200);
    Trainer a(c, o), b(c, o);
    for (int s = 0; s < 3; ++s) {
        a.step(tokens);
        b.step(tokens);
    }
    CHECK(a.params() == b.params());
    o.seed = 2;
    Trainer other(c, o);
    for (int s = 0; s < 3; ++s) other.step(tokens);
    CHECK(other.params() != a.params());
}

TEST_CASE("without repeats a window is a slice of the corpus at a start drawn once per window") {
    std::vector<int> tokens(1000);
    for (int i = 0; i < 1000; ++i) tokens[static_cast<std::size_t>(i)] = i;
    Rng rng(7), reference(7);
    for (int k = 0; k < 50; ++k) {
        const auto w = sample_window(tokens, 32, 0.0f, rng);
        const int start = static_cast<int>(reference.below(1000 - 32));
        REQUIRE(w.size() == 32);
        for (int t = 0; t < 32; ++t) CHECK(w[static_cast<std::size_t>(t)] == start + t);
    }
}

TEST_CASE("a repeat window ends with a copy of an earlier span of itself, of 2 to T/2 tokens") {
    std::vector<int> tokens(5000);
    for (int i = 0; i < 5000; ++i) tokens[static_cast<std::size_t>(i)] = i;  // distinct: a copy is visible
    const int T = 64;
    Rng rng(3);
    int repeats = 0, shortest = T, longest = 0;
    const int draws = 4000;
    for (int k = 0; k < draws; ++k) {
        const auto w = sample_window(tokens, T, 0.3f, rng);
        REQUIRE(w.size() == static_cast<std::size_t>(T));
        // the untouched prefix is consecutive; m = the tokens after it
        int prefix = 1;
        while (prefix < T && w[static_cast<std::size_t>(prefix)] == w[0] + prefix) ++prefix;
        const int m = T - prefix;
        if (m == 0) continue;
        ++repeats;
        shortest = std::min(shortest, m);
        longest = std::max(longest, m);
        // the tail is a consecutive run that lies inside the prefix and ends before the tail starts
        const int from = w[static_cast<std::size_t>(prefix)] - w[0];
        CHECK(from >= 0);
        CHECK(from + m <= prefix);
        for (int t = 0; t < m; ++t) CHECK(w[static_cast<std::size_t>(prefix + t)] == w[0] + from + t);
    }
    // every repeat is seen: the copy starts at w[from] with from <= T - 2m < T - m, so it never continues
    // the slice; binomial(4000, 0.3) has mean 1200 and standard deviation 29
    CHECK(repeats > 1200 - 4 * 29);
    CHECK(repeats < 1200 + 4 * 29);
    CHECK(shortest == 2);
    CHECK(longest == T / 2);
}

TEST_CASE("an echo window is (x, y, x) triples of corpus tokens, its first triple cut at a uniform phase") {
    std::vector<int> tokens(5000);
    for (int i = 0; i < 5000; ++i) tokens[static_cast<std::size_t>(i)] = 7 * i + 3;  // distinct, and not 0..n-1
    const int T = 31, draws = 3000;
    Rng rng(11);
    int phases[3] = {0, 0, 0};
    for (int k = 0; k < draws; ++k) {
        const auto w = echo_window(tokens, T, rng);
        REQUIRE(w.size() == static_cast<std::size_t>(T));
        for (int t : w) CHECK((t - 3) % 7 == 0);
        // the phase: the one offset at which every third token repeats the token two before it
        int found = -1, matches = 0;
        for (int phase = 0; phase < 3; ++phase) {
            bool all = true;
            for (int p = 2; p < T; ++p)
                if ((p + phase) % 3 == 2 && w[static_cast<std::size_t>(p)] != w[static_cast<std::size_t>(p - 2)]) all = false;
            if (all) found = phase, ++matches;
        }
        REQUIRE(matches == 1);  // draws from 5,000 distinct tokens almost never mimic another phase
        ++phases[found];
        // the middle of a triple is a fresh draw: it is not the x around it (barring a 1-in-5,000 coincidence)
        int same = 0;
        for (int p = 1; p + 1 < T; ++p)
            if ((p + found) % 3 == 1 && w[static_cast<std::size_t>(p)] == w[static_cast<std::size_t>(p - 1)]) ++same;
        CHECK(same <= 1);
    }
    // binomial(3000, 1/3): mean 1000, standard deviation 26
    for (int n : phases) {
        CHECK(n > 1000 - 4 * 26);
        CHECK(n < 1000 + 4 * 26);
    }
}

TEST_CASE("training on echo windows forms a head that attends to the previous token of any text") {
    const Config c = tiny_config(1, 2, 32, 16, 64);
    TrainOptions o = small_options();
    o.steps = 400;
    o.batch = 8;
    o.echo_fraction = 1.0f;
    std::vector<int> corpus(2000);
    Rng draw(5);
    for (auto& t : corpus) t = static_cast<int>(draw.below(64));
    Trainer t(c, o);
    // a text the model never trained on: tokens in a random order, no triples
    std::vector<int> text(64);
    for (auto& x : text) x = static_cast<int>(draw.below(64));
    const auto before = previous_token_scores(t.model(), text, 16);
    for (int s = 0; s < o.steps; ++s) t.step(corpus);
    const auto after = previous_token_scores(t.model(), text, 16);
    const double best_before = *std::max_element(before.begin(), before.end());
    const double best_after = *std::max_element(after.begin(), after.end());
    MESSAGE("strongest previous-token head " << best_before << " -> " << best_after);
    CHECK(best_before < 0.3);  // about uniform: row i spreads over i + 1 tokens, and the mean of 1/(i + 1) over rows 1..15 is 0.16
    CHECK(best_after > 0.5);
}

TEST_CASE("mimetic init: every layer's W_K starts equal to W_Q, drawn with std mimetic_qk; W_V keeps the usual std") {
    const Config c = tiny_config(2, 2, 32, 16, 64);
    RandomInit init;
    init.mimetic_qk = 0.2f;
    const auto params = random_params(c, init);
    const std::int64_t C = c.n_embd;
    for (int layer = 0; layer < c.n_layer; ++layer) {
        CAPTURE(layer);
        const float* w = params.data() + param_offset(c, "h." + std::to_string(layer) + ".attn.c_attn.weight");
        double qq = 0, vv = 0;
        bool k_is_q = true;
        for (std::int64_t r = 0; r < C; ++r)
            for (std::int64_t j = 0; j < C; ++j) {
                const float q = w[r * 3 * C + j], k = w[r * 3 * C + C + j], v = w[r * 3 * C + 2 * C + j];
                k_is_q = k_is_q && k == q;
                qq += static_cast<double>(q) * q;
                vv += static_cast<double>(v) * v;
            }
        CHECK(k_is_q);
        // a sample std of n = 1024 normal draws is within 4 / sqrt(2 n) = 9% of the true one
        CHECK(std::sqrt(qq / (C * C)) == doctest::Approx(0.2).epsilon(0.09));
        CHECK(std::sqrt(vv / (C * C)) == doctest::Approx(0.02).epsilon(0.09));
    }
}

// Mean attention of each layer-0 head h on the token h + 1 places back, over the rows that have one.
std::vector<double> layer0_offset_scores(const Config& c, const RandomInit& init, const std::vector<int>& text) {
    auto owned = std::make_shared<std::vector<float>>(random_params(c, init));
    const Model m{c, weights_over(c, owned->data(), owned)};
    std::vector<double> score(static_cast<std::size_t>(c.n_head), 0.0);
    ForwardOptions fo;
    fo.keep_logits = KeepLogits::None;
    fo.compute_loss = false;
    fo.observer = [&](const HeadView& v) {
        if (v.layer != 0) return;
        const Eigen::Index back = v.head + 1;
        double s = 0;
        for (Eigen::Index i = back; i < v.probs.rows(); ++i) s += v.probs(i, i - back);
        score[static_cast<std::size_t>(v.head)] = s / static_cast<double>(v.probs.rows() - back);
    };
    forward(m, text, fo);
    return score;
}

TEST_CASE("offset heads: layer 0's head h starts with most of its attention on the token h + 1 places back") {
    const Config c = tiny_config(2, 8, 128, 64, 500);  // the shipped model's head size (16) and width
    std::vector<int> text(64);
    Rng draw(3);
    for (auto& t : text) t = static_cast<int>(draw.below(500));
    RandomInit init;
    init.sinusoidal_positions = 0.1f;
    const auto plain = layer0_offset_scores(c, init, text);
    init.offset_heads = 2.0f;
    const auto offset = layer0_offset_scores(c, init, text);
    for (int h = 0; h < c.n_head; ++h) {
        CAPTURE(h);
        MESSAGE("head " << h << ": " << plain[static_cast<std::size_t>(h)] << " without, " << offset[static_cast<std::size_t>(h)] << " with");
        CHECK(plain[static_cast<std::size_t>(h)] < 0.2);  // near uniform: about 1 / (i + 1) at row i
        CHECK(offset[static_cast<std::size_t>(h)] > 0.5);
    }
}

TEST_CASE("offset heads need sinusoidal positions and an even head size") {
    RandomInit init;
    init.offset_heads = 2.0f;
    CHECK_THROWS_WITH_AS(random_params(tiny_config(1, 2, 32, 16, 64), init), doctest::Contains("sinusoidal positions"), Error);
    init.sinusoidal_positions = 0.1f;
    CHECK_THROWS_WITH_AS(random_params(tiny_config(1, 2, 6, 16, 64), init), doctest::Contains("even head size"), Error);
    CHECK_NOTHROW(random_params(tiny_config(1, 2, 8, 16, 64), init));
}

TEST_CASE("per-token losses average to the forward pass's loss") {
    const Config c = tiny_config(2, 2, 16, 32, 50257);
    const auto params = exact_params(c);
    auto owned = std::make_shared<std::vector<float>>(params);
    const Model m{c, weights_over(c, owned->data(), owned)};
    const std::vector<int> ids = {5, 6, 7, 8, 9, 10, 11};
    const auto losses = token_losses(m, ids);
    REQUIRE(losses.size() == 6);
    double mean = 0;
    for (double l : losses) mean += l / 6;
    CHECK(mean == doctest::Approx(forward(m, ids, {}).loss).epsilon(1e-6));
}

TEST_CASE("previous-token scores are the mean attention on token i - 1, from the captured rows") {
    const Config c = tiny_config(2, 2, 16, 32, 50257);
    auto owned = std::make_shared<std::vector<float>>(exact_params(c));
    const Model m{c, weights_over(c, owned->data(), owned)};
    const std::vector<int> ids = {5, 6, 7, 8, 9, 10, 11, 12};
    const auto scores = previous_token_scores(m, ids, 32);
    ForwardOptions o;
    o.capture_all = true;
    const Trace tr = forward(m, ids, o);
    for (const auto& h : tr.heads) {
        double s = 0;
        for (int i = 1; i < 8; ++i) s += h.probs(i, i - 1);
        CHECK(scores[static_cast<std::size_t>(h.id.layer * 2 + h.id.head)] == doctest::Approx(s / 7));
    }
}

TEST_CASE("the induction test compares the two copies' losses position by position") {
    const Config c = tiny_config(1, 2, 16, 64, 50257);
    auto owned = std::make_shared<std::vector<float>>(exact_params(c));
    const Model m{c, weights_over(c, owned->data(), owned)};
    const auto r = induction_test(m, 10, 2, 7);
    CHECK(r.length == 10);
    CHECK(std::isfinite(r.first_copy_loss));
    CHECK(std::isfinite(r.second_copy_loss));
    CHECK_THROWS_AS(induction_test(m, 40, 1, 7), Error);  // 2 x 40 > n_positions
}

TEST_CASE("the induction test draws its tokens from the pool it is given") {
    const Config c = tiny_config(1, 2, 16, 64, 50257);
    auto owned = std::make_shared<std::vector<float>>(exact_params(c));
    const Model m{c, weights_over(c, owned->data(), owned)};
    // a pool of one token: every trial is that token 2L times, so the copies' losses are known directly
    const int L = 6;
    const auto losses = token_losses(m, std::vector<int>(2 * L, 1234));
    double first = 0, second = 0;
    for (int t = 0; t < L - 1; ++t) first += losses[static_cast<std::size_t>(t)] / (L - 1);
    for (int t = L; t < 2 * L - 1; ++t) second += losses[static_cast<std::size_t>(t)] / (L - 1);
    const auto r = induction_test(m, L, 3, 7, {1234});
    CHECK(r.first_copy_loss == doctest::Approx(first).epsilon(1e-9));
    CHECK(r.second_copy_loss == doctest::Approx(second).epsilon(1e-9));
    CHECK_THROWS_AS(induction_test(m, L, 1, 7, {50257}), Error);
}

TEST_CASE("sinusoidal position init: wpe[t][2i] = a sin(f t / 10000^(2i/C)), wpe[t][2i+1] = a cos(..), f the top frequency") {
    const Config c = tiny_config(1, 2, 8, 16, 64);
    for (const double f : {1.0, 3.0}) {
        CAPTURE(f);
        RandomInit init;
        init.sinusoidal_positions = 0.5f;
        if (f != 1.0) init.sinusoid_top_frequency = static_cast<float>(f);  // the default is Vaswani's f = 1
        const auto params = random_params(c, init);
        const Model m = model_of(c, params);
        MatRM scratch;
        const MatRM wpe = m.weights.wpe.f32(scratch);
        for (int t : {0, 1, 7, 15})
            for (int i = 0; i < 4; ++i) {
                const double angle = f * t / std::pow(10000.0, 2.0 * i / 8);
                CHECK(wpe(t, 2 * i) == doctest::Approx(0.5 * std::sin(angle)).epsilon(1e-6));
                CHECK(wpe(t, 2 * i + 1) == doctest::Approx(0.5 * std::cos(angle)).epsilon(1e-6));
            }
        // the other parameters stay random: wte is not all zero
        CHECK(m.weights.wte.f32(scratch).cwiseAbs().maxCoeff() > 0.0f);
    }
}

TEST_CASE("short steps take windows from anywhere in the context, so every row of wpe trains") {
    const Config c = tiny_config(1, 2, 16, 32, 50257);
    const auto tokens = cyclic_tokens(400);
    const std::size_t wpe_at = param_offset(c, "wpe.weight");
    // rows of wpe at positions >= 8 that one step changed (no weight decay: an untouched row stays put)
    auto rows_moved_past_8 = [&](const TrainOptions& o) {
        Trainer t(c, o);
        const std::vector<float> before = t.params();
        t.step(tokens);
        int moved = 0;
        for (int row = 8; row < c.n_positions; ++row)
            for (int j = 0; j < c.n_embd; ++j) {
                const std::size_t i = wpe_at + static_cast<std::size_t>(row * c.n_embd + j);
                if (t.params()[i] != before[i]) { ++moved; break; }
            }
        return moved;
    };
    TrainOptions plain = small_options();
    plain.adamw.weight_decay = 0;
    plain.seq_len = 8;  // 8-token windows from position 0: rows 8.. never see a gradient
    CHECK(rows_moved_past_8(plain) == 0);
    TrainOptions short_first = plain;
    short_first.seq_len = 32;
    short_first.short_seq_len = 8;  // 4 x 32 / 8 = 16 windows of 8 tokens, anywhere in 0..31
    short_first.short_steps = 1;
    CHECK(rows_moved_past_8(short_first) >= 16);
}

TEST_CASE("short windows must fit the window and divide the tokens per step") {
    const Config c = tiny_config(1, 2, 16, 32, 50257);
    TrainOptions o = small_options();  // batch 4 x 16 tokens
    o.short_steps = 5;
    CHECK_THROWS_AS(Trainer(c, o), Error);  // short steps without a length
    o.short_seq_len = 32;
    CHECK_THROWS_AS(Trainer(c, o), Error);  // longer than the 16-token windows
    o.short_seq_len = 6;
    CHECK_THROWS_AS(Trainer(c, o), Error);  // 64 tokens per step are not whole 6-token windows
    o.short_seq_len = 8;
    CHECK_NOTHROW(Trainer(c, o));
}

TEST_CASE("a trainer restored from another's state continues exactly as the original would") {
    const Config c = tiny_config(1, 2, 16, 16, 50257);
    TrainOptions o = small_options();
    o.steps = 6;
    const auto tokens = cyclic_tokens(300);
    Trainer original(c, o);
    for (int s = 0; s < 3; ++s) original.step(tokens);
    const TrainerState middle = original.state();
    CHECK(middle.step == 3);
    for (int s = 0; s < 3; ++s) original.step(tokens);

    Trainer resumed(c, o);  // a fresh trainer: other parameters, moments and sampler until restored
    resumed.restore(middle);
    CHECK(resumed.steps_taken() == 3);
    for (int s = 0; s < 3; ++s) resumed.step(tokens);
    CHECK(resumed.params() == original.params());
    CHECK(resumed.state().adam_v == original.state().adam_v);
}

TEST_CASE("a trainer state survives its file format bit for bit, and other files are refused") {
    const Config c = tiny_config(1, 2, 16, 16, 50257);
    TrainOptions o = small_options();
    Trainer t(c, o);
    t.step(cyclic_tokens(100));
    const TrainerState s = t.state();
    const auto bytes = encode_trainer_state(s, "{\"any\": 1}");
    const SavedTrainerState back = decode_trainer_state(ByteView{bytes.data(), bytes.size()}, "state.safetensors");
    CHECK(back.options == "{\"any\": 1}");
    CHECK(back.state.params == s.params);
    CHECK(back.state.adam_m == s.adam_m);
    CHECK(back.state.adam_v == s.adam_v);
    CHECK(back.state.step == 1);
    CHECK(back.state.rng == s.rng);
    // a model checkpoint is not a training state
    const auto weights = safetensors_of(c, t.params());
    CHECK_THROWS_WITH_AS(decode_trainer_state(ByteView{weights.data(), weights.size()}, "model.safetensors"),
                         doctest::Contains("no F32 vector params"), Error);
    // a state of another config does not fit
    Trainer other(tiny_config(1, 2, 8, 16, 50257), o);
    CHECK_THROWS_WITH_AS(other.restore(back.state), doctest::Contains("parameters; this config has"), Error);
}

}
