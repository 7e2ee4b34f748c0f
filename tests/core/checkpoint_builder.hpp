// Builds small GPT-2 checkpoints in memory for tests: config + safetensors bytes with chosen dtype,
// name prefix and lm_head, plus the real GPT-2 tokenizer files from the repository.
#pragma once
#include <functional>

#include "helpers.hpp"
#include "io/checkpoint.hpp"
#include "io/checkpoint_writer.hpp"
#include "io/config_json.hpp"
#include "model/random_init.hpp"
#include "model/weights.hpp"

namespace attnlab::test {

inline Config tiny_config(int layers = 2, int heads = 2, int embd = 8, int ctx = 16, int vocab = 50257) {
    Config c;
    c.n_layer = layers;
    c.n_head = heads;
    c.n_embd = embd;
    c.n_positions = ctx;
    c.vocab_size = vocab;
    return c;
}

// A small config of a family beyond GPT-2 (2 layers, 4 heads, 32 channels, MLP width 48): 2 key/value heads for
// Llama and Qwen, Qwen2's q/k/v biases, Qwen3's q/k norm, GPT-NeoX's partial rotary and parallel residual, GPT-Neo's
// local second layer with a 3-key window.
inline Config family_config(Family f, int kv_heads = 2) {
    Config c = tiny_config(2, 4, 32, 24);
    c.n_inner = 48;
    if (f == Family::Llama || f == Family::Qwen2 || f == Family::Qwen3) c.n_kv_head = kv_heads;
    set_family(c, f);
    // tied, as SmolLM2's and Qwen2.5-0.5B's output layers are; GPT-NeoX's stays untied (the loader's other path)
    if (f != Family::GptNeoX) c.tied_head = true;
    if (f == Family::GptNeo) {
        c.window = 3;
        c.local_layers = {false, true};
    }
    c.validate("test");
    return c;
}

// Where the tensor `name` starts in a buffer holding every parameter in param_specs order.
inline std::size_t param_offset(const Config& c, const std::string& name) {
    std::size_t at = 0;
    for (const auto& spec : param_specs(c)) {
        if (spec.name == name) return at;
        at += static_cast<std::size_t>(spec.count());
    }
    FAIL("no parameter " << name);
    return 0;
}

struct BuildOptions {
    DType dtype = DType::F32;
    std::string prefix;
    const std::vector<float>* lm_head = nullptr;  // stored as lm_head.weight when given
    std::vector<TensorToWrite> extra;
    std::function<void(std::vector<TensorToWrite>&)> tamper;
};

inline std::vector<std::uint8_t> safetensors_of(const Config& c, const std::vector<float>& params, const BuildOptions& o = {}) {
    std::vector<TensorToWrite> ts = weight_tensors(c, params.data(), WeightsLayout{o.dtype, o.prefix, o.lm_head});
    for (const auto& e : o.extra) ts.push_back(e);
    if (o.tamper) o.tamper(ts);
    return write_safetensors(ts);
}

inline std::vector<NamedBuffer> checkpoint_files(const Config& c, const std::vector<float>& params, const BuildOptions& o = {}) {
    return {{"config.json", bytes_of(config_to_json(c))},
            {"model.safetensors", bytes_of(safetensors_of(c, params, o))},
            {"vocab.json", bytes_of(read_repo_file("models/gpt2-tokenizer/vocab.json"))},
            {"merges.txt", bytes_of(read_repo_file("models/gpt2-tokenizer/merges.txt"))}};
}

// A model over a parameter block it owns (param_specs order, lm_head tied).
inline Model model_of(const Config& c, std::vector<float> params) {
    auto owned = std::make_shared<std::vector<float>>(std::move(params));
    return Model{c, weights_over(c, owned->data(), owned)};
}

// A model with random weights large enough (std) for its heads to differ from uniform.
inline Model random_model(const Config& c, float std = 0.4f) {
    RandomInit init;
    init.std = std;
    return model_of(c, random_params(c, init));
}

// n token ids spread over the vocabulary.
inline std::vector<int> spread_ids(int n, int stride = 7919, int offset = 1) {
    std::vector<int> ids;
    for (int i = 0; i < n; ++i) ids.push_back((i * stride + offset) % 50257);
    return ids;
}

// Parameters that are exact in F16 and BF16 (multiples of 1/64 below 2), so dtype round trips are lossless.
inline std::vector<float> exact_params(const Config& c, std::uint64_t seed = 3) {
    RandomInit init;
    init.seed = seed;
    init.std = 0.3f;
    init.jitter = 0.2f;
    auto p = random_params(c, init);
    for (auto& v : p) v = std::round(std::max(-1.9f, std::min(1.9f, v)) * 64.0f) / 64.0f;
    return p;
}

}  // namespace attnlab::test
