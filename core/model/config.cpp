#include "model/config.hpp"

#include <cmath>

#include "error.hpp"

namespace attnlab {

const char* activation_name(Activation a) {
    switch (a) {
        case Activation::GeluNew: return "gelu_new";
        case Activation::GeluExact: return "gelu";
        case Activation::Relu: return "relu";
    }
    return "?";
}

float Config::attention_scale(int layer) const {
    float scale = scale_attn_weights ? 1.0f / std::sqrt(static_cast<float>(head_dim())) : 1.0f;
    if (scale_attn_by_inverse_layer_idx) scale /= static_cast<float>(layer + 1);
    return scale;
}

void Config::validate(const std::string& where) const {
    const ConfigLimits lim;
    auto check = [&](int v, int max, const char* name) {
        if (v <= 0 || v > max)
            throw Error(where + ": " + name + " = " + std::to_string(v) + " is outside 1.." + std::to_string(max));
    };
    check(n_layer, lim.max_layers, "n_layer");
    check(n_head, lim.max_heads, "n_head");
    check(n_embd, lim.max_embd, "n_embd");
    check(n_positions, lim.max_positions, "n_positions");
    check(vocab_size, lim.max_vocab, "vocab_size");
    if (n_embd % n_head != 0)
        throw Error(where + ": n_embd = " + std::to_string(n_embd) + " is not divisible by n_head = " +
                    std::to_string(n_head));
    if (!(layer_norm_epsilon > 0.0f) || layer_norm_epsilon > 1.0f)
        throw Error(where + ": layer_norm_epsilon must be in (0, 1]");
}

}  // namespace attnlab
