#include "model/config.hpp"

#include <cmath>

#include "error.hpp"

namespace attnlab {

const char* activation_name(Activation a) {
    switch (a) {
        case Activation::GeluNew: return "gelu_new";
        case Activation::GeluExact: return "gelu";
        case Activation::Relu: return "relu";
        case Activation::Silu: return "silu";
    }
    return "?";
}

const char* family_name(Family f) {
    switch (f) {
        case Family::Gpt2: return "GPT-2";
        case Family::Llama: return "Llama";
        case Family::Qwen2: return "Qwen2";
        case Family::Qwen3: return "Qwen3";
        case Family::GptNeoX: return "GPT-NeoX";
        case Family::GptNeo: return "GPT-Neo";
    }
    return "?";
}

const char* architecture_name(Family f) {
    switch (f) {
        case Family::Gpt2: return "GPT2LMHeadModel";
        case Family::Llama: return "LlamaForCausalLM";
        case Family::Qwen2: return "Qwen2ForCausalLM";
        case Family::Qwen3: return "Qwen3ForCausalLM";
        case Family::GptNeoX: return "GPTNeoXForCausalLM";
        case Family::GptNeo: return "GPTNeoForCausalLM";
    }
    return "?";
}

void set_family(Config& c, Family f) {
    c.family = f;
    switch (f) {
        case Family::Gpt2: break;
        case Family::Llama:
        case Family::Qwen2:
        case Family::Qwen3:
            c.norm = Norm::Rms;
            c.layer_norm_epsilon = 1e-6f;
            c.activation = Activation::Silu;
            c.gated_mlp = true;
            c.learned_positions = false;
            c.rotary_dim = c.head_dim();
            c.qkv_bias = f == Family::Qwen2;  // Qwen2's q, k and v projections have biases, its output projection none
            c.proj_bias = c.mlp_bias = false;
            c.qk_norm = f == Family::Qwen3;
            c.tied_head = false;
            break;
        case Family::GptNeoX:
            c.activation = Activation::GeluExact;
            c.learned_positions = false;
            c.rotary_dim = static_cast<int>(c.head_dim() * 0.25);  // rotary_pct 0.25, truncated as the reference does
            c.parallel_residual = true;
            c.tied_head = false;  // Pythia's embed_out is its own
            break;
        case Family::GptNeo:
            c.scale_attn_weights = false;  // GPT-Neo's scores are q k^T, not divided by sqrt(head_dim)
            c.qkv_bias = false;
            break;
    }
}

int Config::q_column(int h) const {
    return family == Family::GptNeoX ? 3 * h * head_dim() : h * head_dim();
}
int Config::k_column(int h) const {
    return family == Family::GptNeoX ? 3 * h * head_dim() + head_dim() : q_width() + kv_head_of(h) * head_dim();
}
int Config::v_column(int h) const {
    return family == Family::GptNeoX ? 3 * h * head_dim() + 2 * head_dim() : q_width() + kv_width() + kv_head_of(h) * head_dim();
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
    if (head_size == 0 && n_embd % n_head != 0)
        throw Error(where + ": n_embd = " + std::to_string(n_embd) + " is not divisible by n_head = " +
                    std::to_string(n_head));
    if (head_size < 0 || head_size > lim.max_embd) throw Error(where + ": head_dim = " + std::to_string(head_size) + " is out of range");
    if (n_kv_head < 0 || n_kv_head > n_head || n_head % kv_heads() != 0)
        throw Error(where + ": num_key_value_heads = " + std::to_string(n_kv_head) + " must divide num_attention_heads = " +
                    std::to_string(n_head));
    if (n_inner < 0 || n_inner > 16 * lim.max_embd) throw Error(where + ": intermediate_size = " + std::to_string(n_inner) + " is out of range");
    if (static_cast<long long>(qkv_width()) > 3LL * lim.max_embd) throw Error(where + ": heads x head_dim is too large");
    if (rotary_dim < 0 || rotary_dim > head_dim() || rotary_dim % 2 != 0)
        throw Error(where + ": the rotary dimensions (" + std::to_string(rotary_dim) + ") must be even and at most head_dim = " +
                    std::to_string(head_dim()));
    if (!learned_positions && rotary_dim == 0) throw Error(where + ": a model without learned positions needs rotary positions");
    if (!(rope_theta > 1.0) || !std::isfinite(rope_theta)) throw Error(where + ": rope_theta must be a number above 1");
    if (!local_layers.empty() && static_cast<int>(local_layers.size()) != n_layer)
        throw Error(where + ": attention_layers lists " + std::to_string(local_layers.size()) + " layers; the model has " +
                    std::to_string(n_layer));
    if (!local_layers.empty() && (window < 1 || window > lim.max_positions))
        throw Error(where + ": window_size = " + std::to_string(window) + " is outside 1.." + std::to_string(lim.max_positions));
    if (!(layer_norm_epsilon > 0.0f) || layer_norm_epsilon > 1.0f)
        throw Error(where + ": layer_norm_epsilon must be in (0, 1]");
}

}  // namespace attnlab
