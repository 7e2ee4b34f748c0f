// A trainer's state as bytes, so a long run can stop and resume (across sessions) with the same result:
// a safetensors file with the parameters and both AdamW moments as F32 vectors, and in its metadata the step,
// the sampler's state and `options`, a text naming the config and options the state belongs to.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor.hpp"
#include "train/trainer.hpp"

namespace attnlab {

std::vector<std::uint8_t> encode_trainer_state(const TrainerState& state, const std::string& options);

struct SavedTrainerState {
    TrainerState state;
    std::string options;  // as given to encode_trainer_state
};
// Throws Error naming file_name when the bytes are not such a file.
SavedTrainerState decode_trainer_state(ByteView bytes, const std::string& file_name);

}  // namespace attnlab
