// A model's weights as read-only views over float buffers that something else owns (a mapped file, a
// converted F16 arena, a trainer's parameter block). GPT-2's shapes follow the Hugging Face Conv1D layout (in, out):
//   C = n_embd, V = vocab_size, P = n_positions, Q = qkv_width (3C for GPT-2), I = mlp_width (4C for GPT-2)
//   wte (V, C)  wpe (P, C)  lm_head (V, C) (often the same buffer as wte)
//   per layer: ln_1 (C)  c_attn (C, Q) + (Q)  attn c_proj (C, C) + (C)  ln_2 (C)
//              c_fc (C, I) + (I)  mlp c_proj (I, C) + (C)
//   ln_f (C)
// The other families store nn.Linear matrices (out, in) (Tensor2::out_in), which the passes use as they are:
// their q, k and v projections are stacked into one (Q, C) matrix as they load, and a gated MLP's gate and up
// projections into one (2I, C) matrix (gate rows first). A missing bias or layer-norm shift is an empty Tensor1.
#pragma once
#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/config.hpp"
#include "tensor.hpp"

namespace attnlab {

// A (rows, cols) matrix stored as F32 (data) or as IEEE F16 (half). F16 storage halves the memory of a large
// model; the passes convert the rows they use to F32 as they go (exact for weights that were F16 on disk).
struct Tensor2 {
    const float* data = nullptr;
    int rows = 0, cols = 0;
    const std::uint16_t* half = nullptr;  // set (and data null) for F16 storage
    bool out_in = false;  // an nn.Linear matrix (out, in): y = x W^T instead of x W
    // The same matrix packed for the native GEMM kernel (model/packed_weights.hpp), as the forward pass multiplies
    // by it; null when it is not (the page, F16 storage, a trainer's parameters). Never the only copy: every other
    // reader uses data or half.
    const float* panels = nullptr;

    MapRM map() const {  // F32 storage only (trainers and tests that own float buffers)
        assert(data && "Tensor2::map needs F32 storage; use rows_f32");
        return MapRM(data, rows, cols);
    }
    // Rows [first, first + count) as F32: a view of F32 storage, or converted into scratch.
    MapRM rows_f32(int first, int count, MatRM& scratch) const;
    MapRM f32(MatRM& scratch) const { return rows_f32(0, rows, scratch); }
};

struct Tensor1 {
    const float* data = nullptr;
    int size = 0;
    MapRowVec map() const { return MapRowVec(data, size); }
    bool empty() const { return size == 0; }
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
    Tensor1 q_norm_w, k_norm_w;  // Qwen3: RMSNorm gains of each head's q and k (head_dim)
};

struct Weights {
    Tensor2 wte, wpe;
    std::vector<LayerWeights> layers;
    Tensor1 ln_f_w, ln_f_b;
    Tensor2 lm_head;
    bool tied_lm_head = true;
    std::vector<std::shared_ptr<const void>> storage;  // keeps the buffers above alive
};

// What a parameter is, for initialisation and weight decay.
enum class ParamRole { Matrix, ResidualMatrix, Gain, Bias };

// One parameter of the model: its Hugging Face name (GPT-2's without "transformer."), its shape, and where a view
// of it goes in Weights. Listing parameters once lets the loader, the writer and the trainer agree.
// A parameter stacked from several tensors of the file (q, k and v; gate and up) lists them in `parts`, each
// with its number of rows; `name` is then attnlab's own.
struct ParamSpec {
    std::string name;
    std::vector<std::int64_t> shape;
    std::function<void(Weights&, const float*)> bind;
    std::function<void(Weights&, const std::uint16_t*)> bind_half;  // matrices only: F16 storage
    ParamRole role = ParamRole::Matrix;
    std::vector<std::pair<std::string, std::int64_t>> parts;
    int layer = -1;  // the layer it belongs to; -1: embeddings, final norm
    std::int64_t count() const;
    // The shape of part k of a stacked parameter.
    std::vector<std::int64_t> part_shape(std::size_t k) const;
};

// Every parameter in checkpoint order; the output layer is not listed (it is tied to wte unless a file says otherwise).
std::vector<ParamSpec> param_specs(const Config& config);
// The untied output layer (V, C): lm_head.weight, or GPT-NeoX's embed_out.weight.
ParamSpec lm_head_spec(const Config& config);
std::int64_t param_count(const Config& config);

// Views over one contiguous buffer holding every parameter in param_specs order, lm_head tied to wte.
Weights weights_over(const Config& config, const float* params, std::shared_ptr<const void> owner);

}  // namespace attnlab
