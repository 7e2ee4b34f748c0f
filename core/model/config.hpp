// GPT-2 hyper-parameters (io/config_json.hpp reads and writes them as a Hugging Face config.json).
#pragma once
#include <string>

namespace attnlab {

enum class Activation { GeluNew, GeluExact, Relu };

struct Config {
    int n_layer = 0;
    int n_head = 0;
    int n_embd = 0;       // C
    int n_positions = 0;  // context length
    int vocab_size = 0;   // V
    float layer_norm_epsilon = 1e-5f;
    Activation activation = Activation::GeluNew;
    bool scale_attn_weights = true;               // divide scores by sqrt(head_dim)
    bool scale_attn_by_inverse_layer_idx = false;  // and by (layer + 1)

    int head_dim() const { return n_embd / n_head; }
    // The factor in scores = q k^T * scale for a layer: 1/sqrt(head_dim), and 1/(layer + 1) if asked.
    float attention_scale(int layer) const;
    // Checks ranges and divisibility; throws Error naming `where` and the field.
    void validate(const std::string& where) const;
};

// Limits that keep a hostile config from asking for absurd allocations.
struct ConfigLimits {
    int max_layers = 512;
    int max_heads = 1024;
    int max_embd = 65536;
    int max_positions = 1 << 20;
    int max_vocab = 1 << 22;
};

const char* activation_name(Activation activation);

}  // namespace attnlab
