// GPT-2 weights as read-only views over float buffers that something else owns (a mapped file, a
// converted F16 arena, a trainer's parameter block). Shapes follow the Hugging Face Conv1D layout:
//   C = n_embd, V = vocab_size, P = n_positions
//   wte (V, C)  wpe (P, C)  lm_head (V, C) (often the same buffer as wte)
//   per layer: ln_1 (C)  c_attn (C, 3C) + (3C)  attn c_proj (C, C) + (C)  ln_2 (C)
//              c_fc (C, 4C) + (4C)  mlp c_proj (4C, C) + (C)
//   ln_f (C)
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/config.hpp"
#include "tensor.hpp"

namespace attnlab {

struct Tensor2 {
    const float* data = nullptr;
    int rows = 0, cols = 0;
    MapRM map() const { return MapRM(data, rows, cols); }
};

struct Tensor1 {
    const float* data = nullptr;
    int size = 0;
    MapRowVec map() const { return MapRowVec(data, size); }
};

struct LayerWeights {
    Tensor1 ln_1_w, ln_1_b;
    Tensor2 attn_w;  // (C, 3C)
    Tensor1 attn_b;
    Tensor2 attn_proj_w;  // (C, C)
    Tensor1 attn_proj_b;
    Tensor1 ln_2_w, ln_2_b;
    Tensor2 fc_w;  // (C, 4C)
    Tensor1 fc_b;
    Tensor2 mlp_proj_w;  // (4C, C)
    Tensor1 mlp_proj_b;
};

struct Weights {
    Tensor2 wte, wpe;
    std::vector<LayerWeights> layers;
    Tensor1 ln_f_w, ln_f_b;
    Tensor2 lm_head;
    bool tied_lm_head = true;
    std::vector<std::shared_ptr<const void>> storage;  // keeps the buffers above alive
};

// One parameter of the model: its Hugging Face name (without "transformer."), its shape, and where a view
// of it goes in Weights. Listing parameters once lets the loader, the writer and the trainer agree.
struct ParamSpec {
    std::string name;
    std::vector<std::int64_t> shape;
    std::function<void(Weights&, const float*)> bind;
    std::int64_t count() const;
};

// Every parameter in checkpoint order; lm_head is not listed (it is tied to wte unless a file says otherwise).
std::vector<ParamSpec> param_specs(const Config& config);
std::int64_t param_count(const Config& config);

// Views over one contiguous buffer holding every parameter in param_specs order, lm_head tied to wte.
Weights weights_over(const Config& config, const float* params, std::shared_ptr<const void> owner);

}  // namespace attnlab
