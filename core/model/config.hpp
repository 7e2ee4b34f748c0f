// A checkpoint's hyper-parameters (io/config_json.hpp reads and writes them as a Hugging Face config.json), for
// the decoder families attnlab runs. GPT-2 is the default; the other families differ in the fields below:
//   Llama (SmolLM2, TinyLlama): RMSNorm, rotary positions, SwiGLU MLP, grouped-query attention, no biases
//   Qwen2: Llama with q, k and v biases; Qwen3: Llama with an RMSNorm of each head's q and k before the rotation
//   GPT-NeoX (Pythia): fused q|k|v rows per head, partial rotary, parallel residual, exact GELU, untied head
//   GPT-Neo (TinyStories): learned positions, unscaled scores, alternating global and local (windowed) layers
#pragma once
#include <string>
#include <vector>

namespace attnlab {

enum class Family { Gpt2, Llama, Qwen2, Qwen3, GptNeoX, GptNeo };
enum class Activation { GeluNew, GeluExact, Relu, Silu };
enum class Norm { Layer, Rms };

// The first key row i sees when it sees only the last `window` keys (0: every key j <= i).
inline int first_key_in(int window, int i) { return window > 0 && i + 1 > window ? i + 1 - window : 0; }

struct Config {
    Family family = Family::Gpt2;
    int n_layer = 0;
    int n_head = 0;
    int n_embd = 0;       // C
    int n_positions = 0;  // context length
    int vocab_size = 0;   // V
    float layer_norm_epsilon = 1e-5f;
    Activation activation = Activation::GeluNew;
    bool scale_attn_weights = true;               // divide scores by sqrt(head_dim)
    bool scale_attn_by_inverse_layer_idx = false;  // and by (layer + 1)

    // The families beyond GPT-2 (GPT-2's values are the defaults)
    int n_kv_head = 0;         // heads of keys and values (grouped-query attention); 0: n_head
    int head_size = 0;         // 0: n_embd / n_head (Qwen3 gives it)
    int n_inner = 0;           // the MLP's width; 0: 4 n_embd
    Norm norm = Norm::Layer;
    bool gated_mlp = false;    // down(act(x W_gate) * (x W_up)) instead of act(x W_fc) W_proj
    bool learned_positions = true;  // wpe; false: rotary positions
    int rotary_dim = 0;        // rotary positions on the first rotary_dim dimensions of each head's q and k
    double rope_theta = 10000.0;
    bool parallel_residual = false;  // x + attn(ln_1 x) + mlp(ln_2 x)
    bool qkv_bias = true, proj_bias = true, mlp_bias = true;
    bool qk_norm = false;      // RMSNorm of each head's q and k (over head_dim) before the rotation
    bool tied_head = true;     // the output layer is wte
    std::vector<bool> local_layers;  // GPT-Neo: layers whose rows see only the last `window` keys
    int window = 0;

    int head_dim() const { return head_size > 0 ? head_size : n_embd / n_head; }
    int kv_heads() const { return n_kv_head > 0 ? n_kv_head : n_head; }
    int q_width() const { return n_head * head_dim(); }
    int kv_width() const { return kv_heads() * head_dim(); }
    int qkv_width() const { return q_width() + 2 * kv_width(); }
    int mlp_width() const { return n_inner > 0 ? n_inner : 4 * n_embd; }
    // The key/value head a query head reads (grouped-query attention: n_head / kv_heads query heads share one).
    int kv_head_of(int head) const { return head / (n_head / kv_heads()); }
    // Where head h's q, k and v sit in a row of the fused projection (qkv_width columns): [q | k | v] with every
    // head's block inside (GPT-2, Llama), or [q k v] per head (GPT-NeoX).
    int q_column(int head) const;
    int k_column(int head) const;
    int v_column(int head) const;
    // The keys a row of this layer may attend to: the last window_of(layer) (a local layer), or all (0).
    int window_of(int layer) const {
        return !local_layers.empty() && local_layers[static_cast<std::size_t>(layer)] ? window : 0;
    }
    // The keys row i may attend to: j in [first_key(layer, i), i].
    int first_key(int layer, int i) const { return first_key_in(window_of(layer), i); }
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

// Gives c a family's structure, as Hugging Face's config class defaults it, over the shape already set (n_embd,
// n_head, head_size: a rotary family's rotary dimensions follow head_dim): the norm and its epsilon, the positions,
// the MLP and activation, the biases, the residual, the output layer's tie. A config file, make-random and the
// benchmarks then set what differs from the defaults.
void set_family(Config& c, Family family);

const char* activation_name(Activation activation);
// "GPT-2", "Llama", "Qwen2", "Qwen3", "GPT-NeoX", "GPT-Neo"
const char* family_name(Family family);
// The Hugging Face architecture class: "GPT2LMHeadModel", "LlamaForCausalLM", ...
const char* architecture_name(Family family);

}  // namespace attnlab
