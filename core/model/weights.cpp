#include "model/weights.hpp"

#include "util/float16.hpp"
#include "util/parallel.hpp"

namespace attnlab {

MapRM Tensor2::rows_f32(int first, int count, MatRM& scratch) const {
    assert(first >= 0 && count >= 0 && first + count <= rows);
    if (data) return MapRM(data + static_cast<std::ptrdiff_t>(first) * cols, count, cols);
    scratch.resize(count, cols);
    // blocks of 64 rows on parallel.hpp's threads (a conversion: the same bits however it is split)
    parallel_blocks(count, 64, [&](int r0, int n) {
        f16_to_float_n(half + static_cast<std::ptrdiff_t>(first + r0) * cols, static_cast<std::size_t>(n) * cols,
                       scratch.data() + static_cast<std::ptrdiff_t>(r0) * cols);
    });
    return MapRM(scratch.data(), count, cols);
}

std::int64_t ParamSpec::count() const { return attnlab::element_count(shape); }

std::vector<std::int64_t> ParamSpec::part_shape(std::size_t k) const {
    std::vector<std::int64_t> s = shape;
    s[0] = parts[k].second;
    return s;
}

namespace {

// Appends ParamSpecs whose views go to the slots the lambdas name.
class SpecList {
public:
    explicit SpecList(std::vector<ParamSpec>& specs) : specs_(specs) {}

    // A matrix (r, k); out_in: nn.Linear's (out, in).
    void mat(std::string name, std::int64_t r, std::int64_t k, bool out_in, std::function<Tensor2&(Weights&)> slot,
             ParamRole role = ParamRole::Matrix) {
        specs_.push_back({std::move(name), {r, k},
                          [slot, r, k, out_in](Weights& w, const float* p) {
                              slot(w) = Tensor2{p, static_cast<int>(r), static_cast<int>(k), nullptr, out_in};
                          },
                          [slot, r, k, out_in](Weights& w, const std::uint16_t* p) {
                              slot(w) = Tensor2{nullptr, static_cast<int>(r), static_cast<int>(k), p, out_in};
                          },
                          role, {}, layer});
    }
    void vec(std::string name, std::int64_t n, std::function<Tensor1&(Weights&)> slot, ParamRole role) {
        specs_.push_back({std::move(name), {n}, [slot, n](Weights& w, const float* p) { slot(w) = Tensor1{p, static_cast<int>(n)}; },
                          nullptr, role, {}, layer});
    }
    // The last spec stacks these tensors of the file (name, rows).
    void stacked(std::vector<std::pair<std::string, std::int64_t>> parts) { specs_.back().parts = std::move(parts); }

    int layer = -1;  // given to the specs that follow

private:
    std::vector<ParamSpec>& specs_;
};

using LayerSlot = std::function<LayerWeights&(Weights&)>;
template <class M>
std::function<Tensor2&(Weights&)> mslot(LayerSlot L, M member) {
    return [L, member](Weights& w) -> Tensor2& { return L(w).*member; };
}
template <class M>
std::function<Tensor1&(Weights&)> vslot(LayerSlot L, M member) {
    return [L, member](Weights& w) -> Tensor1& { return L(w).*member; };
}

void gpt2_specs(const Config& c, SpecList& s) {
    const std::int64_t C = c.n_embd, V = c.vocab_size, P = c.n_positions, I = c.mlp_width();
    s.mat("wte.weight", V, C, false, [](Weights& w) -> Tensor2& { return w.wte; });
    s.mat("wpe.weight", P, C, false, [](Weights& w) -> Tensor2& { return w.wpe; });
    for (int l = 0; l < c.n_layer; ++l) {
        s.layer = l;
        const std::string h = "h." + std::to_string(l) + ".";
        LayerSlot L = [l](Weights& w) -> LayerWeights& { return w.layers[l]; };
        s.vec(h + "ln_1.weight", C, vslot(L, &LayerWeights::ln_1_w), ParamRole::Gain);
        s.vec(h + "ln_1.bias", C, vslot(L, &LayerWeights::ln_1_b), ParamRole::Bias);
        s.mat(h + "attn.c_attn.weight", C, 3 * C, false, mslot(L, &LayerWeights::attn_w));
        s.vec(h + "attn.c_attn.bias", 3 * C, vslot(L, &LayerWeights::attn_b), ParamRole::Bias);
        s.mat(h + "attn.c_proj.weight", C, C, false, mslot(L, &LayerWeights::attn_proj_w), ParamRole::ResidualMatrix);
        s.vec(h + "attn.c_proj.bias", C, vslot(L, &LayerWeights::attn_proj_b), ParamRole::Bias);
        s.vec(h + "ln_2.weight", C, vslot(L, &LayerWeights::ln_2_w), ParamRole::Gain);
        s.vec(h + "ln_2.bias", C, vslot(L, &LayerWeights::ln_2_b), ParamRole::Bias);
        s.mat(h + "mlp.c_fc.weight", C, I, false, mslot(L, &LayerWeights::fc_w));
        s.vec(h + "mlp.c_fc.bias", I, vslot(L, &LayerWeights::fc_b), ParamRole::Bias);
        s.mat(h + "mlp.c_proj.weight", I, C, false, mslot(L, &LayerWeights::mlp_proj_w), ParamRole::ResidualMatrix);
        s.vec(h + "mlp.c_proj.bias", C, vslot(L, &LayerWeights::mlp_proj_b), ParamRole::Bias);
    }
    s.layer = -1;
    s.vec("ln_f.weight", C, [](Weights& w) -> Tensor1& { return w.ln_f_w; }, ParamRole::Gain);
    s.vec("ln_f.bias", C, [](Weights& w) -> Tensor1& { return w.ln_f_b; }, ParamRole::Bias);
}

// The Hugging Face names of one family's tensors.
struct Names {
    std::string embed, positions, layer, final_norm;
    std::string ln_1, ln_2;                   // under the layer
    std::string q, k, v, qkv, out;            // projections (q, k, v separate, or qkv fused)
    std::string q_norm, k_norm;
    std::string gate, up, down;               // the MLP (gate empty: not gated)
};

Names names_of(Family f) {
    switch (f) {
        case Family::Llama:
        case Family::Qwen2:
        case Family::Qwen3:
            return {"model.embed_tokens", "", "model.layers.", "model.norm", "input_layernorm", "post_attention_layernorm",
                    "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "", "self_attn.o_proj",
                    "self_attn.q_norm", "self_attn.k_norm", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"};
        case Family::GptNeoX:
            return {"gpt_neox.embed_in", "", "gpt_neox.layers.", "gpt_neox.final_layer_norm", "input_layernorm",
                    "post_attention_layernorm", "", "", "", "attention.query_key_value", "attention.dense", "", "", "",
                    "mlp.dense_h_to_4h", "mlp.dense_4h_to_h"};
        case Family::GptNeo:
            return {"transformer.wte", "transformer.wpe", "transformer.h.", "transformer.ln_f", "ln_1", "ln_2",
                    "attn.attention.q_proj", "attn.attention.k_proj", "attn.attention.v_proj", "",
                    "attn.attention.out_proj", "", "", "", "mlp.c_fc", "mlp.c_proj"};
        case Family::Gpt2: break;
    }
    return {};
}

// Llama, Qwen2/3, GPT-NeoX and GPT-Neo: nn.Linear matrices, names as Hugging Face writes them.
void linear_family_specs(const Config& c, SpecList& s) {
    const Names n = names_of(c.family);
    const std::int64_t C = c.n_embd, V = c.vocab_size, P = c.n_positions, I = c.mlp_width(), Q = c.qkv_width(),
                       QW = c.q_width(), KW = c.kv_width(), hd = c.head_dim();
    const bool layer_norm = c.norm == Norm::Layer;
    s.mat(n.embed + ".weight", V, C, false, [](Weights& w) -> Tensor2& { return w.wte; });
    if (c.learned_positions) s.mat(n.positions + ".weight", P, C, false, [](Weights& w) -> Tensor2& { return w.wpe; });
    for (int l = 0; l < c.n_layer; ++l) {
        s.layer = l;
        const std::string h = n.layer + std::to_string(l) + ".";
        LayerSlot L = [l](Weights& w) -> LayerWeights& { return w.layers[l]; };
        auto norm = [&](const std::string& name, Tensor1 LayerWeights::*gain, Tensor1 LayerWeights::*shift) {
            s.vec(h + name + ".weight", C, vslot(L, gain), ParamRole::Gain);
            if (layer_norm) s.vec(h + name + ".bias", C, vslot(L, shift), ParamRole::Bias);
        };
        norm(n.ln_1, &LayerWeights::ln_1_w, &LayerWeights::ln_1_b);
        if (!n.qkv.empty()) {
            s.mat(h + n.qkv + ".weight", Q, C, true, mslot(L, &LayerWeights::attn_w));
            if (c.qkv_bias) s.vec(h + n.qkv + ".bias", Q, vslot(L, &LayerWeights::attn_b), ParamRole::Bias);
        } else {
            s.mat(h + "qkv.weight", Q, C, true, mslot(L, &LayerWeights::attn_w));
            s.stacked({{h + n.q + ".weight", QW}, {h + n.k + ".weight", KW}, {h + n.v + ".weight", KW}});
            if (c.qkv_bias) {
                s.vec(h + "qkv.bias", Q, vslot(L, &LayerWeights::attn_b), ParamRole::Bias);
                s.stacked({{h + n.q + ".bias", QW}, {h + n.k + ".bias", KW}, {h + n.v + ".bias", KW}});
            }
        }
        if (c.qk_norm) {
            s.vec(h + n.q_norm + ".weight", hd, vslot(L, &LayerWeights::q_norm_w), ParamRole::Gain);
            s.vec(h + n.k_norm + ".weight", hd, vslot(L, &LayerWeights::k_norm_w), ParamRole::Gain);
        }
        s.mat(h + n.out + ".weight", C, QW, true, mslot(L, &LayerWeights::attn_proj_w), ParamRole::ResidualMatrix);
        if (c.proj_bias) s.vec(h + n.out + ".bias", C, vslot(L, &LayerWeights::attn_proj_b), ParamRole::Bias);
        norm(n.ln_2, &LayerWeights::ln_2_w, &LayerWeights::ln_2_b);
        if (c.gated_mlp) {
            s.mat(h + "mlp.gate_up.weight", 2 * I, C, true, mslot(L, &LayerWeights::fc_w));
            s.stacked({{h + n.gate + ".weight", I}, {h + n.up + ".weight", I}});
            if (c.mlp_bias) {
                s.vec(h + "mlp.gate_up.bias", 2 * I, vslot(L, &LayerWeights::fc_b), ParamRole::Bias);
                s.stacked({{h + n.gate + ".bias", I}, {h + n.up + ".bias", I}});
            }
        } else {
            s.mat(h + n.up + ".weight", I, C, true, mslot(L, &LayerWeights::fc_w));
            if (c.mlp_bias) s.vec(h + n.up + ".bias", I, vslot(L, &LayerWeights::fc_b), ParamRole::Bias);
        }
        s.mat(h + n.down + ".weight", C, I, true, mslot(L, &LayerWeights::mlp_proj_w), ParamRole::ResidualMatrix);
        if (c.mlp_bias) s.vec(h + n.down + ".bias", C, vslot(L, &LayerWeights::mlp_proj_b), ParamRole::Bias);
    }
    s.layer = -1;
    s.vec(n.final_norm + ".weight", C, [](Weights& w) -> Tensor1& { return w.ln_f_w; }, ParamRole::Gain);
    if (layer_norm) s.vec(n.final_norm + ".bias", C, [](Weights& w) -> Tensor1& { return w.ln_f_b; }, ParamRole::Bias);
}

}  // namespace

std::vector<ParamSpec> param_specs(const Config& c) {
    std::vector<ParamSpec> specs;
    SpecList list(specs);
    if (c.family == Family::Gpt2) gpt2_specs(c, list);
    else linear_family_specs(c, list);
    return specs;
}

ParamSpec lm_head_spec(const Config& c) {
    const int V = c.vocab_size, C = c.n_embd;
    const std::string name = c.family == Family::GptNeoX ? "embed_out.weight" : "lm_head.weight";
    return {name, {V, C}, [V, C](Weights& w, const float* p) { w.lm_head = Tensor2{p, V, C}; },
            [V, C](Weights& w, const std::uint16_t* p) { w.lm_head = Tensor2{nullptr, V, C, p}; }, ParamRole::Matrix, {}};
}

std::int64_t param_count(const Config& config) {
    std::int64_t n = 0;
    for (const auto& s : param_specs(config)) n += s.count();
    return n;
}

Weights weights_over(const Config& config, const float* params, std::shared_ptr<const void> owner) {
    Weights w;
    w.layers.resize(config.n_layer);
    for (const auto& spec : param_specs(config)) {
        spec.bind(w, params);
        params += spec.count();
    }
    w.lm_head = w.wte;
    w.tied_lm_head = true;
    if (owner) w.storage.push_back(std::move(owner));
    return w;
}

}  // namespace attnlab
