// The tensors of a checkpoint in the Hugging Face layout of its family, from a parameter buffer in param_specs
// order, ready for write_safetensors. Used by make-random, the trainer and the tests.
#pragma once
#include <string>
#include <vector>

#include "model/config.hpp"
#include "io/safetensors.hpp"

namespace attnlab {

struct WeightsLayout {
    DType dtype = DType::F32;                     // F32, F16 or BF16
    std::string prefix;                           // "" or "transformer." (GPT-2)
    const std::vector<float>* lm_head = nullptr;  // (V, C) stored as lm_head.weight (embed_out.weight) when given
};

std::vector<TensorToWrite> weight_tensors(const Config& config, const float* params, const WeightsLayout& layout = {});

// "F32", "F16" or "BF16"; throws Error naming `what` otherwise.
DType float_dtype(const std::string& name, const std::string& what);

}  // namespace attnlab
