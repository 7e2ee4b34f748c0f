// The forward pass's weight matrices packed once for the native GEMM kernel (model/packed_weights.hpp): the same bits
// as the matrices themselves, in every family, on any number of threads; F16 storage stays as it is.
#include <doctest/doctest.h>

#include "checkpoint_builder.hpp"
#include "model/gpt2.hpp"
#include "model/packed_weights.hpp"
#include "util/gemm.hpp"
#include "util/parallel.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {
// Every row's logits and the loss of `m` on 40 tokens (three 12-row blocks of the AVX-512 kernel and a tail).
Trace all_logits(const Model& m) {
    ForwardOptions fo;
    fo.keep_logits = KeepLogits::All;
    return forward(m, spread_ids(40), fo);
}
}  // namespace

TEST_CASE("the forward pass on packed weights gives the unpacked pass's bits in every family, on 1 and 2 threads") {
    for (const Family f : {Family::Gpt2, Family::Llama, Family::Qwen2, Family::Qwen3, Family::GptNeoX, Family::GptNeo}) {
        CAPTURE(family_name(f));
        Config c = f == Family::Gpt2 ? tiny_config(2, 4, 32, 48) : family_config(f);
        c.n_positions = 48;
        const Model plain = random_model(c);
        Model packed = plain;
        pack_for_gemm(packed.weights);
        const bool packs = gemm_packed_width() > 0;
        CHECK((packed.weights.layers[1].fc_w.panels != nullptr) == packs);
        CHECK((packed.weights.lm_head.panels != nullptr) == packs);
        CHECK(plain.weights.lm_head.panels == nullptr);
        for (const int threads : {1, 2}) {
            set_compute_threads(threads);
            const Trace a = all_logits(plain), b = all_logits(packed);
            CHECK(a.logits.rows() == 40);
            CHECK(a.logits == b.logits);
            CHECK(a.loss == b.loss);
        }
        set_compute_threads(1);
    }
}

TEST_CASE("weights kept as F16 are left unpacked, and their forward pass is unchanged") {
    Config c = family_config(Family::Llama);
    c.n_positions = 48;
    RandomInit init;
    init.std = 0.3f;
    LoadOptions half;
    half.storage = WeightStorage::F16;
    Checkpoint ck = load_checkpoint(checkpoint_files(c, random_params(c, init)), half);
    const Trace before = all_logits(ck.model);
    pack_for_gemm(ck.model.weights);
    CHECK(ck.model.weights.layers[0].attn_w.panels == nullptr);
    CHECK(ck.model.weights.lm_head.panels == nullptr);
    CHECK(all_logits(ck.model).logits == before.logits);
}
