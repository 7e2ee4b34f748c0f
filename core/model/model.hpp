// A GPT-2 model: its hyper-parameters and its weights (views over buffers the weights keep alive).
#pragma once
#include "model/config.hpp"
#include "model/weights.hpp"

namespace attnlab {

struct Model {
    Config config;
    Weights weights;
};

}  // namespace attnlab
