#include "model/weights.hpp"

#include "util/float16.hpp"

namespace attnlab {

MapRM Tensor2::rows_f32(int first, int count, MatRM& scratch) const {
    assert(first >= 0 && count >= 0 && first + count <= rows);
    if (data) return MapRM(data + static_cast<std::ptrdiff_t>(first) * cols, count, cols);
    scratch.resize(count, cols);
    f16_to_float_n(half + static_cast<std::ptrdiff_t>(first) * cols, static_cast<std::size_t>(count) * cols, scratch.data());
    return MapRM(scratch.data(), count, cols);
}

std::int64_t ParamSpec::count() const { return attnlab::element_count(shape); }

std::vector<ParamSpec> param_specs(const Config& c) {
    const std::int64_t C = c.n_embd, V = c.vocab_size, P = c.n_positions;
    std::vector<ParamSpec> specs;
    auto mat = [&](std::string name, std::int64_t r, std::int64_t k, std::function<Tensor2&(Weights&)> slot) {
        specs.push_back({std::move(name), {r, k},
                         [slot, r, k](Weights& w, const float* p) { slot(w) = Tensor2{p, static_cast<int>(r), static_cast<int>(k)}; },
                         [slot, r, k](Weights& w, const std::uint16_t* p) {
                             slot(w) = Tensor2{nullptr, static_cast<int>(r), static_cast<int>(k), p};
                         }});
    };
    auto vec = [&](std::string name, std::int64_t n, std::function<Tensor1&(Weights&)> slot) {
        specs.push_back({std::move(name), {n}, [slot, n](Weights& w, const float* p) {
                             slot(w) = Tensor1{p, static_cast<int>(n)};
                         }, nullptr});
    };
    mat("wte.weight", V, C, [](Weights& w) -> Tensor2& { return w.wte; });
    mat("wpe.weight", P, C, [](Weights& w) -> Tensor2& { return w.wpe; });
    for (int l = 0; l < c.n_layer; ++l) {
        const std::string h = "h." + std::to_string(l) + ".";
        auto L = [l](Weights& w) -> LayerWeights& { return w.layers[l]; };
        vec(h + "ln_1.weight", C, [L](Weights& w) -> Tensor1& { return L(w).ln_1_w; });
        vec(h + "ln_1.bias", C, [L](Weights& w) -> Tensor1& { return L(w).ln_1_b; });
        mat(h + "attn.c_attn.weight", C, 3 * C, [L](Weights& w) -> Tensor2& { return L(w).attn_w; });
        vec(h + "attn.c_attn.bias", 3 * C, [L](Weights& w) -> Tensor1& { return L(w).attn_b; });
        mat(h + "attn.c_proj.weight", C, C, [L](Weights& w) -> Tensor2& { return L(w).attn_proj_w; });
        vec(h + "attn.c_proj.bias", C, [L](Weights& w) -> Tensor1& { return L(w).attn_proj_b; });
        vec(h + "ln_2.weight", C, [L](Weights& w) -> Tensor1& { return L(w).ln_2_w; });
        vec(h + "ln_2.bias", C, [L](Weights& w) -> Tensor1& { return L(w).ln_2_b; });
        mat(h + "mlp.c_fc.weight", C, 4 * C, [L](Weights& w) -> Tensor2& { return L(w).fc_w; });
        vec(h + "mlp.c_fc.bias", 4 * C, [L](Weights& w) -> Tensor1& { return L(w).fc_b; });
        mat(h + "mlp.c_proj.weight", 4 * C, C, [L](Weights& w) -> Tensor2& { return L(w).mlp_proj_w; });
        vec(h + "mlp.c_proj.bias", C, [L](Weights& w) -> Tensor1& { return L(w).mlp_proj_b; });
    }
    vec("ln_f.weight", C, [](Weights& w) -> Tensor1& { return w.ln_f_w; });
    vec("ln_f.bias", C, [](Weights& w) -> Tensor1& { return w.ln_f_b; });
    return specs;
}

ParamSpec lm_head_spec(const Config& c) {
    const int V = c.vocab_size, C = c.n_embd;
    return {"lm_head.weight", {V, C}, [V, C](Weights& w, const float* p) { w.lm_head = Tensor2{p, V, C}; },
            [V, C](Weights& w, const std::uint16_t* p) { w.lm_head = Tensor2{nullptr, V, C, p}; }};
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
