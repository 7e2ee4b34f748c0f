// Writing a checkpoint folder: config.json, model.safetensors and the tokenizer files.
#pragma once
#include <string>
#include <vector>

#include "model/config.hpp"
#include "io/safetensors.hpp"

#ifndef ATTNLAB_TOKENIZER_DIR
#define ATTNLAB_TOKENIZER_DIR "models/gpt2-tokenizer"
#endif

namespace attnlab::cli {

// Returns the size of model.safetensors. tokenizer_dir holds vocab.json and merges.txt.
std::size_t write_checkpoint_dir(const std::string& out_dir, const Config& config,
                                 const std::vector<TensorToWrite>& tensors, const std::string& tokenizer_dir);

}  // namespace attnlab::cli
